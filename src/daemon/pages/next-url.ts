/**
 * Where to send a browser after login (JupyterHub's `get_next_url`). `next` comes from the request, so it is the
 * open-redirect surface of the hub (CVE-2019-10255, jupyterhub#1908, CVE-2026-33709): only a path on this
 * site survives. Rules, each closing a known trick:
 * - no control characters, white space or backslashes anywhere: browsers drop tabs/newlines and read '\' as
 *   '/', turning `/\evil.com` or `/<TAB>/evil.com` into `//evil.com`;
 * - an absolute URL counts only when it names this very host, or with subdomain_host that host or one of its
 *   subdomains, as base.py get_next_url (then only its path is kept);
 * - the path must not start with `//` — before or after percent-decoding, and after the URL parser has
 *   resolved dot segments (`/.//evil.com` resolves to `//evil.com`);
 * - the result is re-serialised by the URL parser against a fixed origin, so what leaves is always a path.
 */
import { urlEscapePath as escapePath } from '../user-host.js';

export interface NextUrlContext {
  /** The Host header the browser sent. */
  host: string;
  /** JupyterHub.subdomain_host ('' or absent without subdomains). */
  subdomainHost?: string;
}

/** `host` is the hub's subdomain host (host[:port] as in subdomain_host) or below it. */
function underSubdomainHost(host: string, subdomainHost: string | undefined): boolean {
  if (subdomainHost === undefined || subdomainHost === '') return false;
  return `.${host}`.endsWith(`.${new URL(subdomainHost).host}`);
}

/** Control characters (C0, DEL, C1), space and backslash. */
function hasForbidden(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x20 || (c >= 0x7f && c <= 0x9f) || c === 0x5c) return true;
  }
  return false;
}

/** Control characters (C0 and DEL): nothing a name or a log line should carry. */
export function hasControlChars(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}
const PARSE_BASE = 'http://hub.invalid';

export function safeNextUrl(raw: string, ctx: NextUrlContext): string {
  if (raw === '' || raw.length > 4096 || hasForbidden(raw)) return '';
  let candidate = raw;
  if (!raw.startsWith('/') || raw.startsWith('//')) {
    let u: URL;
    try {
      u = new URL(raw.startsWith('//') ? `http:${raw}` : raw);
    } catch {
      return '';
    }
    const sameHost = (u.protocol === 'http:' || u.protocol === 'https:') && (u.host === ctx.host.toLowerCase() || underSubdomainHost(u.host, ctx.subdomainHost)) && u.username === '' && u.password === '';
    if (!sameHost) return '';
    candidate = u.pathname + u.search + u.hash;
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(candidate);
  } catch {
    return '';
  }
  if (/^\/[/\\]/.test(decoded) || hasForbidden(decoded.replaceAll(' ', ''))) return '';
  const u = new URL(candidate, PARSE_BASE);
  if (u.origin !== PARSE_BASE) return '';
  const out = u.pathname + u.search + u.hash;
  return out.startsWith('//') || !out.startsWith('/') ? '' : out;
}

/** JupyterHub's `url_escape_path` (one implementation, user-host.ts): the same escaping as the proxy's routes. */
export { escapePath };

export interface DefaultNextOptions {
  baseUrl: string;
  hubPrefix: string;
  defaultUrl: string;
  redirectToServer: boolean;
  /** The user's default server is running (then they go straight to it). */
  serverActive: boolean;
  /** The user's host with subdomain_host (user.py `host`), '' without: user.py `url` is absolute then. */
  userHost?: string;
}

/**
 * The URL after login when `next` gave none: default_url, else the user's server (running) or /hub/spawn
 * (redirect_to_server), else /hub/home.
 */
export function defaultNextUrl(userName: string | null, o: DefaultNextOptions): string {
  if (o.defaultUrl !== '') return o.defaultUrl;
  if (userName !== null && o.redirectToServer) return o.serverActive ? `${o.userHost ?? ''}${o.baseUrl}user/${escapePath(userName)}/` : `${o.hubPrefix}spawn`;
  return `${o.hubPrefix}home`;
}

/** A `next` under `<base_url>user/` goes through the hub (`/hub/user/...`), which sends each user to their own server. */
export function viaHubForUserUrls(next: string, baseUrl: string, hubPrefix: string): string {
  return next.startsWith(`${baseUrl}user/`) ? `${hubPrefix}${next.slice(baseUrl.length)}` : next;
}
