/**
 * Runs bench/load-worker.ts in a child process and hands back what it measured. A separate process keeps the
 * generator's CPU out of the measured process's event loop, and one generator for every variant keeps the
 * comparison fair.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface LoadSpec {
  mode: 'http' | 'ws';
  /** http only: raw sockets (default, cheapest per request) or node:http's client. */
  generator?: 'raw' | 'node-http';
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

function runWorker(spec: LoadSpec): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WORKER, JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(JSON.parse(out) as unknown);
      else reject(new Error(err.trim() || `load worker exited with ${String(code)}`));
    });
  });
}

export async function httpLoad(
  url: string,
  connections: number,
  run: { seconds: number; rate?: number } | { requests: number },
  generator: 'raw' | 'node-http' = 'raw',
): Promise<LoadResult> {
  if ('rate' in run && run.rate !== undefined && generator !== 'raw') throw new Error('a paced run needs the raw generator');
  return (await runWorker({ mode: 'http', url, connections, generator, ...run })) as LoadResult;
}

export async function wsLoad(url: string, connections: number, seconds: number, window = 1): Promise<WsLoadResult> {
  return (await runWorker({ mode: 'ws', url, connections, seconds, window })) as WsLoadResult;
}
