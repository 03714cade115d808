/**
 * Starts the proxy under test as its own process, either ours (proxy-main) or Debian's real
 * configurable-http-proxy 4.5, through ProxyProcess, exactly as the hub will. The same black-box tests then
 * run against both.
 */
import { existsSync } from 'node:fs';
import { ProxyProcess } from '../../src/daemon/proxy/proxy-process.js';
import { freePort, httpRequest, type HttpResult } from './proxy-http.js';

export type ProxyKind = 'ours' | 'chp';
export const CHP_BIN = '/usr/bin/configurable-http-proxy';
export const PROXY_KINDS: ProxyKind[] = ['ours', 'chp'];
export const CHP_AVAILABLE = existsSync(CHP_BIN);

export interface ProxyUnderTest {
  kind: ProxyKind;
  publicUrl: string;
  apiUrl: string;
  token: string;
  proc: ProxyProcess;
  output: string[];
  /** A call to the REST API; `token: null` sends no Authorization header. */
  api: (method: string, path: string, opts?: { body?: string; token?: string | null }) => Promise<HttpResult>;
  stop: () => Promise<void>;
}

export interface ProxyTestOptions {
  token?: string;
  defaultTarget?: string;
  errorTarget?: string;
  hostRouting?: boolean;
  extraArgs?: string[];
  sslKey?: string;
  sslCert?: string;
  /** A port chosen by the test (e.g. before a client starts calling it); default: a free one. */
  apiPort?: number;
}

/** The test runner's environment minus anything that would leak into the proxy's configuration. */
export function proxyTestEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.CONFIGPROXY_AUTH_TOKEN;
  delete env.NODE_OPTIONS;
  return env;
}

export async function startProxyUnderTest(kind: ProxyKind, opts: ProxyTestOptions = {}): Promise<ProxyUnderTest> {
  const token = opts.token ?? 'secret-test-token';
  const [port, apiPort] = [await freePort(), opts.apiPort ?? (await freePort())];
  const output: string[] = [];
  const proc = new ProxyProcess({
    command: kind === 'chp' ? [CHP_BIN] : undefined,
    env: proxyTestEnv(),
    ip: '127.0.0.1',
    port,
    apiIp: '127.0.0.1',
    apiPort,
    authToken: token,
    defaultTarget: opts.defaultTarget,
    errorTarget: opts.errorTarget,
    hostRouting: opts.hostRouting,
    sslKey: opts.sslKey,
    sslCert: opts.sslCert,
    extraArgs: opts.extraArgs,
    logLevel: 'debug',
    output: (line) => output.push(line),
    startTimeoutMs: 20_000,
  });
  await proc.start();
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const api = (method: string, path: string, o: { body?: string; token?: string | null } = {}): Promise<HttpResult> => {
    const sent = o.token === undefined ? token : o.token;
    const headers: Record<string, string> = sent === null ? {} : { Authorization: `token ${sent}` };
    return httpRequest(`${apiUrl}${path}`, { method, headers, body: o.body });
  };
  const scheme = opts.sslKey ? 'https' : 'http';
  return { kind, publicUrl: `${scheme}://127.0.0.1:${port}`, apiUrl, token, proc, output, api, stop: () => proc.stop() };
}

/** The route's last_activity as milliseconds, read through the API. */
export async function lastActivity(proxy: ProxyUnderTest, prefix: string): Promise<number> {
  const res = await proxy.api('GET', `/api/routes${prefix}`);
  if (res.status !== 200) throw new Error(`GET route ${prefix}: ${res.status}`);
  const route = res.json() as { last_activity?: unknown };
  if (typeof route.last_activity !== 'string') throw new Error(`route ${prefix} has no last_activity`);
  return Date.parse(route.last_activity);
}
