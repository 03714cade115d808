/**
 * Hub start with USERS users and RUNNING running stand-in servers in the database: time until the hub answers
 * and has re-adopted every server, for hub and for the real JupyterHub 3.0, in one run on the same data. The
 * database is made by JupyterHub's own ORM (so JupyterHub accepts it) and hub adopts a copy (`hub upgrade-db`).
 * Usage (after the build): node dist/bench/startup-readopt.js [users=10000] [running=1000]
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildStandin } from './standin/standin.js';
import { freePort } from '../src/daemon/spawner/free-port.js';

const USERS = Number(process.argv[2] ?? 10_000);
const RUNNING = Number(process.argv[3] ?? 1_000);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const TOKEN = 'c'.repeat(40);

const MAKE_DB = `
import json, sys
from jupyterhub import orm
db = orm.new_session_factory(sys.argv[1])()
db.add(orm.OAuthClient(identifier='jupyterhub', secret='', redirect_uri='', description='JupyterHub'))
servers = json.loads(sys.argv[2])
users = [orm.User(name='u%05d' % i) for i in range(int(sys.argv[3]))]
db.add_all(users)
db.commit()
for (name, port, pid) in servers:
    u = db.query(orm.User).filter_by(name=name).one()
    server = orm.Server(proto='http', ip='127.0.0.1', port=port, base_url='/user/%s/' % name)
    db.add(server)
    sp = orm.Spawner(user=u, name='', server=server, state={'pid': pid})
    db.add(sp)
db.commit()
`;

interface Standin { name: string; port: number; pid: number; proc: ChildProcess }

async function startStandins(bin: string): Promise<Standin[]> {
  const out: Standin[] = [];
  for (let i = 0; i < RUNNING; i++) {
    const name = `u${String(i).padStart(5, '0')}`;
    const port = await freePort();
    const proc = spawn(bin, [], { env: { JUPYTERHUB_SERVICE_URL: `http://127.0.0.1:${port}/user/${name}/` }, stdio: 'ignore', detached: true });
    proc.unref();
    out.push({ name, port, pid: proc.pid ?? -1, proc });
  }
  return out;
}

async function until(check: () => Promise<boolean>, limitMs: number): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('timed out');
}

async function readyTotal(api: string): Promise<number> {
  const r = await fetch(`${api}/users?state=ready&limit=1`, { headers: { authorization: `token ${TOKEN}`, accept: 'application/jupyterhub-pagination+json' } });
  if (!r.ok) return -1;
  return ((await r.json()) as { _pagination?: { total?: number } })._pagination?.total ?? -1;
}

async function timeStart(kind: 'hub' | 'jupyterhub', dir: string, standin: string): Promise<number> {
  const [port, hubPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  const api = `http://127.0.0.1:${hubPort}/hub/api`;
  const env = { ...process.env, NODE_PATH: '/usr/share/nodejs', CONFIGPROXY_AUTH_TOKEN: 'p'.repeat(32) };
  let proc: ChildProcess;
  const t0 = Date.now();
  if (kind === 'hub') {
    writeFileSync(path.join(dir, 'hub.yml'), [
      'JupyterHub:', '  ip: 127.0.0.1', `  port: ${port}`, '  hub_ip: 127.0.0.1', `  hub_port: ${hubPort}`, '  authenticator_class: dummy',
      '  spawner_class: simple', `  services: [{name: bench, admin: true, api_token: ${TOKEN}}]`, '  log_level: WARN', '  cleanup_servers: false',
      'ConfigurableHTTPProxy:', `  api_url: http://127.0.0.1:${apiPort}`, 'Spawner:', `  cmd: [${standin}]`,
    ].join('\n') + '\n');
    // The hub's log goes to a file in its directory, shown if it never gets ready.
    const log = openSync(path.join(dir, 'hub.log'), 'a');
    proc = spawn(process.execPath, [path.join(ROOT, 'bin', 'run.js'), 'start'], { cwd: dir, env, stdio: ['ignore', log, log] });
    closeSync(log);
  } else {
    writeFileSync(path.join(dir, 'jupyterhub_config.py'), [
      `c.JupyterHub.ip = '127.0.0.1'`, `c.JupyterHub.port = ${port}`, `c.JupyterHub.hub_ip = '127.0.0.1'`, `c.JupyterHub.hub_port = ${hubPort}`,
      `c.ConfigurableHTTPProxy.api_url = 'http://127.0.0.1:${apiPort}'`, `c.JupyterHub.authenticator_class = 'dummy'`, `c.JupyterHub.spawner_class = 'simple'`,
      `c.Spawner.cmd = ['${standin}']`, `c.JupyterHub.services = [{'name': 'bench', 'admin': True, 'api_token': '${TOKEN}'}]`,
      `c.JupyterHub.log_level = 'WARN'`, `c.JupyterHub.cleanup_servers = False`, `c.JupyterHub.init_spawners_timeout = 600`,
    ].join('\n') + '\n');
    const log = openSync(path.join(dir, 'jupyterhub.log'), 'a');
    proc = spawn('/usr/bin/jupyterhub', ['-f', 'jupyterhub_config.py'], { cwd: dir, env, stdio: ['ignore', log, log] });
    closeSync(log);
  }
  try {
    await until(async () => (await readyTotal(api)) >= RUNNING, 600_000);
    return (Date.now() - t0) / 1000;
  } catch (err) {
    const log = path.join(dir, kind === 'hub' ? 'hub.log' : 'jupyterhub.log');
    if (existsSync(log)) console.error(`${kind} never got ready; the end of its log:\n${readFileSync(log, 'utf8').split('\n').slice(-40).join('\n')}`);
    throw err;
  } finally {
    proc.kill('SIGTERM');
    await new Promise((r) => proc.once('exit', r));
    // JupyterHub 3.0 can leave its configurable-http-proxy behind on SIGTERM; the bench cleans up after it.
    try {
      execFileSync('pkill', ['-f', `configurable-http-proxy.*--api-port ${apiPort}`]);
    } catch {
      /* none left */
    }
  }
}

