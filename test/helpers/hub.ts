import http from 'node:http';
import path from 'node:path';
import { loadConfig } from '../../src/lib/config/index.js';
import { createLogger, type Logger } from '../../src/lib/log.js';
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

export async function startTestHub(opts: { overrides?: string[]; dir?: string; env?: NodeJS.ProcessEnv } = {}): Promise<TestHub> {
  const dir = opts.dir ?? (await tempDir());
  const env = opts.env ?? {};
  const overrides = ['JupyterHub.hub_ip=127.0.0.1', 'JupyterHub.hub_port=0', 'JupyterHub.db_url=sqlite:///hub.sqlite', ...(opts.overrides ?? [])];
  const loaded = await loadConfig({ cwd: dir, env, overrides });
  const logs: string[] = [];
  const log: Logger = createLogger({ level: 10, format: '%(levelname)s %(message)s', datefmt: '', write: (l) => logs.push(l) });
  const hub = new Hub({ loaded, cwd: dir, socketPath: path.join(dir, '.hub', 'hub.sock'), answerYes: false, env, log });
  const status = await hub.start();
  return { hub, dir, status, logs, stop: () => hub.stop() };
}

export interface SimpleResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

/** One HTTP request over TCP (url) or the control socket (socketPath + path). */
export async function request(
  target: { url: string } | { socketPath: string; path: string },
  opts: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<SimpleResponse> {
  return new Promise((resolve, reject) => {
    const base = 'url' in target ? new URL(target.url) : null;
    const req = http.request(
      base
        ? { host: base.hostname, port: base.port, path: base.pathname + base.search, method: opts.method ?? 'GET', headers: opts.headers }
        : { socketPath: (target as { socketPath: string }).socketPath, path: (target as { path: string }).path, method: opts.method ?? 'GET', headers: opts.headers },
      (res) => {
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
      },
    );
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}
