/**
 * The REAL JupyterHub 3.0 (Debian's /usr/bin/jupyterhub) running on loopback in a temp dir, for differential tests
 * and benchmarks: dummy authenticator, an admin service whose token the caller chooses, free ports, its own
 * configurable-http-proxy (found through NODE_PATH=/usr/share/nodejs). Ready once GET /hub/api answers 200.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { tempDir } from './cli.js';

export const JUPYTERHUB_BIN = '/usr/bin/jupyterhub';

export function jupyterhubInstalled(): boolean {
  return existsSync(JUPYTERHUB_BIN);
}

export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export interface RunningJupyterHub {
  /** `http://127.0.0.1:<hub_port><base_url>hub/api` */
  apiUrl: string;
  /** The proxy's public side, `http://127.0.0.1:<port>`, without base_url: what a browser talks to. */
  publicOrigin: string;
  dir: string;
  proc: ChildProcess;
  log: () => string;
  stop: () => Promise<void>;
}

export interface JupyterHubOptions {
  serviceToken: string;
  /** More lines for jupyterhub_config.py. */
  extraConfig?: string[];
  /** Runs in the temp dir before JupyterHub starts (e.g. to fill its database). */
  prepare?: (dir: string) => Promise<void>;
  dir?: string;
  timeoutMs?: number;
  /** JupyterHub.base_url, with both slashes (default `/`). */
  baseUrl?: string;
}

function status(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.setTimeout(2000, () => req.destroy());
  });
}

async function waitReady(url: string, proc: ChildProcess, timeoutMs: number, log: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  // Polling the API is the readiness signal JupyterHub gives; each poll is bounded, and so is the loop.
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`jupyterhub exited with ${proc.exitCode}:\n${log()}`);
    if ((await status(url)) === 200) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`jupyterhub not ready after ${timeoutMs} ms:\n${log()}`);
}

export async function startJupyterHub(opts: JupyterHubOptions): Promise<RunningJupyterHub> {
  const dir = opts.dir ?? (await tempDir('jupyterhub-'));
  const [port, hubPort, proxyApiPort] = [await freeLoopbackPort(), await freeLoopbackPort(), await freeLoopbackPort()];
  const config = [
    `c.JupyterHub.services = [{'name': 'admin-svc', 'api_token': ${JSON.stringify(opts.serviceToken)}, 'admin': True}]`,
    "c.JupyterHub.authenticator_class = 'dummy'",
    ...(opts.extraConfig ?? []),
  ];
  await writeFile(path.join(dir, 'jupyterhub_config.py'), config.join('\n') + '\n');
  await opts.prepare?.(dir);
  const args = ['--ip', '127.0.0.1', '--port', String(port), `--JupyterHub.hub_port=${hubPort}`,
    `--ConfigurableHTTPProxy.api_url=http://127.0.0.1:${proxyApiPort}`, '--JupyterHub.authenticator_class=dummy',
    ...(opts.baseUrl ? [`--JupyterHub.base_url=${opts.baseUrl}`] : [])];
  // Own process group: stop() ends JupyterHub and the proxy it started, and nothing else.
  const proc = spawn(JUPYTERHUB_BIN, args, { cwd: dir, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_PATH: '/usr/share/nodejs' } });
  let output = '';
  proc.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => proc.on('close', () => resolve()));
  const stop = async (): Promise<void> => {
    if (proc.exitCode === null && proc.pid !== undefined) {
      process.kill(-proc.pid, 'SIGTERM');
      const timer = setTimeout(() => proc.pid !== undefined && process.kill(-proc.pid, 'SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
  };
  const apiUrl = `http://127.0.0.1:${hubPort}${opts.baseUrl ?? '/'}hub/api`;
  try {
    await waitReady(apiUrl, proc, opts.timeoutMs ?? 60_000, () => output);
    // The proxy's route to the hub is added after the hub listens: browsers need that one too.
    await waitReady(`http://127.0.0.1:${port}${opts.baseUrl ?? '/'}hub/api`, proc, opts.timeoutMs ?? 60_000, () => output);
  } catch (err) {
    await stop();
    throw err;
  }
  return { apiUrl, publicOrigin: `http://127.0.0.1:${port}`, dir, proc, log: () => output, stop };
}
