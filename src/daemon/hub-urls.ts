import { hostname } from 'node:os';
import { HubError } from '../lib/errors.js';
import type { HubConfig } from '../lib/config/index.js';
import { parseBindUrl } from '../lib/config/public-url.js';

/**
 * Where the hub listens and how it is reached, from JupyterHub's options (app.py init_hub, objects.py Server):
 * hub_bind_url wins over hub_ip/hub_port and may be a unix socket (unix+http://%2Fpath%2Fhub.sock); the URL the
 * proxy, servers and services use is hub_connect_url if set, else hub_connect_ip (default: the bind ip, or the host
 * name when binding all interfaces) and the bound port. Either way its path is <base_url>hub/.
 * The public side is JupyterHub.bind_url, which config loading already made from ip/port/base_url.
 */
export type ListenAddress = { host: string; port: number; socketPath?: undefined } | { socketPath: string; host?: undefined; port?: undefined };

export interface TcpAddress {
  host: string;
  port: number;
}

function portOf(u: URL): number {
  if (u.port) return Number(u.port);
  return u.protocol === 'https:' ? 443 : 80;
}

const ALL_INTERFACES = new Set(['', '0.0.0.0', '::']);

export function hubListenAddress(jh: HubConfig['JupyterHub']): ListenAddress {
  if (jh.hub_bind_url) {
    const unix = /^unix\+https?:\/\/([^/]*)/i.exec(jh.hub_bind_url);
    if (unix) {
      const socketPath = decodeURIComponent(unix[1] ?? '');
      if (!socketPath.startsWith('/')) {
        throw new HubError('CONFIG_INVALID', `JupyterHub.hub_bind_url names no absolute socket path: ${JSON.stringify(jh.hub_bind_url)}`, {
          hint: 'Percent-encode the path as the URL host, e.g. unix+http://%2Fsrv%2Fjupyterhub%2Fhub.sock',
        });
      }
      if (!jh.hub_connect_url) {
        throw new HubError('CONFIG_INVALID', `JupyterHub.hub_bind_url is a unix socket (${jh.hub_bind_url}) but JupyterHub.hub_connect_url is not set`, {
          hint: 'Set JupyterHub.hub_connect_url to an http(s) URL at which the proxy and servers reach the hub (e.g. a forwarder to the socket).',
        });
      }
      return { socketPath };
    }
    const u = parseBindUrl(jh.hub_bind_url, 'JupyterHub.hub_bind_url');
    return { host: u.hostname.replace(/^\[|\]$/g, ''), port: portOf(u) };
  }
  return { host: jh.hub_ip || '0.0.0.0', port: jh.hub_port };
}

/** objects.py Hub.url: hub_connect_url (its path replaced by <base_url>hub/), else proto://connect_ip:port/<base_url>hub/. */
export function hubConnectUrl(jh: HubConfig['JupyterHub'], bound: ListenAddress, tls: boolean): string {
  const prefix = `${jh.base_url}hub/`;
  if (jh.hub_connect_url) {
    if (!URL.canParse(jh.hub_connect_url) || !/^https?:$/.test(new URL(jh.hub_connect_url).protocol)) {
      throw new HubError('CONFIG_INVALID', `JupyterHub.hub_connect_url is not an http(s) URL: ${JSON.stringify(jh.hub_connect_url)}`, {
        hint: 'Write it as http://HOST:PORT/, the address at which the proxy and servers reach the hub.',
      });
    }
    return `${new URL(jh.hub_connect_url).origin}${prefix}`;
  }
  if (bound.socketPath !== undefined) throw new Error('unreachable: a unix-socket hub_bind_url requires hub_connect_url');
  const host = jh.hub_connect_ip || (ALL_INTERFACES.has(bound.host) ? hostname() : bound.host);
  return `${tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${bound.port}${prefix}`;
}

export function publicListenAddress(jh: HubConfig['JupyterHub']): TcpAddress & { protocol: string } {
  const u = parseBindUrl(jh.bind_url, 'JupyterHub.bind_url');
  const host = jh.bind_url.includes('://:') ? '' : u.hostname;
  return { host: host === '' ? '0.0.0.0' : host.replace(/^\[|\]$/g, ''), port: portOf(u), protocol: u.protocol.replace(':', '') };
}

/** A URL for this host to reach a TCP address (all interfaces: the loopback). */
export function urlFor(protocol: string, addr: TcpAddress, path: string): string {
  const host = ALL_INTERFACES.has(addr.host) ? '127.0.0.1' : addr.host.includes(':') ? `[${addr.host}]` : addr.host;
  return `${protocol}://${host}:${addr.port}${path}`;
}
