/**
 * The command line of proxy-main: the part of configurable-http-proxy's flags that JupyterHub's
 * ConfigurableHTTPProxy.start passes (jupyterhub/proxy.py), spelled and defaulted as CHP does, so
 * `c.ConfigurableHTTPProxy.command` can name our proxy. CHP flags we know but do not implement are refused
 * by name instead of being ignored: a proxy silently running without the client certificates an admin asked
 * for is worse than one that does not start.
 */
import { parseArgs } from 'node:util';
import { HubError } from '../../lib/errors.js';
import { parseTarget } from './route-table.js';

export type ProxyLogLevel = 'debug' | 'info' | 'warn' | 'error';

/**
 * --api-ssl-*: the API listener over HTTPS. With --api-ssl-request-cert a client must present a certificate
 * that chains to --api-ssl-ca (JupyterHub's internal_ssl: proxy-api-ca_trust.crt). Unauthorised clients are
 * always refused then, with or without --api-ssl-reject-unauthorized: CHP passes that flag to Node as
 * `rejectUnauthorized: true | undefined`, and Node reads undefined as true.
 */
export interface ApiSslConfig {
  key: string;
  cert: string;
  ca: string | undefined;
  requestCert: boolean;
}

/**
 * --client-ssl-*: the proxy's own identity and trust when it connects to https targets (single-user servers
 * under internal_ssl, the hub's error page). Backends' certificates are always verified, against --client-ssl-ca
 * when given; --client-ssl-request-cert / --client-ssl-reject-unauthorized are accepted and change nothing,
 * as in CHP, where they land in options Node ignores on the client side.
 */
export interface ClientSslConfig {
  key: string | undefined;
  cert: string | undefined;
  ca: string | undefined;
}

export interface ProxyCliConfig {
  ip: string;
  port: number;
  apiIp: string;
  apiPort: number;
  defaultTarget: string | undefined;
  errorTarget: string | undefined;
  logLevel: ProxyLogLevel;
  sslKey: string | undefined;
  sslCert: string | undefined;
  apiSsl: ApiSslConfig | undefined;
  clientSsl: ClientSslConfig | undefined;
  pidFile: string | undefined;
  hostRouting: boolean;
  xfwd: boolean;
  timeout: number | undefined;
  proxyTimeout: number | undefined;
  keepAliveTimeout: number;
}

const SUPPORTED = {
  ip: { type: 'string' },
  port: { type: 'string' },
  'api-ip': { type: 'string' },
  'api-port': { type: 'string' },
  'default-target': { type: 'string' },
  'error-target': { type: 'string' },
  'log-level': { type: 'string' },
  'ssl-key': { type: 'string' },
  'ssl-cert': { type: 'string' },
  'api-ssl-key': { type: 'string' },
  'api-ssl-cert': { type: 'string' },
  'api-ssl-ca': { type: 'string' },
  'api-ssl-request-cert': { type: 'boolean' },
  'api-ssl-reject-unauthorized': { type: 'boolean' },
  'client-ssl-key': { type: 'string' },
  'client-ssl-cert': { type: 'string' },
  'client-ssl-ca': { type: 'string' },
  'client-ssl-request-cert': { type: 'boolean' },
  'client-ssl-reject-unauthorized': { type: 'boolean' },
  'pid-file': { type: 'string' },
  'host-routing': { type: 'boolean' },
  'no-x-forward': { type: 'boolean' },
  timeout: { type: 'string' },
  'proxy-timeout': { type: 'string' },
  'keep-alive-timeout': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** CHP flags refused with "not supported yet"; the ones taking a value must be declared so. */
const NOT_SUPPORTED_WITH_VALUE = [
  'ssl-ca', 'ssl-protocol', 'ssl-ciphers', 'ssl-dhparam', 'error-path', 'redirect-port', 'redirect-to', 'custom-header', 'protocol-rewrite',
  'metrics-ip', 'metrics-port', 'storage-backend', 'socket', 'api-socket', 'metrics-socket',
] as const;
const NOT_SUPPORTED_FLAGS = [
  'ssl-request-cert', 'ssl-reject-unauthorized', 'ssl-allow-rc4', 'no-prepend-path', 'no-include-prefix', 'auto-rewrite',
  'change-origin', 'insecure',
] as const;

export const USAGE = `usage: proxy-main [--ip IP] [--port N] [--api-ip IP] [--api-port N] [--default-target URL]
       [--error-target URL] [--log-level debug|info|warn|error] [--ssl-key FILE --ssl-cert FILE]
       [--api-ssl-key FILE --api-ssl-cert FILE [--api-ssl-ca FILE] [--api-ssl-request-cert]
        [--api-ssl-reject-unauthorized]]
       [--client-ssl-key FILE --client-ssl-cert FILE] [--client-ssl-ca FILE]
       [--pid-file FILE] [--host-routing] [--no-x-forward] [--timeout MS] [--proxy-timeout MS]
       [--keep-alive-timeout MS]
The API token is read from the environment variable CONFIGPROXY_AUTH_TOKEN; encrypted keys' passphrases from
CONFIGPROXY_SSL_KEY_PASSPHRASE and CONFIGPROXY_API_SSL_KEY_PASSPHRASE.`;

function usageError(message: string, hint = 'see --help for the accepted flags'): HubError {
  return new HubError('USAGE', message, { hint });
}

function portOf(flag: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw usageError(`--${flag} must be a port number (0-65535), got '${raw}'`);
  return n;
}

function millisOf(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw usageError(`--${flag} must be a whole number of milliseconds, got '${raw}'`);
  return n;
}

function logLevelOf(raw: string | undefined): ProxyLogLevel {
  const level = (raw ?? 'info').toLowerCase();
  if (level === 'debug' || level === 'info' || level === 'warn' || level === 'error') return level;
  throw usageError(`--log-level must be one of debug, info, warn, error; got '${raw ?? ''}'`);
}

function targetOf(flag: string, raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (parseTarget(raw) === undefined) throw usageError(`--${flag} must be a URL such as http://127.0.0.1:8081, got '${raw}'`);
  return raw;
}

type Values = ReturnType<typeof parseAll>['values'];

function parseAll(argv: string[]) {
  const options = { ...SUPPORTED } as Record<string, { type: 'string' | 'boolean'; short?: string }>;
  for (const name of NOT_SUPPORTED_WITH_VALUE) options[name] = { type: 'string' };
  for (const name of NOT_SUPPORTED_FLAGS) options[name] = { type: 'boolean' };
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false });
  } catch (err) {
    throw usageError(err instanceof Error ? err.message : String(err));
  }
}