async function main(): Promise<void> {
  const standin = await buildStandin();
  const standins = await startStandins(standin);
  try {
    const jhDir = mkdtempSync(path.join(os.tmpdir(), 'bench-readopt-jh-'));
    const hubDir = mkdtempSync(path.join(os.tmpdir(), 'bench-readopt-hub-'));
    const t0 = Date.now();
    execFileSync('/usr/bin/python3', ['-c', MAKE_DB, `sqlite:///${jhDir}/jupyterhub.sqlite`, JSON.stringify(standins.map((s) => [s.name, s.port, s.pid])), String(USERS)]);
    copyFileSync(path.join(jhDir, 'jupyterhub.sqlite'), path.join(hubDir, 'jupyterhub.sqlite'));
    execFileSync(process.execPath, [path.join(ROOT, 'bin', 'run.js'), 'upgrade-db'], { cwd: hubDir, stdio: 'ignore' });
    console.log(`database: ${USERS} users, ${RUNNING} running servers (made in ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    const hub = await timeStart('hub', hubDir, standin);
    console.log(`hub: answering with all ${RUNNING} servers re-adopted after ${hub.toFixed(2)} s`);
    const alive = standins.filter((s) => { try { process.kill(s.pid, 0); return true; } catch { return false; } }).length;
    console.log(`stand-ins still running after hub's restart: ${alive}/${RUNNING} (nothing respawned)`);
    const jh = await timeStart('jupyterhub', jhDir, standin);
    console.log(`JupyterHub 3.0: answering with all ${RUNNING} servers re-adopted after ${jh.toFixed(2)} s`);
    console.log(`ratio: hub is ready ${(jh / hub).toFixed(1)}x sooner (target >= 10x)`);
  } finally {
    for (const s of standins) { try { process.kill(s.pid, 'SIGKILL'); } catch { /* gone */ } }
  }
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
