/**
 * Issue #4's proxy targets, as ratios measured in one run: direct to the backend vs through our proxy vs
 * through configurable-http-proxy 5.3 (npm, installed on demand into a cache) and 4.5 (Debian), each with the
 * same route table and driven by the same load generator (bench/load-worker.ts, its own process).
 * Usage (after the build): node dist/bench/proxy-bench.js [seconds] [connections] [routes] [memory-requests] [rounds]
 * Websocket echo is measured twice: ping-pong (BENCH_WS_WINDOW, default 1 message in flight per connection), bound
 * by the round trip through one more process, and streaming (BENCH_WS_STREAM, default 16 in flight), bound by
 * the CPU each message costs.
 * BENCH_GENERATOR=node-http measures throughput and latency with node:http's client instead of raw sockets: the
 * generator then caps direct near the issue's quoted ~20,000/s, as in the issue's own measurement.
 * BENCH_GENERATOR=wrk uses Debian's wrk (one thread) instead: so cheap that direct runs at ~80,000/s and the
 * proxy process alone is the bottleneck.
 * Each target's line also says what the TCP relay scores on it: a proxy process that does no HTTP work at all,
 * so a target the relay misses cannot be met by any proxy process on this machine with this generator.
 * All variants run at once and are measured in alternating rounds, the best round of each counting: the
 * machine is shared, and drift in its load then hits every variant alike instead of whichever ran last.
 * BENCH_PACED_RATE=N (default 1000): the rate, in requests/s over all connections, of the paced latency runs.
 * Prints throughput, added latency (proxied minus direct, p50/p99), websocket echo messages/s, our proxy's RSS
 * across a long run, and PASS / NOT MET per target. The CPU columns show how the 2 cores were split
 * (generator / proxy / backend, 1.00 = one core).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chp53Command } from './chp53.js';
import { httpLoad, wsLoad, type Generator, type LoadResult, type WsLoadResult } from './load-client.js';
import { cpuShares, rssBytes } from './proc-stats.js';
import { ChpClient } from '../src/daemon/proxy/chp-client.js';
import { ProxyProcess } from '../src/daemon/proxy/proxy-process.js';
import { freePort } from '../test/helpers/proxy-http.js';

const SECONDS = Number(process.argv[2] ?? 3);
const CONNECTIONS = Number(process.argv[3] ?? 10);
const ROUTES = Number(process.argv[4] ?? 100);
const MEMORY_REQUESTS = Number(process.argv[5] ?? 1_000_000);
const ROUNDS = Number(process.argv[6] ?? 3);
const GENERATOR: Generator = process.env.BENCH_GENERATOR === 'node-http' || process.env.BENCH_GENERATOR === 'wrk' ? process.env.BENCH_GENERATOR : 'raw';
/** Websocket messages each connection keeps in flight: 1 (default) is ping-pong, bound by the round trip. */
const WS_WINDOW = Math.max(1, Number(process.env.BENCH_WS_WINDOW ?? 1) || 1);
const WS_STREAM = Math.max(1, Number(process.env.BENCH_WS_STREAM ?? 16) || 16);
/**
 * Latency is measured twice: at full speed (each connection sends its next request as soon as the answer is
 * back, so the latency is mostly time spent queueing behind the other connections: the inverse of throughput)
 * and paced, at a rate every variant handles without queueing, where it is what one request costs.
 */
const PACED_RATE = Math.max(1, Number(process.env.BENCH_PACED_RATE ?? 1000) || 1000);
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
  /** Raw generator at PACED_RATE requests/s. */
  paced: LoadResult;
  ws: WsLoadResult;
  /** Websocket echo with WS_STREAM messages in flight. */
  wsStream: WsLoadResult;
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
  const { result: http, shares } = await cpuShares(target.pids, () => httpLoad(target.base + PATH, CONNECTIONS, { seconds: SECONDS }, GENERATOR));
  const paced = await httpLoad(target.base + PATH, CONNECTIONS, { seconds: SECONDS, rate: PACED_RATE });
  const wsUrl = target.base.replace(/^http/, 'ws') + '/user/bench/api/kernels/ws';
  const ws = await wsLoad(wsUrl, CONNECTIONS, SECONDS, WS_WINDOW);
  const wsStream = await wsLoad(wsUrl, CONNECTIONS, SECONDS, WS_STREAM);
  return { name: target.name, http, paced, ws, wsStream, shares: [http.cpu, ...shares] };
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

interface Running {
  base: string;
  pid: number;
  stop: () => Promise<void>;
}

