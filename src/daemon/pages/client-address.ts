import type http from 'node:http';
import { isIP } from 'node:net';

/**
 * The client address for logs. X-Forwarded-For is believed only when the direct peer is a trusted downstream
 * proxy (`JupyterHub.trusted_downstream_ips`); then the list is walked from the right, skipping trusted hops,
 * as tornado does. From anyone else the header is ignored: they could write any address there.
 * (Tornado applies X-Forwarded-For from every peer; hub is stricter, so list the proxy's address to see
 * browsers' addresses behind it.)
 */
function normalise(ip: string): string {
  const v = ip.trim().replace(/^\[|\]$/g, '');
  return v.startsWith('::ffff:') && isIP(v.slice(7)) === 4 ? v.slice(7) : v;
}

export function clientAddress(req: http.IncomingMessage, trusted: readonly string[]): string {
  const peer = normalise(req.socket.remoteAddress ?? '');
  const trust = new Set(trusted.map(normalise));
  const isTrusted = (ip: string): boolean => trust.has(ip);
  const header = req.headers['x-forwarded-for'];
  if (!isTrusted(peer) || typeof header !== 'string' || header === '') return peer;
  const hops = header.split(',').map(normalise).filter((h) => h !== '');
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i] ?? '';
    if (isIP(hop) === 0) return peer;
    if (!isTrusted(hop)) return hop;
  }
  return hops[0] ?? peer;
}
