/**
 * REST API speed, hub against the real JupyterHub 3.0 (Debian's, when installed), measured in one run on the same
 * machine with the same data: USERS users in each database, the same admin service token, the same bounded load
 * (CONCURRENCY keep-alive connections on our own http.Agent, a fixed number of requests), loopback only.
 *   1. token-authenticated GET /hub/api/users/{name}: req/s, p50, p99
 *   2. GET /hub/api/users?limit=200: req/s, p50, p99
 *   3. creating 1,000 users with POST /hub/api/users in batches of 100: seconds
 * Each hub runs as its own process (hub via bin/run.js, JupyterHub via /usr/bin/jupyterhub), so neither shares the
 * load generator's event loop.
 * Usage (after the build): node dist/bench/api-bench.js [users=10000] [hub reads=20000] [JupyterHub reads=2000]
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { startDaemon, tempDir } from '../test/helpers/cli.js';
import { freeLoopbackPort, jupyterhubInstalled, startJupyterHub } from '../test/helpers/jupyterhub-server.js';
import { bulkCreate, load, postJson, type LoadResult } from './api-load.js';

const USERS = Number(process.argv[2] ?? 10_000);
const HUB_READS = Number(process.argv[3] ?? 20_000);
const JH_READS = Number(process.argv[4] ?? 2_000);
const CONCURRENCY = 20;
const TOKEN = 'api-bench-admin-service-token-0123456789';

interface Target {
  name: string;
  apiUrl: string;
  stop: () => Promise<void>;
}

interface Figures {
  one: LoadResult;
  list: LoadResult;
  /** The same list while activity is posted every 10 ms: every request sees a changed database. */
  busyList: LoadResult;
  createSeconds: number;
}

/** Posts user activity every `ms` until stopped: a hub whose database changes all the time. */
function activityWriter(apiUrl: string, ms: number): () => Promise<void> {
  let running = true;
  const loop = (async () => {
    for (let i = 0; running; i++) {
      const stamp = new Date(Date.now() - 1000 + i).toISOString();
      await postJson(`${apiUrl}/users/u${(i * 31) % USERS}/activity`, TOKEN, { last_activity: stamp });
      await new Promise((r) => setTimeout(r, ms));
    }
  })();
  return async () => {
    running = false;
    await loop;
  };
}

async function startHub(): Promise<Target> {
  const dir = await tempDir('hub-bench-');
  const [hubPort, port, proxyApi] = [await freeLoopbackPort(), await freeLoopbackPort(), await freeLoopbackPort()];
  const daemon = await startDaemon(['--db', 'sqlite:///hub.sqlite', '--set', `JupyterHub.hub_port=${hubPort}`, '--set', `JupyterHub.port=${port}`,
    '--set', `ConfigurableHTTPProxy.api_url=http://127.0.0.1:${proxyApi}`, '--set', `JupyterHub.services=[{"name":"bench","api_token":"${TOKEN}","admin":true}]`], { cwd: dir });
  const target = { name: 'hub', apiUrl: `http://127.0.0.1:${hubPort}/hub/api`, stop: async () => void (await daemon.stop()) };
  // hub's own bulk create is fast enough to fill its database through the API it is about to be measured on.
  for (let i = 0; i < USERS; i += 1000) {
    await bulkCreate(target.apiUrl, TOKEN, Array.from({ length: Math.min(1000, USERS - i) }, (_, j) => `u${i + j}`));
  }
  return target;
}

const FILL_JUPYTERHUB = `
import sys, uuid
from datetime import datetime
from jupyterhub import orm
db = orm.new_session_factory(sys.argv[1])()
now = datetime.utcnow()
rows = [{'name': 'u%d' % i, 'admin': False, 'created': now, 'cookie_id': uuid.uuid4().hex} for i in range(int(sys.argv[2]))]
db.execute(orm.User.__table__.insert(), rows)
db.commit()
`;