/** Starts a proxy (ours when `command` is undefined) and fills its table: ROUTES routes, one to the backend. */
async function startProxy(command: string[] | undefined, env: NodeJS.ProcessEnv | undefined, backendUrl: string): Promise<Running> {
  const [port, apiPort] = [await freePort(), await freePort()];
  const proc = new ProxyProcess({ command, env, ip: '127.0.0.1', port, apiIp: '127.0.0.1', apiPort, authToken: 'bench', logLevel: 'error', output: () => undefined });
  await proc.start();
  const client = new ChpClient({ apiUrl: proc.apiUrl, authToken: 'bench' });
  try {
    for (let i = 1; i < ROUTES; i++) await client.addRoute(`/user/u${i}/`, 'http://127.0.0.1:9', { user: `u${i}` });
    await client.addRoute('/user/bench/', backendUrl, { user: 'bench' });
  } finally {
    client.close();
  }
  const state = proc.state;
  if (state.state !== 'running') throw new Error(`proxy is ${state.state}`);
  return { base: `http://127.0.0.1:${port}`, pid: state.pid, stop: () => proc.stop() };
}

/** Per target, the round with the best throughput and the round with the best websocket rate. */
async function rounds(targets: Target[]): Promise<Measured[]> {
  for (const t of targets) await httpLoad(t.base + PATH, CONNECTIONS, { seconds: Math.min(SECONDS, 2) }); // warm-up (JIT, pools)
  const best: Array<Measured | undefined> = targets.map(() => undefined);
  for (let r = 0; r < ROUNDS; r++) {
    for (const [i, t] of targets.entries()) {
      const m = await measure(t);
      const b = best[i];
      best[i] = b === undefined ? m : { ...(m.http.rps > b.http.rps ? m : b), paced: m.paced.p50 < b.paced.p50 ? m.paced : b.paced, ws: m.ws.mps > b.ws.mps ? m.ws : b.ws, wsStream: m.wsStream.mps > b.wsStream.mps ? m.wsStream : b.wsStream };
    }
  }
  return best.filter((m): m is Measured => m !== undefined);
}

const f0 = (n: number): string => n.toFixed(0);
const f2 = (n: number): string => n.toFixed(2);
const verdict = (ok: boolean): string => (ok ? 'PASS' : 'NOT MET');

function printTable(rows: Measured[], direct: Measured): void {
  console.log(`${'variant'.padEnd(24)} ${'req/s'.padStart(7)} ${'xdirect'.padStart(7)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'paced50'.padStart(7)} ${'paced99'.padStart(7)} ${'ws msg/s'.padStart(9)} ${'xdirect'.padStart(7)} ${`ws x${WS_STREAM}`.padStart(9)} ${'xdirect'.padStart(7)}   cpu gen/proxy/backend  proxy CPU/req`);
  for (const r of rows) {
    const cols = [f0(r.http.rps).padStart(7), f2(r.http.rps / direct.http.rps).padStart(7), f2(r.http.p50).padStart(7), f2(r.http.p99).padStart(7)];
    cols.push(f2(r.paced.p50).padStart(7), f2(r.paced.p99).padStart(7));
    cols.push(f0(r.ws.mps).padStart(9), f2(r.ws.mps / direct.ws.mps).padStart(7));
    cols.push(f0(r.wsStream.mps).padStart(9), f2(r.wsStream.mps / direct.wsStream.mps).padStart(7));
    const shares = r.shares.length === 2 ? [r.shares[0], undefined, r.shares[1]] : r.shares;
    const perRequest = shares[1] === undefined ? '' : `  ${f0((shares[1] / r.http.rps) * 1e6)} us`;
    console.log(`${r.name.padEnd(24)} ${cols.join(' ')}   ${shares.map((s) => (s === undefined ? '  -  ' : f2(s))).join(' / ')}${perRequest}`);
  }
}

/** Ours' added latency must be at most a fifth of CHP 5.3's; an added latency at or below zero is none. */
function latencyVerdict(q: 'p50' | 'p99', run: 'http' | 'paced', ours: Measured, chp: Measured, direct: Measured, relay: Measured): string {
  const added = (m: Measured): number => m[run][q] - direct[run][q];
  const chpAdded = added(chp);
  const ratio = (m: Measured): number => (chpAdded > 0 ? added(m) / chpAdded : Infinity);
  const how = run === 'http' ? 'full speed' : `paced, ${PACED_RATE}/s`;
  return `added latency ${q} (${how}): ours ${f2(added(ours))} ms, CHP 5.3 ${f2(chpAdded)} ms, ratio ${f2(ratio(ours))} (target <= 0.20)  ${verdict(added(ours) <= 0 || ratio(ours) <= 0.2)}${relayNote(ratio(relay), added(relay) <= 0 || ratio(relay) <= 0.2)}`;
}

