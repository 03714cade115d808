import { HubError } from '../lib/errors.js';
import type { HubConfig } from '../lib/config/index.js';

/**
 * Where the hub listens and how it is reached, from JupyterHub's options: hub_bind_url wins over
 * hub_ip/hub_port; for the public side an explicitly set ip or port wins over bind_url, as in JupyterHub.
 */
export interface ListenAddress {
  host: string;
  port: number;
}

function parseHttpUrl(raw: string, option: string): URL {
  let u: URL;
  try {
    u = new URL(raw.replace('://:', '://0.0.0.0:'));
  } catch {
    throw new HubError('CONFIG_INVALID', `${option} is not a URL: ${JSON.stringify(raw)}`, { hint: `Use the form http://IP:PORT/, e.g. http://127.0.0.1:8081/` });
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new HubError('CONFIG_INVALID', `${option} must be http:// or https://, found ${u.protocol}`, { hint: `Use the form http://IP:PORT/` });
  }
  return u;
}

function portOf(u: URL): number {
  if (u.port) return Number(u.port);
  return u.protocol === 'https:' ? 443 : 80;
}

export function hubListenAddress(jh: HubConfig['JupyterHub']): ListenAddress {
  if (jh.hub_bind_url) {
    const u = parseHttpUrl(jh.hub_bind_url, 'JupyterHub.hub_bind_url');
    return { host: u.hostname.replace(/^\[|\]$/g, ''), port: portOf(u) };
  }
  return { host: jh.hub_ip || '0.0.0.0', port: jh.hub_port };
}

export function publicListenAddress(jh: HubConfig['JupyterHub'], explicit: Set<string>): ListenAddress & { protocol: string } {
  const u = parseHttpUrl(jh.bind_url, 'JupyterHub.bind_url');
  const host = explicit.has('JupyterHub.ip') ? jh.ip : u.hostname;
  const port = explicit.has('JupyterHub.port') ? jh.port : portOf(u);
  return { host: host === '' ? '0.0.0.0' : host.replace(/^\[|\]$/g, ''), port, protocol: u.protocol.replace(':', '') };
}

export function urlFor(protocol: string, addr: ListenAddress, path: string): string {
  const host = addr.host === '0.0.0.0' || addr.host === '' ? '127.0.0.1' : addr.host.includes(':') ? `[${addr.host}]` : addr.host;
  return `${protocol}://${host}:${addr.port}${path}`;
}
