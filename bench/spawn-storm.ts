/**
 * Spawn storm: N users request a server at once (a minimal stand-in server honouring the contract), on hub and
 * on the real JupyterHub 3.0 in the same run; spawns per second and the ratio. Then, with
 * concurrent_spawn_limit 100 on hub, the excess must get 429s and, after stopping everything, nothing may leak
 * (processes, routes, tokens, OAuth clients). Loopback only; every loop is bounded.
 * Usage (after the build): node dist/bench/spawn-storm.js [users=1000] [--no-jupyterhub]
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { buildStandin } from './standin/standin.js';
import { hubCpu } from './proc-cpu.js';
import { startHubUnderTest, type HubUnderTest } from './hub-under-test.js';
import { openDatabase } from '../src/daemon/db/connection.js';
import { parseDbUrl } from '../src/daemon/db/db-url.js';
import { silentLogger } from '../src/lib/log.js';

const USERS = Number(process.argv[2] ?? 1000);
const WITH_JH = !process.argv.includes('--no-jupyterhub') && existsSync('/usr/bin/jupyterhub');
const agent = new http.Agent({ keepAlive: true, maxSockets: 2000 });

async function call(h: HubUnderTest, method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const url = new URL(`${h.api}${path}`);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent, headers: { authorization: `token ${h.token}`, 'content-type': 'application/json', accept: 'application/jupyterhub-pagination+json' }, timeout: 900_000 }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: text ? (JSON.parse(text) as unknown) : null }));
    });
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

function names(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `storm${String(i).padStart(5, '0')}`);
}

async function createUsers(h: HubUnderTest, all: string[]): Promise<void> {
  for (let i = 0; i < all.length; i += 100) {
    const r = await call(h, 'POST', '/users', { usernames: all.slice(i, i + 100) });
    if (r.status !== 201) throw new Error(`${h.kind}: creating users answered ${r.status} ${JSON.stringify(r.json)}`);
  }
}

async function readyCount(h: HubUnderTest): Promise<number> {
  const r = await call(h, 'GET', '/users?state=ready&limit=1');
  const p = (r.json as { _pagination?: { total?: number } } | null)?._pagination;
  return p?.total ?? 0;
}

interface StormResult { seconds: number; statuses: Record<number, number>; ready: number }

async function storm(h: HubUnderTest, all: string[], deadlineS = 900): Promise<StormResult> {
  const t0 = Date.now();
  const statuses: Record<number, number> = {};
  // A connection the hub resets counts as status 0 (JupyterHub 3.0 sometimes does so under 1,000 concurrent POSTs).
  const count = (status: number): number => (statuses[status] = (statuses[status] ?? 0) + 1);
  const posts = all.map((n) => call(h, 'POST', `/users/${n}/server`).then((r) => count(r.status), () => count(0)));
  const expected = async (): Promise<number> => (statuses[201] ?? 0) + (statuses[202] ?? 0);
  await Promise.race([Promise.all(posts), new Promise((r) => setTimeout(r, 2000))]);
  let ready = 0;
  while (Date.now() - t0 < deadlineS * 1000) {
    ready = await readyCount(h).catch(() => ready);
    const settled = Object.values(statuses).reduce((a, b) => a + b, 0) === all.length;
    if (settled && ready >= (await expected())) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  await Promise.all(posts);
  return { seconds: (Date.now() - t0) / 1000, statuses, ready };
}

/** A run with errors says why: the hub's own log lines about failed spawns. */
function explainErrors(h: HubUnderTest, r: StormResult): void {
  const errors = Object.entries(r.statuses).filter(([status]) => Number(status) >= 500);
  if (errors.length === 0) return;
  const lines = h.log().split('\n').filter((l) => /spawn failed|error|exited/i.test(l)).slice(-10);
  console.log(`${h.kind}: ${JSON.stringify(Object.fromEntries(errors))} failed; the hub's log says:\n  ${lines.join('\n  ')}`);
}

async function stopAll(h: HubUnderTest, all: string[]): Promise<void> {
  for (let i = 0; i < all.length; i += 100) await Promise.all(all.slice(i, i + 100).map((n) => call(h, 'DELETE', `/users/${n}/server`)));
  const deadline = Date.now() + 300_000;
  while (Date.now() < deadline) {
    const r = await call(h, 'GET', '/users?state=active&limit=1');
    if (((r.json as { _pagination?: { total?: number } })._pagination?.total ?? 1) === 0) return;
    await new Promise((res) => setTimeout(res, 250));
  }
}

