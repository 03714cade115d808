/**
 * JupyterHub's routespecs (`/user/ann/`, or `host.tld/user/ann/` with subdomain_host) and CHP's route paths
 * (`/user/ann`, `/host.tld/user/ann`), converted exactly as jupyterhub/proxy.py does it.
 */
import { HubError } from '../../lib/errors.js';

/** Proxy.validate_routespec: host routes iff host routing, trailing slash added; `/` is always allowed. */
export function validateRoutespec(routespec: string, hostRouting: boolean): string {
  if (routespec === '/') return routespec;
  const hostRoute = !routespec.startsWith('/');
  if (hostRoute && !hostRouting) {
    throw new HubError('USAGE', `cannot add host-based route ${routespec}: not using host routing`, { hint: 'set JupyterHub.subdomain_host, or give a path starting with /' });
  }
  if (hostRouting && !hostRoute) {
    throw new HubError('USAGE', `cannot add route ${routespec} without a host: using host routing`, { hint: 'prefix the route with its host, e.g. ann.hub.example/user/ann/' });
  }
  return routespec.endsWith('/') ? routespec : `${routespec}/`;
}

/** ConfigurableHTTPProxy._routespec_to_chp_path: leading slash, no trailing slash (CHP's DELETE dislikes it). */
export function routespecToChpPath(routespec: string, hostRouting: boolean): string {
  let path = validateRoutespec(routespec, hostRouting);
  if (!path.startsWith('/')) path = `/${path}`;
  if (path !== '/' && path.endsWith('/')) path = path.replace(/\/+$/, '');
  return path;
}

const PY_SAFE = /[A-Za-z0-9_.\-~@/]/;

/** Python's urllib.parse.quote(s, safe='@/~'): UTF-8 percent-encoding of everything else. */
export function pyQuote(s: string): string {
  let out = '';
  for (const ch of s) out += PY_SAFE.test(ch) ? ch : encodeURIComponent(ch).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return out;
}

/** ConfigurableHTTPProxy._routespec_from_chp_path: CHP keys are unescaped, JupyterHub's specs are escaped. */
export function routespecFromChpPath(chpPath: string, hostRouting: boolean): string {
  let routespec = pyQuote(chpPath);
  if (hostRouting) routespec = routespec.replace(/^\/+/, '');
  return routespec.endsWith('/') ? routespec : `${routespec}/`;
}

/**
 * A route path placed in the API URL: already escaped by JupyterHub, except what would end the path, and anything
 * outside printable ASCII (the request line carries it as written, not through the URL parser).
 */
export function chpPathForUrl(chpPath: string): string {
  return chpPath.replace(/[?#]|[^\x21-\x7e]/gu, (c) => [...Buffer.from(c, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''));
}
