/**
 * The proxy's command line, as JupyterHub's ConfigurableHTTPProxy.start builds it, so the same code starts
 * our proxy-main or a real configurable-http-proxy. The API token is deliberately not here: argv is world
 * readable (ps, /proc), so it travels in CONFIGPROXY_AUTH_TOKEN.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ProxyLogLevel } from './proxy-cli.js';

/** The same shape as the hub's internal_ssl paths (JupyterHub's internal_proxy_certs + trust bundle). */
export interface ProxyTlsFiles {
  keyfile: string;
  certfile: string;
  cafile: string;
}

export interface ProxyListenOptions {
  /** Public interface; '' for all, as JupyterHub passes it for `http://:8000`. */
  ip: string;
  port: number;
  apiIp: string;
  apiPort: number;
  /** JupyterHub: `<hub url>/error`, i.e. http://127.0.0.1:8081/hub/error. */
  errorTarget?: string;
  defaultTarget?: string;
  hostRouting?: boolean;
  sslKey?: string;
  sslCert?: string;
  /** internal_ssl: proxy-api's pair and proxy-api-ca_trust.crt; the API then requires client certificates. */
  apiSsl?: ProxyTlsFiles;
  /** internal_ssl: proxy-client's pair and proxy-client-ca_trust.crt, used towards https backends. */
  clientSsl?: ProxyTlsFiles;
  logLevel?: ProxyLogLevel;
  /** Appended as given (e.g. ['--timeout', '5000']). */
  extraArgs?: string[];
}

/** Our proxy's entry point, next to this file once compiled. */
export const PROXY_MAIN = fileURLToPath(new URL('./proxy-main.js', import.meta.url));

export function defaultProxyCommand(): string[] {
  return [process.execPath, PROXY_MAIN];
}

export function buildProxyArgs(o: ProxyListenOptions): string[] {
  const args = ['--ip', o.ip, '--port', String(o.port), '--api-ip', o.apiIp, '--api-port', String(o.apiPort)];
  if (o.errorTarget !== undefined) args.push('--error-target', o.errorTarget);
  if (o.defaultTarget !== undefined) args.push('--default-target', o.defaultTarget);
  args.push('--log-level', o.logLevel ?? 'info');
  if (o.hostRouting) args.push('--host-routing');
  if (o.sslKey !== undefined) args.push('--ssl-key', o.sslKey);
  if (o.sslCert !== undefined) args.push('--ssl-cert', o.sslCert);
  return [...args, ...internalSslArgs(o), ...(o.extraArgs ?? [])];
}

/** JupyterHub's ConfigurableHTTPProxy._get_ssl_options, flag for flag, so a real CHP gets the same. */
function internalSslArgs(o: ProxyListenOptions): string[] {
  const args: string[] = [];
  if (o.apiSsl) {
    args.push('--api-ssl-key', o.apiSsl.keyfile, '--api-ssl-cert', o.apiSsl.certfile, '--api-ssl-ca', o.apiSsl.cafile);
    args.push('--api-ssl-request-cert', '--api-ssl-reject-unauthorized');
  }
  if (o.clientSsl) {
    args.push('--client-ssl-key', o.clientSsl.keyfile, '--client-ssl-cert', o.clientSsl.certfile, '--client-ssl-ca', o.clientSsl.cafile);
    args.push('--client-ssl-request-cert', '--client-ssl-reject-unauthorized');
  }
  return args;
}

const DEBIAN_NODE_MODULES = '/usr/share/nodejs';

/**
 * The child's environment: the caller's, plus the token. Debian's configurable-http-proxy finds its
 * dependencies only through NODE_PATH=/usr/share/nodejs; JupyterHub users on Debian would otherwise see
 * "Cannot find module 'commander'", so it is added when unset and that directory holds CHP.
 */
export function buildProxyEnv(base: NodeJS.ProcessEnv, authToken: string, command: readonly string[]): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base, CONFIGPROXY_AUTH_TOKEN: authToken };
  const isChp = command.some((part) => part.endsWith('configurable-http-proxy'));
  if (isChp && !env.NODE_PATH && existsSync(`${DEBIAN_NODE_MODULES}/configurable-http-proxy`)) env.NODE_PATH = DEBIAN_NODE_MODULES;
  return env;
}