function countProcesses(bin: string): number {
  try {
    return Number(execFileSync('pgrep', ['-c', '-f', bin], { encoding: 'utf8' }).trim());
  } catch {
    return 0;
  }
}

/** What a stopped storm may leave: stand-in processes, user routes, server tokens, OAuth clients (read from the DB file). */
async function leaks(h: HubUnderTest, bin: string): Promise<Record<string, number>> {
  const routes = await call(h, 'GET', '/proxy');
  const userRoutes = Object.keys((routes.json as Record<string, unknown> | null) ?? {}).filter((k) => k.includes('/user/')).length;
  const db = await openDatabase(parseDbUrl('sqlite:///jupyterhub.sqlite', h.dir), { log: silentLogger });
  try {
    const tokens = await db('api_tokens').where('note', 'like', 'Server at %').count({ n: '*' }).first();
    const clients = await db('oauth_clients').where('identifier', 'like', 'jupyterhub-user-%').count({ n: '*' }).first();
    return { processes: countProcesses(bin), routes: userRoutes, server_tokens: Number(tokens?.n ?? -1), oauth_clients: Number(clients?.n ?? -1) };
  } finally {
    await db.destroy();
  }
}

async function main(): Promise<void> {
  // A private copy, so counting its processes counts only this run's (tests may run stand-ins too).
  const standin = path.join(mkdtempSync(path.join(os.tmpdir(), 'storm-')), 'standin');
  copyFileSync(await buildStandin(), standin);
  chmodSync(standin, 0o755);
  const all = names(USERS);
  const results: Record<string, StormResult> = {};
  const cpuTotal: Record<string, number> = {};
  for (const kind of WITH_JH ? (['hub', 'jupyterhub'] as const) : (['hub'] as const)) {
    const h = await startHubUnderTest(kind, { standin, concurrentSpawnLimit: 0 });
    try {
      await createUsers(h, all);
      const cpu0 = { ...hubCpu(h.proc.pid, 'standin'), client: process.cpuUsage() };
      results[kind] = await storm(h, all);
      const cpu1 = hubCpu(h.proc.pid, 'standin');
      const client = process.cpuUsage(cpu0.client);
      const perSpawn = (s: number): string => `${((s * 1000) / USERS).toFixed(2)} ms`;
      cpuTotal[kind] = cpu1.hub - cpu0.hub + cpu1.helpers - cpu0.helpers;
      console.log(`${kind}: ${USERS} spawns in ${results[kind].seconds.toFixed(1)} s = ${(USERS / results[kind].seconds).toFixed(1)}/s, ready ${results[kind].ready}, statuses ${JSON.stringify(results[kind].statuses)}`);
      explainErrors(h, results[kind]);
      // CPU per spawn, which the machine's other load disturbs far less than wall time.
      console.log(`${kind}: CPU per spawn: hub ${perSpawn(cpu1.hub - cpu0.hub)}, ${kind === 'hub' ? 'proxy + launchers' : 'configurable-http-proxy'} ${perSpawn(cpu1.helpers - cpu0.helpers)}, bench client ${perSpawn((client.user + client.system) / 1e6)}`);
      await stopAll(h, all);
    } finally {
      await h.stop();
    }
  }
  const hub = results.hub;
  const jh = results.jupyterhub;
  if (hub && jh) console.log(`ratio hub/jupyterhub spawns per second: ${(jh.seconds / hub.seconds).toFixed(1)}x (target >= 15x)`);
  const [cpuHub, cpuJh] = [cpuTotal.hub, cpuTotal.jupyterhub];
  if (cpuHub && cpuJh) console.log(`ratio of CPU per spawn (hub process + its proxy/launchers) jupyterhub/hub: ${(cpuJh / cpuHub).toFixed(1)}x`);

  const limited = await startHubUnderTest('hub', { standin, concurrentSpawnLimit: 100 });
  try {
    await createUsers(limited, all);
    const r = await storm(limited, all);
    console.log(`hub with concurrent_spawn_limit 100: statuses ${JSON.stringify(r.statuses)}, ready ${r.ready}`);
    explainErrors(limited, r);
    await stopAll(limited, all);
    console.log(`after stopping all: ${JSON.stringify(await leaks(limited, standin))} (expect zeros)`);
  } finally {
    await limited.stop();
  }
  agent.destroy();
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
