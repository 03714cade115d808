import http from 'node:http';
import path from 'node:path';
import { loadConfig } from '../../src/lib/config/index.js';
import { createLogger, logSinks, type Logger } from '../../src/lib/log.js';
import { Hub } from '../../src/daemon/hub.js';
import type { DaemonStatus } from '../../src/daemon/api/routes/ext.js';
import { tempDir } from './cli.js';

/** A real hub in this process: port 0, a temp dir, closed by stop(). */
export interface TestHub {
  hub: Hub;
  dir: string;
  status: DaemonStatus;
  logs: string[];
  stop: () => Promise<void>;
}

export async function startTestHub(opts: { overrides?: string[]; dir?: string; env?: NodeJS.ProcessEnv; withProxy?: boolean } = {}): Promise<TestHub> {
  const dir = opts.dir ?? (await tempDir());
  const env = opts.env ?? {};
  const overrides = ['JupyterHub.hub_ip=127.0.0.1', 'JupyterHub.hub_port=0', 'JupyterHub.ip=127.0.0.1', 'JupyterHub.port=0', 'ConfigurableHTTPProxy.api_url=http://127.0.0.1:0', 'JupyterHub.db_url=sqlite:///hub.sqlite', ...(opts.overrides ?? [])];
  const loaded = await loadConfig({ cwd: dir, env, overrides });
  const logs: string[] = [];
  const handlers = logSinks(loaded.config.JupyterHub.extra_log_handlers);
  const log: Logger = createLogger({ level: 10, format: '%(levelname)s %(message)s', datefmt: '', write: (l) => logs.push(l), handlers });
  for (const w of loaded.warnings) log.warn(w);
  for (const n of loaded.notices) log.info(n);
  const hub = new Hub({ withProxy: opts.withProxy ?? false, loaded, cwd: dir, socketPath: path.join(dir, '.hub', 'hub.sock'), answerYes: false, env, log });
  const status = await hub.start();
  return { hub, dir, status, logs, stop: () => hub.stop() };
}

export interface SimpleResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

export interface RequestSpec {
  url?: string;
  socketPath?: string;
  path?: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

/** One HTTP request, over TCP (`url`) or the control socket (`socketPath` + `path`). */
export async function request(spec: RequestSpec): Promise<SimpleResponse> {
  const base = spec.url ? new URL(spec.url) : null;
  const where = base ? { host: base.hostname, port: base.port, path: base.pathname + base.search } : { socketPath: spec.socketPath, path: spec.path };
  return new Promise((resolve, reject) => {
    const req = http.request({ ...where, method: spec.method ?? 'GET', headers: spec.headers }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => {
        let body: unknown = text;
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          /* not JSON: keep the text */
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      });
    });
    req.on('error', reject);
    if (spec.body !== undefined) req.write(spec.body);
    req.end();
  });
}
