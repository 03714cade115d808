/**
 * One proxy: route table, public listener and API listener, started together and closed together. proxy-main
 * runs it as its own process; tests and benchmarks can run it in-process.
 */
import type { AddressInfo } from 'node:net';
import { HubError, errnoCode } from '../../lib/errors.js';
import type { Logger } from '../../lib/log.js';
import type { ProxyCliConfig } from './proxy-cli.js';
import { ProxyApi } from './proxy-api.js';
import { ProxyServer } from './proxy-server.js';
import { loadApiTlsMaterial, loadClientTlsMaterial, loadTlsMaterial, type ApiTlsMaterial } from './proxy-tls.js';
import { RouteTable } from './route-table.js';

export interface RunningProxy {
  routes: RouteTable;
  publicAddress: AddressInfo;
  apiAddress: AddressInfo;
  /** e.g. `http://*:8000 -> (no default); API http://localhost:8001/api/routes` */
  describe: string;
  close(graceMs?: number): Promise<void>;
}

export interface StartProxyOptions {
  log: Logger;
  /** CONFIGPROXY_AUTH_TOKEN; empty or undefined leaves the API open, as CHP does. */
  authToken: string | undefined;
  sslKeyPassphrase?: string;
  /** CONFIGPROXY_API_SSL_KEY_PASSPHRASE, as CHP. */
  apiSslKeyPassphrase?: string;
}

async function listenOrExplain(what: string, listen: () => Promise<AddressInfo>, host: string, port: number): Promise<AddressInfo> {
  try {
    return await listen();
  } catch (err) {
    const code = errnoCode(err) ?? 'error';
    const where = `${host || '*'}:${port}`;
    const hint =
      code === 'EADDRINUSE' ? `another process listens on ${where}; stop it or choose another port`
      : code === 'EACCES' ? `ports below 1024 need privileges; use a higher port or grant CAP_NET_BIND_SERVICE`
      : code === 'EADDRNOTAVAIL' ? `${host} is not an address of this machine`
      : undefined;
    throw new HubError('DAEMON_START_FAILED', `proxy cannot listen for ${what} on ${where}: ${code}`, { hint, cause: err });
  }
}

function describeProxy(config: ProxyCliConfig, port: number, apiPort: number, t: { publicTls: boolean; apiTls: ApiTlsMaterial | undefined }): string {
  const scheme = t.publicTls ? 'https' : 'http';
  const apiScheme = t.apiTls ? 'https' : 'http';
  const clientCerts = t.apiTls?.requestCert ? ' (client certificates required)' : '';
  return `${scheme}://${config.ip || '*'}:${port} -> ${config.defaultTarget ?? '(no default)'}; API ${apiScheme}://${config.apiIp}:${apiPort}/api/routes${clientCerts}`;
}

export async function startProxy(config: ProxyCliConfig, opts: StartProxyOptions): Promise<RunningProxy> {
  const tls = config.sslKey !== undefined && config.sslCert !== undefined ? loadTlsMaterial(config.sslKey, config.sslCert, opts.sslKeyPassphrase) : undefined;
  const apiTls = config.apiSsl ? loadApiTlsMaterial(config.apiSsl, opts.apiSslKeyPassphrase) : undefined;
  const clientTls = config.clientSsl ? loadClientTlsMaterial(config.clientSsl) : undefined;
  const routes = new RouteTable({ hostRouting: config.hostRouting });
  // CHP stores --default-target as the route `/`, visible and deletable through the API like any other.
  if (config.defaultTarget !== undefined) routes.add('/', { target: config.defaultTarget });
  const proxy = new ProxyServer({
    routes,
    log: opts.log,
    hostRouting: config.hostRouting,
    xfwd: config.xfwd,
    errorTarget: config.errorTarget,
    timeout: config.timeout,
    proxyTimeout: config.proxyTimeout,
    keepAliveTimeout: config.keepAliveTimeout,
    tls,
    clientTls,
  });
  const api = new ProxyApi({ routes, log: opts.log, authToken: opts.authToken, tls: apiTls });
  const publicHost = config.ip === '' ? undefined : config.ip;
  const publicAddress = await listenOrExplain('requests', () => proxy.listen(config.port, publicHost), config.ip, config.port);
  let apiAddress: AddressInfo;
  try {
    apiAddress = await listenOrExplain('its API', () => api.listen(config.apiPort, config.apiIp), config.apiIp, config.apiPort);
  } catch (err) {
    await proxy.close(0);
    throw err;
  }
  return {
    routes,
    publicAddress,
    apiAddress,
    describe: describeProxy(config, publicAddress.port, apiAddress.port, { publicTls: tls !== undefined, apiTls }),
    close: async (graceMs?: number) => {
      await Promise.all([proxy.close(graceMs), api.close()]);
    },
  };
}