/** JupyterHub's database is filled with its own ORM before it starts (its API would take minutes for 10,000). */
async function startJupyterHubWithUsers(): Promise<Target> {
  const jh = await startJupyterHub({
    serviceToken: TOKEN,
    timeoutMs: 300_000,
    prepare: async (dir) => {
      await promisify(execFile)('/usr/bin/python3', ['-c', FILL_JUPYTERHUB, `sqlite:///${path.join(dir, 'jupyterhub.sqlite')}`, String(USERS)]);
    },
  });
  return { name: 'JupyterHub 3.0', apiUrl: jh.apiUrl, stop: jh.stop };
}

async function measure(t: Target, reads: number): Promise<Figures> {
  const auth = { authorization: `token ${TOKEN}` };
  const oneUser = (i: number): string => `${t.apiUrl}/users/u${(i * 7919) % USERS}`;
  await load(oneUser, Math.min(500, reads), CONCURRENCY, auth); // warm-up, discarded
  const one = await load(oneUser, reads, CONCURRENCY, auth);
  const listUrl = (): string => `${t.apiUrl}/users?limit=200`;
  await load(listUrl, Math.min(50, reads / 10), CONCURRENCY, auth);
  const list = await load(listUrl, Math.max(20, Math.floor(reads / 10)), CONCURRENCY, auth);
  const stopWriter = activityWriter(t.apiUrl, 10);
  const busyList = await load(listUrl, Math.max(20, Math.floor(reads / 10)), CONCURRENCY, auth);
  await stopWriter();
  const t0 = process.hrtime.bigint();
  for (let b = 0; b < 10; b++) await bulkCreate(t.apiUrl, TOKEN, Array.from({ length: 100 }, (_, j) => `new${b * 100 + j}`));
  const createSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { one, list, busyList, createSeconds };
}

function line(label: string, ours: LoadResult, theirs: LoadResult | undefined): string {
  const r = (x: LoadResult): string => `${x.rps.toFixed(0).padStart(6)} req/s  p50 ${x.p50.toFixed(2).padStart(7)} ms  p99 ${x.p99.toFixed(2).padStart(7)} ms`;
  if (!theirs) return `${label.padEnd(28)} hub ${r(ours)}`;
  return `${label.padEnd(28)} hub ${r(ours)}\n${''.padEnd(28)} JH  ${r(theirs)}\n${''.padEnd(28)} ratio ${(ours.rps / theirs.rps).toFixed(1)}x throughput (target >= 20x), p99 ${(ours.p99 / theirs.p99).toFixed(3)} of JupyterHub's (target <= 0.1)`;
}

async function main(): Promise<void> {
  console.log(`${USERS} users, ${CONCURRENCY} keep-alive connections, ${HUB_READS} / ${JH_READS} single-user reads (hub / JupyterHub)`);
  const hub = await startHub();
  let ours: Figures;
  try {
    ours = await measure(hub, HUB_READS);
  } finally {
    await hub.stop();
  }
  let theirs: Figures | undefined;
  if (jupyterhubInstalled()) {
    const jh = await startJupyterHubWithUsers();
    try {
      theirs = await measure(jh, JH_READS);
    } finally {
      await jh.stop();
    }
  } else {
    console.log('(no /usr/bin/jupyterhub: hub figures only)');
  }
  console.log(line('GET /users/{name}', ours.one, theirs?.one));
  console.log(line('GET /users?limit=200', ours.list, theirs?.list));
  console.log(line('  with a write every 10 ms', ours.busyList, theirs?.busyList));
  const create = `POST /users 1000 (10 x 100)`.padEnd(28);
  console.log(`${create} hub ${ours.createSeconds.toFixed(2)} s${theirs ? `, JH ${theirs.createSeconds.toFixed(2)} s, ratio ${(theirs.createSeconds / ours.createSeconds).toFixed(1)}x (target >= 10x)` : ''}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : String(err));
  process.exitCode = 1;
});
