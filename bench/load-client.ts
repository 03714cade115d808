/**
 * Runs bench/load-worker.ts in a child process and hands back what it measured. A separate process keeps the
 * generator's CPU out of the measured process's event loop, and one generator for every variant keeps the
 * comparison fair.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * raw: our own raw-socket client; node-http: node:http's client, which costs about a core at ~20,000 requests/s
 * (the "direct ~20,000/s"); wrk: Debian's wrk (C, one thread), so cheap that the proxy alone is the
 * bottleneck.
 */
export type Generator = 'raw' | 'node-http' | 'wrk';

export interface LoadSpec {
  mode: 'http' | 'ws';
  /** http only: raw sockets (default, cheapest per request) or node:http's client (wrk runs outside the worker). */
  generator?: Generator;
  url: string;
  connections: number;
  /** Run for this long... */
  seconds?: number;
  /** ...or until this many requests are answered (http only). */
  requests?: number;
  /** http, raw generator only: requests per second in all, spread evenly over the connections (default: as fast as answered). */
  rate?: number;
  /** ws only: messages each connection keeps in flight (1: ping-pong, bound by latency; more: streaming). */
  window?: number;
}

export interface LoadResult {
  requests: number;
  rps: number;
  /** Milliseconds. */
  p50: number;
  p99: number;
  /** The generator's own CPU use, in cores. */
  cpu: number;
}

export interface WsLoadResult {
  messages: number;
  mps: number;
  cpu: number;
}

const WORKER = fileURLToPath(new URL('./load-worker.js', import.meta.url));

/** Runs a command to its end: its exit code and everything it wrote. */
function run(command: string, args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

async function runWorker(spec: LoadSpec): Promise<unknown> {
  const { code, out, err } = await run(process.execPath, [WORKER, JSON.stringify(spec)]);
  if (code !== 0) throw new Error(err.trim() || `load worker exited with ${String(code)}`);
  return JSON.parse(out) as unknown;
}

export async function httpLoad(
  url: string,
  connections: number,
  run: { seconds: number; rate?: number } | { requests: number },
  generator: Generator = 'raw',
): Promise<LoadResult> {
  if ('rate' in run && run.rate !== undefined && generator !== 'raw') throw new Error('a paced run needs the raw generator');
  if (generator === 'wrk') {
    if (!('seconds' in run)) throw new Error('wrk runs for a time, not a number of requests');
    return wrkLoad(url, connections, run.seconds);
  }
  return (await runWorker({ mode: 'http', url, connections, generator, ...run })) as LoadResult;
}

/** wrk's "123.45us" / "1.20ms" / "2.00s" in milliseconds. */
function wrkMs(text: string): number {
  const m = /^([\d.]+)(us|ms|s)$/.exec(text);
  if (m === null) throw new Error(`unreadable wrk duration ${text}`);
  return Number(m[1]) * { us: 1e-3, ms: 1, s: 1e3 }[m[2] as 'us' | 'ms' | 's'];
}

/** One wrk run (one thread, `connections` keep-alive connections); bash's `times` reports wrk's CPU. */
async function wrkLoad(url: string, connections: number, seconds: number): Promise<LoadResult> {
  const script = 'wrk -t1 -c"$1" -d"$2"s --latency "$3" && times';
  const { code, out, err } = await run('bash', ['-c', script, 'wrk', String(connections), String(seconds), url]);
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
  const p50 = /^\s+50%\s+(\S+)$/m.exec(out);
  const p99 = /^\s+99%\s+(\S+)$/m.exec(out);
  const requests = /(\d+) requests in/.exec(out);
  // `times`: the shell's own user/sys, then its children's (wrk's) user/sys, as 0m1.234s.
  const children = [...out.matchAll(/(\d+)m([\d.]+)s/g)].slice(-2).map((m) => Number(m[1]) * 60 + Number(m[2]));
  if (code !== 0 || rps === null || p50 === null || p99 === null || requests === null || children.length < 2) {
    throw new Error(`wrk failed (exit ${String(code)}): ${(err || out).trim()}`);
  }
  if (/Non-2xx/.test(out)) throw new Error(`wrk got non-2xx answers from ${url}: ${out.trim()}`);
  const cpu = children.reduce((a, b) => a + b, 0) / seconds;
  return { requests: Number(requests[1]), rps: Number(rps[1]), p50: wrkMs(p50[1] ?? ''), p99: wrkMs(p99[1] ?? ''), cpu };
}

export async function wsLoad(url: string, connections: number, seconds: number, window = 1): Promise<WsLoadResult> {
  return (await runWorker({ mode: 'ws', url, connections, seconds, window })) as WsLoadResult;
}
