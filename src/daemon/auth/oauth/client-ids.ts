/**
 * OAuth client ids as JupyterHub names them: `jupyterhub-user-<quote(name)>[-<quote(server)>]` for servers
 * (user.py; fully quoted because the id doubles as the server's cookie name) and `service-<name>` by default for
 * services (services/service.py).
 */
export const SERVER_CLIENT_PREFIX = 'jupyterhub-user-';
export const SERVICE_CLIENT_PREFIX = 'service-';

const ALWAYS_SAFE = /[A-Za-z0-9_.\-~/]/;

/** Python's `urllib.parse.quote(s)` (safe='/'): UTF-8 bytes, `%XX` upper-case, `A-Za-z0-9_.-~/` kept. */
export function pyQuote(s: string): string {
  let out = '';
  for (const ch of s) {
    if (ALWAYS_SAFE.test(ch)) {
      out += ch;
      continue;
    }
    for (const b of Buffer.from(ch, 'utf8')) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export function serverClientId(user: string, server: string): string {
  const base = `${SERVER_CLIENT_PREFIX}${pyQuote(user)}`;
  return server === '' ? base : `${base}-${pyQuote(server)}`;
}

export function serviceClientId(service: string): string {
  return `${SERVICE_CLIENT_PREFIX}${service}`;
}

function unquote(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

/**
 * Every (user, server) a server client id could stand for. `-` is legal in user and server names and is not
 * quoted, so `jupyterhub-user-a-b` is user `a-b`'s default server or user `a`'s server `b`: the caller asks
 * the database which exists.
 */
export function serverClientCandidates(clientId: string): { user: string; server: string }[] {
  if (!clientId.startsWith(SERVER_CLIENT_PREFIX)) return [];
  const rest = clientId.slice(SERVER_CLIENT_PREFIX.length);
  const out: { user: string; server: string }[] = [];
  const whole = unquote(rest);
  if (whole !== null && whole !== '') out.push({ user: whole, server: '' });
  for (let i = rest.indexOf('-'); i > 0; i = rest.indexOf('-', i + 1)) {
    const user = unquote(rest.slice(0, i));
    const server = unquote(rest.slice(i + 1));
    if (user && server) out.push({ user, server });
  }
  return out;
}