/** What the TCP relay scores on a target, and whether even it meets the target. */
function relayNote(value: number, met: boolean): string {
  return `   [TCP relay: ${f2(value)}${met ? '' : ', so no proxy process can meet it here'}]`;
}

function printTargets(direct: Measured, relay: Measured, ours: Measured, chp53: Measured | undefined, chp45: Measured | undefined, mem: MemoryRun): void {
  const vsDirect = (m: Measured): number => m.http.rps / direct.http.rps;
  console.log(`\nthroughput ours / direct: ${f2(vsDirect(ours))} (target >= 0.50)  ${verdict(vsDirect(ours) >= 0.5)}${relayNote(vsDirect(relay), vsDirect(relay) >= 0.5)}`);
  if (chp53 !== undefined) {
    const vs53 = (m: Measured): number => m.http.rps / chp53.http.rps;
    console.log(`throughput ours / CHP 5.3: ${f2(vs53(ours))} (target >= 3.00)  ${verdict(vs53(ours) >= 3)}${relayNote(vs53(relay), vs53(relay) >= 3)}`);
  } else console.log('throughput ours / CHP 5.3: not measured (CHP 5.3 could not be installed)  NOT MET');
  if (chp45 !== undefined) console.log(`throughput ours / CHP 4.5 (Debian): ${f2(ours.http.rps / chp45.http.rps)} (no target)`);
  if (chp53 !== undefined) {
    for (const run of ['http', 'paced'] as const) for (const q of ['p50', 'p99'] as const) console.log(latencyVerdict(q, run, ours, chp53, direct, relay));
  }
  for (const [key, window] of [['ws', WS_WINDOW], ['wsStream', WS_STREAM]] as const) {
    const wsRatio = (m: Measured): number => m[key].mps / direct[key].mps;
    console.log(`websocket echo ours / direct (${window} in flight per connection): ${f2(wsRatio(ours))} (target >= 0.50)  ${verdict(wsRatio(ours) >= 0.5)}${relayNote(wsRatio(relay), wsRatio(relay) >= 0.5)}`);
  }
  const growth = (mem.max - mem.first) / mem.first;
  const mib = (b: number): string => `${(b / 2 ** 20).toFixed(1)} MiB`;
  console.log(
    `memory over ${mem.requests} requests after ${Math.round(MEMORY_REQUESTS / 5)} of warm-up: RSS first ${mib(mem.first)}, max ${mib(mem.max)} (${(growth * 100).toFixed(1)}%), last ${mib(mem.last)} (${(((mem.last - mem.first) / mem.first) * 100).toFixed(1)}%) (target: max within 10%)  ${verdict(growth <= 0.1)}`,
  );
}

async function main(): Promise<void> {
  const backend = await startHelper(BACKEND);
  const relay = await startHelper(RELAY, new URL(backend.url).port);
  const chp53 = await chp53Command((line) => console.log(line));
  const proxies: Array<[string, Running]> = [];
  try {
    proxies.push(['hub proxy (ours)', await startProxy(undefined, undefined, backend.url)]);
    if (chp53 !== undefined) proxies.push(['CHP 5.3 (npm)', await startProxy(chp53, undefined, backend.url)]);
    if (existsSync(CHP45)) proxies.push(['CHP 4.5 (Debian)', await startProxy([CHP45], { ...process.env, NODE_PATH: '/usr/share/nodejs' }, backend.url)]);
    const targets: Target[] = [
      { name: 'direct', base: backend.url, pids: [backend.pid] },
      { name: 'TCP relay (reference)', base: relay.url, pids: [relay.pid, backend.pid] },
      ...proxies.map(([name, p]) => ({ name, base: p.base, pids: [p.pid, backend.pid] })),
    ];
    const measured = await rounds(targets);
    const byName = (name: string): Measured | undefined => measured.find((m) => m.name === name);
    const [direct, relayRun, ours] = [byName('direct'), byName('TCP relay (reference)'), byName('hub proxy (ours)')];
    const oursProc = proxies[0]?.[1];
    if (direct === undefined || relayRun === undefined || ours === undefined || oursProc === undefined) throw new Error('direct, relay or ours not measured');
    const mem = await memoryRun(oursProc.base, oursProc.pid);
    console.log(`${SECONDS} s per run, ${CONNECTIONS} keep-alive connections, ${ROUTES} routes; best of ${ROUNDS} alternating rounds per variant; ${GENERATOR} load generator`);
    printTable(measured, direct);
    console.log('(TCP relay: bytes copied between sockets, no HTTP, no routing: about the best any proxy process can do here)');
    printTargets(direct, relayRun, ours, byName('CHP 5.3 (npm)'), byName('CHP 4.5 (Debian)'), mem);
  } finally {
    for (const [, p] of proxies) await p.stop();
    relay.stop();
    backend.stop();
  }
}

void main();
