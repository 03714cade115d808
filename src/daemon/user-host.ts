/**
 * Where a user's servers live with JupyterHub.subdomain_host (user.py `domain`, `host`, `url`, `proxy_spec`):
 * on their own host `<dns-quoted name>.<domain>`, so no two users' servers share an origin, with the same path
 * (`<base_url>user/<name>/`) as without subdomains. Every function gives the path-only answer when
 * subdomain_host is '' (JupyterHub's default), so callers need not branch.
 */
/** utils.py `url_escape_path`, Python's `quote(value, safe='@~')`: all but letters, digits, `_.-~@` is %-escaped, `/` too. */
export function urlEscapePath(value: string): string {
  return encodeURIComponent(value)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%40/g, '@');
}

/** Characters a DNS label may keep (user.py `_dns_safe`; '.' too: several levels of subdomains are fine). */
const DNS_SAFE = /^[A-Za-z0-9.-]$/;

/**
 * user.py `_dns_quote`: the name percent-quoted as Python's `quote(name, safe='')` (UTF-8 bytes), lowercased,
 * `_` and `~` (which quote leaves alone) escaped the same way, then every `%` written as `_`.
 * `Ada_B` becomes `ada_5fb`, `a@b` `a_40b`, `é` `_c3_a9`. Not fully DNS-safe, as JupyterHub says of it.
 */
export function dnsQuote(name: string): string {
  const quoted = encodeURIComponent(name).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).toLowerCase();
  let label = '';
  for (const c of quoted) label += DNS_SAFE.test(c) || c === '%' ? c : `%${c.charCodeAt(0).toString(16)}`;
  return label.replaceAll('%', '_');
}

/**
 * The port written in the URL, as Python's `urlparse(url).port` (WHATWG URL drops a default port such as
 * `:443` on https, which JupyterHub keeps).
 */
function explicitPort(url: string): string {
  const m = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(?:\[[^\]]*\]|[^:/?#]*)(?::(\d+))?/i.exec(url);
  return m?.[1] ?? '';
}

/** app.py `domain`: the host name of subdomain_host (no scheme, no port), '' without subdomains. */
export function hubDomain(subdomainHost: string): string {
  return subdomainHost === '' ? '' : new URL(subdomainHost).hostname;
}

/** user.py `domain`: `ada.hub.example.org`, '' without subdomains. */
export function userDomain(subdomainHost: string, user: string): string {
  return subdomainHost === '' ? '' : `${dnsQuote(user)}.${hubDomain(subdomainHost)}`;
}

/** user.py `host`: `https://ada.hub.example.org[:port]` (the port as written in subdomain_host), '' without subdomains. */
export function userHost(subdomainHost: string, user: string): string {
  if (subdomainHost === '') return '';
  const port = explicitPort(subdomainHost);
  return `${new URL(subdomainHost).protocol}//${userDomain(subdomainHost, user)}${port === '' ? '' : `:${port}`}`;
}

/** `<base_url>user/<name>/[<server>/]`: the server's path, the same with or without subdomains. */
export function serverPath(baseUrl: string, user: string, server: string): string {
  const u = `${baseUrl}user/${urlEscapePath(user)}/`;
  return server === '' ? u : `${u}${urlEscapePath(server)}/`;
}

/** user.py `server_url` + '/': absolute (`https://ada.hub.example.org/user/ada/`) with subdomains, else the path. */
export function serverPublicUrl(subdomainHost: string, baseUrl: string, user: string, server: string): string {
  return userHost(subdomainHost, user) + serverPath(baseUrl, user, server);
}

/** user.py `proxy_spec` (+ server): `ada.hub.example.org/user/ada/` with subdomains, else `/user/ada/`. */
export function serverRoutespec(subdomainHost: string, baseUrl: string, user: string, server: string): string {
  return userDomain(subdomainHost, user) + serverPath(baseUrl, user, server);
}

/** app.py init_services: `services.<domain>` (host name only) and `<scheme>://services.<host[:port]>`. */
export function servicesDomain(subdomainHost: string): string {
  return subdomainHost === '' ? '' : `services.${hubDomain(subdomainHost)}`;
}

export function servicesHost(subdomainHost: string): string {
  if (subdomainHost === '') return '';
  const port = explicitPort(subdomainHost);
  return `${new URL(subdomainHost).protocol}//${servicesDomain(subdomainHost)}${port === '' ? '' : `:${port}`}`;
}
