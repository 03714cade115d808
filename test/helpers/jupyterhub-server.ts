/**
 * The REAL JupyterHub 3.0 (Debian's /usr/bin/jupyterhub) running on loopback in a temp dir, for differential tests,
 * benchmarks and the migration test: dummy authenticator, an admin service whose token the caller chooses, free
 * ports, its own configurable-http-proxy (found through NODE_PATH=/usr/share/nodejs). Ports and authenticator are
 * written into jupyterhub_config.py (not given as arguments), so a hub started later in the same directory reads
 * the same settings. Its output goes to `jupyterhub.log` in the directory, as a journal would keep it: servers it
 * leaves running (cleanup_servers = False) inherit that file, not a pipe that dies with the test's handle.
 * Ready once GET /hub/api answers 200.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
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
  /** `http://127.0.0.1:<port><base_url>`: the proxy's public side with base_url. */
  publicUrl: string;
  dir: string;
  proc: ChildProcess;
  log: () => string;
  /**
   * SIGTERM to JupyterHub's process group (it and the proxy it started), SIGKILL after 10 s. With `hubOnly`,
   * to JupyterHub alone, as `systemctl stop` with KillMode=mixed or a Ctrl-C would: what outlives it is up to
   * cleanup_servers / cleanup_proxy.
   */
  stop: (o?: { hubOnly?: boolean }) => Promise<void>;
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

/**
 * JupyterHub starts its proxy in a session of its own, so with cleanup_proxy = False it outlives the process group;
 * the proxy recorded in the pid file (JupyterHub's, or a hub's that took over the directory) is ended here.
 */
async function stopLeftProxy(pidFile: string): Promise<void> {
  const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : 0;
  const cmdline = (): string => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      return '';
    }
  };
  if (!(pid > 1) || !/configurable-http-proxy|proxy-main/.test(cmdline())) return;
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 50 && cmdline() !== ''; i++) await new Promise((r) => setTimeout(r, 100));
  if (cmdline() !== '') process.kill(pid, 'SIGKILL');
}

export async function startJupyterHub(opts: JupyterHubOptions): Promise<RunningJupyterHub> {
  const dir = opts.dir ?? (await tempDir('jupyterhub-'));
  const [port, hubPort, proxyApiPort] = [await freeLoopbackPort(), await freeLoopbackPort(), await freeLoopbackPort()];
  const config = [
    `c.JupyterHub.services = [{'name': 'admin-svc', 'api_token': ${JSON.stringify(opts.serviceToken)}, 'admin': True}]`,
    "c.JupyterHub.authenticator_class = 'dummy'",
    `c.JupyterHub.ip = '127.0.0.1'`,
    `c.JupyterHub.port = ${port}`,
    `c.JupyterHub.hub_ip = '127.0.0.1'`,
    `c.JupyterHub.hub_port = ${hubPort}`,
    `c.ConfigurableHTTPProxy.api_url = 'http://127.0.0.1:${proxyApiPort}'`,
    ...(opts.baseUrl ? [`c.JupyterHub.base_url = '${opts.baseUrl}'`] : []),
    ...(opts.extraConfig ?? []),
  ];
  await writeFile(path.join(dir, 'jupyterhub_config.py'), config.join('\n') + '\n');
  await opts.prepare?.(dir);
  const logFile = path.join(dir, 'jupyterhub.log');
  const fd = openSync(logFile, 'a');
  // Own process group: stop() ends JupyterHub and the proxy it started, and nothing else.
  const proc = spawn(JUPYTERHUB_BIN, [], { cwd: dir, detached: true, stdio: ['ignore', fd, fd], env: { ...process.env, NODE_PATH: '/usr/share/nodejs' } });
  closeSync(fd);
  const output = (): string => readFileSync(logFile, 'utf8');
  const exited = new Promise<void>((resolve) => proc.on('exit', () => resolve()));
  const stop = async (o: { hubOnly?: boolean } = {}): Promise<void> => {
    if (proc.exitCode === null && proc.signalCode === null && proc.pid !== undefined) {
      const target = o.hubOnly ? proc.pid : -proc.pid;
      process.kill(target, 'SIGTERM');
      const timer = setTimeout(() => process.kill(target, 'SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    if (!o.hubOnly) await stopLeftProxy(path.join(dir, 'jupyterhub-proxy.pid'));
  };
  const apiUrl = `http://127.0.0.1:${hubPort}${opts.baseUrl ?? '/'}hub/api`;
  try {
    await waitReady(apiUrl, proc, opts.timeoutMs ?? 60_000, output);
    // The proxy's route to the hub is added after the hub listens: browsers need that one too.
    await waitReady(`http://127.0.0.1:${port}${opts.baseUrl ?? '/'}hub/api`, proc, opts.timeoutMs ?? 60_000, output);
  } catch (err) {
    await stop();
    throw err;
  }
  return { apiUrl, publicOrigin: `http://127.0.0.1:${port}`, publicUrl: `http://127.0.0.1:${port}${opts.baseUrl ?? '/'}`, dir, proc, log: output, stop };
}
