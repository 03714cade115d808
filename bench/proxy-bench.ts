/**
 * Issue #4's proxy targets, as ratios measured in one run: direct to the backend vs through our proxy vs
 * through configurable-http-proxy 5.3 (npm, installed on demand into a cache) and 4.5 (Debian), each with the
 * same route table and driven by the same load generator (bench/load-worker.ts, its own process).
 * Usage (after the build): node dist/bench/proxy-bench.js [seconds] [connections] [routes] [memory-requests]
 * Prints throughput, added latency (proxied minus direct, p50/p99), websocket echo messages/s, our proxy's RSS
 * across a long run, and PASS / NOT MET per target. The CPU columns show how the 2 cores were split
 * (generator / proxy / backend, 1.00 = one core).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chp53Command } from './chp53.js';
import { httpLoad, wsLoad, type LoadResult, type WsLoadResult } from './load-client.js';
import { cpuShares, rssBytes } from './proc-stats.js';
import { ChpClient } from '../src/daemon/proxy/chp-client.js';
import { ProxyProcess } from '../src/daemon/proxy/proxy-process.js';
import { freePort } from '../test/helpers/proxy-http.js';

const SECONDS = Number(process.argv[2] ?? 3);
const CONNECTIONS = Number(process.argv[3] ?? 10);
const ROUTES = Number(process.argv[4] ?? 100);
const MEMORY_REQUESTS = Number(process.argv[5] ?? 1_000_000);
const CHP45 = '/usr/bin/configurable-http-proxy';
const PATH = '/user/bench/api/status';
const BACKEND = fileURLToPath(new URL('./bench-backend.js', import.meta.url));
const RELAY = fileURLToPath(new URL('./tcp-relay.js', import.meta.url));

interface Target {
  name: string;
  /** http://host:port of what the generator talks to. */
  base: string;
  /** Processes whose CPU counts: [proxy, backend] or [backend]. */
  pids: number[];
}

interface Measured {
  name: string;
  http: LoadResult;
  ws: WsLoadResult;
  shares: number[];
}

/** A helper process that prints its port once listening: the backend, or the TCP relay in front of it. */
async function startHelper(script: string, ...args: string[]): Promise<{ url: string; pid: number; stop: () => void }> {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim())));
  return { url: `http://127.0.0.1:${port}`, pid: child.pid ?? 0, stop: () => child.kill('SIGTERM') };
}

async function measure(target: Target): Promise<Measured> {
  process.stderr.write(`measuring ${target.name}...\n`);
  await httpLoad(target.base + PATH, CONNECTIONS, { seconds: Math.min(SECONDS, 2) }); // warm-up (JIT, pools), discarded
  const { result: http, shares } = await cpuShares(target.pids, () => httpLoad(target.base + PATH, CONNECTIONS, { seconds: SECONDS }));
  const ws = await wsLoad(target.base.replace(/^http/, 'ws') + '/user/bench/api/kernels/ws', CONNECTIONS, SECONDS);
  return { name: target.name, http, ws, shares: [http.cpu, ...shares] };
}

interface MemoryRun {
  first: number;
  max: number;
  last: number;
  requests: number;
}

/**
 * RSS sampled every 250 ms while the generator sends MEMORY_REQUESTS requests, after a warm-up of a fifth as
 * many: V8 grows its heap in steps during the first ~200k requests (one step of ~13 MiB seen around there)
 * and stays flat after, so a first sample taken earlier measures heap sizing, not a leak.
 */
async function memoryRun(base: string, pid: number): Promise<MemoryRun> {
  await httpLoad(base + PATH, CONNECTIONS, { requests: Math.round(MEMORY_REQUESTS / 5) });
  const samples = [rssBytes(pid)];
  const timer = setInterval(() => samples.push(rssBytes(pid)), 250);
  try {
    const r = await httpLoad(base + PATH, CONNECTIONS, { requests: MEMORY_REQUESTS });
    samples.push(rssBytes(pid));
    return { first: samples[0] ?? 0, max: Math.max(...samples), last: samples[samples.length - 1] ?? 0, requests: r.requests };
  } finally {
    clearInterval(timer);
  }
}

/** Starts a proxy (ours when `command` is undefined), fills its table, runs `body`, stops it. */
async function withProxy<T>(command: string[] | undefined, env: NodeJS.ProcessEnv | undefined, backendUrl: string, body: (base: string, pid: number) => Promise<T>): Promise<T> {
  const [port, apiPort] = [await freePort(), await freePort()];
  const proc = new ProxyProcess({ command, env, ip: '127.0.0.1', port, apiIp: '127.0.0.1', apiPort, authToken: 'bench', logLevel: 'error', output: () => undefined });
  await proc.start();
  const client = new ChpClient({ apiUrl: proc.apiUrl, authToken: 'bench' });
  try {
    for (let i = 1; i < ROUTES; i++) await client.addRoute(`/user/u${i}/`, 'http://127.0.0.1:9', { user: `u${i}` });
    await client.addRoute('/user/bench/', backendUrl, { user: 'bench' });
    const state = proc.state;
    if (state.state !== 'running') throw new Error(`proxy is ${state.state}`);
    return await body(`http://127.0.0.1:${port}`, state.pid);
  } finally {
    client.close();
    await proc.stop();
  }
}

const f0 = (n: number): string => n.toFixed(0);
const f2 = (n: number): string => n.toFixed(2);
const verdict = (ok: boolean): string => (ok ? 'PASS' : 'NOT MET');

