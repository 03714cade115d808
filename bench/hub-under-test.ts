import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../src/daemon/spawner/free-port.js';

/**
 * Starts hub (bin/run.js) or the real JupyterHub 3.0 (Debian) with the same settings, both reachable the same
 * way: the hub API on 127.0.0.1 with an admin service token, so one client drives either in a benchmark.
 */
export interface HubUnderTest {
  kind: 'hub' | 'jupyterhub';
  api: string;
  token: string;
  dir: string;
  proc: ChildProcess;
  /** The last ~20 kB the hub wrote to stderr (its log), to show why a request failed. */
  log(): string;
  stop(): Promise<void>;
}

export interface HubSettings {
  standin: string;
  concurrentSpawnLimit: number;
  extra?: Record<string, string | number>;
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const TOKEN = 'b'.repeat(40);

async function waitForApi(api: string, proc: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`exited before its API answered:\n${log()}`);
    const ok = await fetch(`${api}/`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`API at ${api} did not answer:\n${log()}`);
}

export async function startHubUnderTest(kind: 'hub' | 'jupyterhub', s: HubSettings): Promise<HubUnderTest> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `bench-${kind}-`));
  const [port, hubPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  const api = `http://127.0.0.1:${hubPort}/hub/api`;
  let proc: ChildProcess;
  const env = { ...process.env, NODE_PATH: '/usr/share/nodejs', CONFIGPROXY_AUTH_TOKEN: 'p'.repeat(32) };
  if (kind === 'hub') {
    const yml = [
      'JupyterHub:', `  ip: 127.0.0.1`, `  port: ${port}`, `  hub_ip: 127.0.0.1`, `  hub_port: ${hubPort}`,
      '  authenticator_class: dummy', '  spawner_class: simple', `  concurrent_spawn_limit: ${s.concurrentSpawnLimit}`,
      '  active_server_limit: 0', `  services: [{name: bench, admin: true, api_token: ${TOKEN}}]`, '  log_level: WARN',
      ...Object.entries(s.extra ?? {}).map(([k, v]) => `  ${k}: ${v}`),
      'ConfigurableHTTPProxy:', `  api_url: http://127.0.0.1:${apiPort}`,
      'Spawner:', `  cmd: [${s.standin}]`, '  start_timeout: 600', '  http_timeout: 600',
      'SimpleLocalProcessSpawner:', `  home_dir_template: ${dir}/home/{username}`,
    ].join('\n');
    writeFileSync(path.join(dir, 'hub.yml'), yml + '\n');
    // BENCH_CPU_PROF=<dir>: the hub daemon writes a V8 CPU profile there when it exits (Node refuses it in NODE_OPTIONS).
    const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
    proc = spawn(process.execPath, [...prof, path.join(ROOT, 'bin', 'run.js'), 'start'], { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
  } else {
    const py = [
      `c.JupyterHub.ip = '127.0.0.1'`, `c.JupyterHub.port = ${port}`, `c.JupyterHub.hub_ip = '127.0.0.1'`, `c.JupyterHub.hub_port = ${hubPort}`,
      `c.ConfigurableHTTPProxy.api_url = 'http://127.0.0.1:${apiPort}'`, `c.JupyterHub.authenticator_class = 'dummy'`,
      `c.JupyterHub.spawner_class = 'simple'`, `c.SimpleLocalProcessSpawner.home_dir_template = '${dir}/home/{username}'`,
      `c.Spawner.cmd = ['${s.standin}']`, `c.Spawner.start_timeout = 600`, `c.Spawner.http_timeout = 600`,
      `c.JupyterHub.concurrent_spawn_limit = ${s.concurrentSpawnLimit}`, `c.JupyterHub.active_server_limit = 0`,
      `c.JupyterHub.services = [{'name': 'bench', 'admin': True, 'api_token': '${TOKEN}'}]`, `c.JupyterHub.log_level = 'WARN'`,
      ...Object.entries(s.extra ?? {}).map(([k, v]) => `c.JupyterHub.${k} = ${typeof v === 'number' ? v : `'${v}'`}`),
    ].join('\n');
    writeFileSync(path.join(dir, 'jupyterhub_config.py'), py + '\n');
    proc = spawn('/usr/bin/jupyterhub', ['-f', 'jupyterhub_config.py'], { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
  }
  let log = '';
  proc.stderr?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-20_000)));
  await waitForApi(api, proc, () => log);
  return {
    kind, api, token: TOKEN, dir, proc,
    log: () => log,
    stop: async () => {
      if (proc.exitCode !== null) return;
      const gone = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 60_000);
      await gone;
      clearTimeout(t);
      // JupyterHub 3.0 can leave its configurable-http-proxy behind on SIGTERM; the bench cleans up after it.
      try {
        execFileSync('pkill', ['-f', `configurable-http-proxy.*--api-port ${apiPort}`]);
      } catch {
        /* none left */
      }
    },
  };
}
