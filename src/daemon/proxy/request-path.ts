/**
 * The path a request is routed by. Like CHP 5.x (`new URL(req.url).pathname`, then decodeURIComponent): dot
 * segments are resolved before matching, so the route that is chosen is the one for the path http-proxy-3
 * actually forwards (it normalises the outgoing path the same way). Route keys are stored decoded, so the
 * request path is decoded too: `/user/a%40b/` and `/user/a@b/` reach the same route.
 */
import type { IncomingMessage } from 'node:http';

/** What makes the WHATWG parser change a path: dot segments (also as %2e), backslashes, a fragment. */
const NEEDS_URL_PARSE = /[.\\#]|%2e/i;
const BASE = 'http://proxy.invalid';

function pathnameOf(url: string): string {
  if (url.charCodeAt(0) === 47 /* '/' */ && url.charCodeAt(1) !== 47) {
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    // Fast path: most request paths are plain and parse to themselves.
    if (!NEEDS_URL_PARSE.test(path)) return path;
  }
  // http-proxy-3 reads `//x` as a path, not as a scheme-relative URL; route by what it will forward.
  return (url.startsWith('//') ? new URL(BASE + url) : new URL(url, BASE)).pathname;
}

/** The Host header without its port (`[::1]:8000` -> `[::1]`, `hub.example:443` -> `hub.example`). */
export function hostWithoutPort(host: string | undefined): string {
  if (host === undefined) return '';
  if (host.startsWith('[')) {
    const close = host.indexOf(']');
    return close === -1 ? host : host.slice(0, close + 1);
  }
  const colon = host.indexOf(':');
  return colon === -1 ? host : host.slice(0, colon);
}

/**
 * A stray `%` or a broken UTF-8 escape (`/hub/api/users/%ff`) would make decodeURIComponent throw (CHP answers
 * 500). The runs of escapes that decode are decoded and the rest kept as written, so the request still reaches
 * its route and the backend answers it as it answers any path it cannot decode: the hub's API with its JSON 400,
 * a notebook server with its own.
 */
function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path.replace(/(?:%[0-9a-f]{2})+/gi, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run;
      }
    });
  }
}

/**
 * The decoded path to match, with `/<host>` in front when routing by host; undefined when the URL cannot be
 * parsed at all, which the proxy answers with 400.
 */
export function routingPath(req: IncomingMessage, hostRouting: boolean): string | undefined {
  let path: string;
  try {
    path = pathnameOf(req.url ?? '/');
  } catch {
    return undefined;
  }
  if (path.includes('%')) path = decodePath(path);
  return hostRouting ? `/${hostWithoutPort(req.headers.host)}${path}` : path;
}