function printTable(rows: Measured[], direct: Measured): void {
  console.log(`${'variant'.padEnd(24)} ${'req/s'.padStart(7)} ${'xdirect'.padStart(7)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'ws msg/s'.padStart(9)} ${'xdirect'.padStart(7)}   cpu gen/proxy/backend  proxy CPU/req`);
  for (const r of rows) {
    const cols = [f0(r.http.rps).padStart(7), f2(r.http.rps / direct.http.rps).padStart(7), f2(r.http.p50).padStart(7), f2(r.http.p99).padStart(7)];
    cols.push(f0(r.ws.mps).padStart(9), f2(r.ws.mps / direct.ws.mps).padStart(7));
    const shares = r.shares.length === 2 ? [r.shares[0], undefined, r.shares[1]] : r.shares;
    const perRequest = shares[1] === undefined ? '' : `  ${f0((shares[1] / r.http.rps) * 1e6)} us`;
    console.log(`${r.name.padEnd(24)} ${cols.join(' ')}   ${shares.map((s) => (s === undefined ? '  -  ' : f2(s))).join(' / ')}${perRequest}`);
  }
}

/** Ours' added latency must be at most a fifth of CHP 5.3's; an added latency at or below zero is none. */
function latencyVerdict(q: 'p50' | 'p99', ours: Measured, chp: Measured, direct: Measured): string {
  const oursAdded = ours.http[q] - direct.http[q];
  const chpAdded = chp.http[q] - direct.http[q];
  const ratio = chpAdded > 0 ? oursAdded / chpAdded : Infinity;
  return `added latency ${q}: ours ${f2(oursAdded)} ms, CHP 5.3 ${f2(chpAdded)} ms, ratio ${f2(ratio)} (target <= 0.20)  ${verdict(oursAdded <= 0 || ratio <= 0.2)}`;
}

function printTargets(direct: Measured, ours: Measured, chp53: Measured | undefined, chp45: Measured | undefined, mem: MemoryRun): void {
  const vsDirect = ours.http.rps / direct.http.rps;
  console.log(`\nthroughput ours / direct: ${f2(vsDirect)} (target >= 0.50)  ${verdict(vsDirect >= 0.5)}`);
  if (chp53 !== undefined) {
    const vs53 = ours.http.rps / chp53.http.rps;
    console.log(`throughput ours / CHP 5.3: ${f2(vs53)} (target >= 3.00)  ${verdict(vs53 >= 3)}`);
  } else console.log('throughput ours / CHP 5.3: not measured (CHP 5.3 could not be installed)  NOT MET');
  if (chp45 !== undefined) console.log(`throughput ours / CHP 4.5 (Debian): ${f2(ours.http.rps / chp45.http.rps)} (no target)`);
  if (chp53 !== undefined) {
    console.log(latencyVerdict('p50', ours, chp53, direct));
    console.log(latencyVerdict('p99', ours, chp53, direct));
  }
  const wsRatio = ours.ws.mps / direct.ws.mps;
  console.log(`websocket echo ours / direct: ${f2(wsRatio)} (target >= 0.50)  ${verdict(wsRatio >= 0.5)}`);
  const growth = (mem.max - mem.first) / mem.first;
  const mib = (b: number): string => `${(b / 2 ** 20).toFixed(1)} MiB`;
  console.log(
    `memory over ${mem.requests} requests after ${Math.round(MEMORY_REQUESTS / 5)} of warm-up: RSS first ${mib(mem.first)}, max ${mib(mem.max)} (${(growth * 100).toFixed(1)}%), last ${mib(mem.last)} (${(((mem.last - mem.first) / mem.first) * 100).toFixed(1)}%) (target: max within 10%)  ${verdict(growth <= 0.1)}`,
  );
}

async function main(): Promise<void> {
  const backend = await startHelper(BACKEND);
  const chp53 = await chp53Command((line) => console.log(line));
  try {
    const directTarget: Target = { name: 'direct', base: backend.url, pids: [backend.pid] };
    const first = await measure(directTarget);
    let mem: MemoryRun | undefined;
    const ours = await withProxy(undefined, undefined, backend.url, async (base, pid) => {
      const m = await measure({ name: 'hub proxy (ours)', base, pids: [pid, backend.pid] });
      mem = await memoryRun(base, pid);
      return m;
    });
    const run = (name: string, command: string[], env?: NodeJS.ProcessEnv): Promise<Measured> =>
      withProxy(command, env, backend.url, (base, pid) => measure({ name, base, pids: [pid, backend.pid] }));
    const c53 = chp53 === undefined ? undefined : await run('CHP 5.3 (npm)', chp53);
    const relay = await startHelper(RELAY, new URL(backend.url).port);
    const tcp = await measure({ name: 'TCP relay (reference)', base: relay.url, pids: [relay.pid, backend.pid] }).finally(relay.stop);
    const c45 = existsSync(CHP45) ? await run('CHP 4.5 (Debian)', [CHP45], { ...process.env, NODE_PATH: '/usr/share/nodejs' }) : undefined;
    // Direct again at the end: the better of the two is the reference, so drift in the machine's load cannot
    // flatter the proxies.
    const again = await measure(directTarget);
    const direct: Measured = {
      name: 'direct',
      http: first.http.rps >= again.http.rps ? first.http : again.http,
      ws: first.ws.mps >= again.ws.mps ? first.ws : again.ws,
      shares: first.http.rps >= again.http.rps ? first.shares : again.shares,
    };
    console.log(`${SECONDS} s per run, ${CONNECTIONS} keep-alive connections, ${ROUTES} routes; direct = better of a run before and after`);
    printTable([direct, tcp, ours, ...(c53 ? [c53] : []), ...(c45 ? [c45] : [])], direct);
    console.log('(TCP relay: bytes copied between sockets, no HTTP, no routing: about the best any proxy process can do here)');
    if (mem !== undefined) printTargets(direct, ours, c53, c45, mem);
  } finally {
    backend.stop();
  }
}

void main();