function str(values: Values, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

function apiSslOf(values: Values): ApiSslConfig | undefined {
  const key = str(values, 'api-ssl-key');
  const cert = str(values, 'api-ssl-cert');
  const ca = str(values, 'api-ssl-ca');
  const requestCert = values['api-ssl-request-cert'] === true;
  if (key === undefined && cert === undefined) {
    if (ca !== undefined || requestCert) throw usageError('--api-ssl-ca and --api-ssl-request-cert need --api-ssl-key and --api-ssl-cert', 'give the API its key and certificate too');
    return undefined;
  }
  if (key === undefined || cert === undefined) throw usageError('--api-ssl-key and --api-ssl-cert go together', 'give both files, or neither for a plain HTTP API');
  return { key, cert, ca, requestCert };
}

function clientSslOf(values: Values): ClientSslConfig | undefined {
  const key = str(values, 'client-ssl-key');
  const cert = str(values, 'client-ssl-cert');
  const ca = str(values, 'client-ssl-ca');
  if ((key === undefined) !== (cert === undefined)) throw usageError('--client-ssl-key and --client-ssl-cert go together', 'give both files, or only --client-ssl-ca to just trust the backends');
  return key === undefined && ca === undefined ? undefined : { key, cert, ca };
}

/** Parses argv (without node and the script); `'help'` when usage was asked for. */
export function parseProxyArgs(argv: string[]): ProxyCliConfig | 'help' {
  const { values } = parseAll(argv);
  if (values.help === true) return 'help';
  for (const name of [...NOT_SUPPORTED_WITH_VALUE, ...NOT_SUPPORTED_FLAGS]) {
    if (values[name] !== undefined) {
      throw new HubError('NOT_IMPLEMENTED', `--${name} is not supported yet by hub's proxy`, {
        hint: 'drop the flag, or run the real configurable-http-proxy (ConfigurableHTTPProxy.command) for this setup',
      });
    }
  }
  const sslKey = str(values, 'ssl-key');
  const sslCert = str(values, 'ssl-cert');
  if ((sslKey === undefined) !== (sslCert === undefined)) throw usageError('--ssl-key and --ssl-cert go together', 'give both files, or neither for plain HTTP');
  // CHP's alias: '*' means every interface, which Node spells as no host at all.
  const ip = str(values, 'ip') ?? '';
  const port = portOf('port', str(values, 'port'), 8000);
  return {
    ip: ip === '*' ? '' : ip,
    port,
    apiIp: str(values, 'api-ip') ?? 'localhost',
    // CHP: --port + 1; with an ephemeral public port there is no "next" port, so the API is ephemeral too.
    apiPort: portOf('api-port', str(values, 'api-port'), port === 0 ? 0 : port + 1),
    defaultTarget: targetOf('default-target', str(values, 'default-target')),
    errorTarget: targetOf('error-target', str(values, 'error-target')),
    logLevel: logLevelOf(str(values, 'log-level')),
    sslKey,
    sslCert,
    apiSsl: apiSslOf(values),
    clientSsl: clientSslOf(values),
    pidFile: str(values, 'pid-file'),
    hostRouting: values['host-routing'] === true,
    xfwd: values['no-x-forward'] !== true,
    timeout: millisOf('timeout', str(values, 'timeout')),
    proxyTimeout: millisOf('proxy-timeout', str(values, 'proxy-timeout')),
    keepAliveTimeout: millisOf('keep-alive-timeout', str(values, 'keep-alive-timeout')) ?? 5000,
  };
}
