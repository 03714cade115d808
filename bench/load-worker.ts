/**
 * The proxy benches' load generator, run as its own process (bench/load-client.ts starts it) so that it never
 * shares an event loop with what it measures. On a 2-core machine the generator, the proxy and the backend
 * compete for CPU, so the generator must be as cheap per request as possible: it speaks HTTP/1.1 on raw
 * keep-alive sockets (one request in flight per connection, no pipelining) and parses only the status line and
 * the body's framing, instead of paying node:http's client machinery (agent, IncomingMessage, header objects).
 * The same generator drives every variant (direct, ours, each CHP), so the comparison stays fair.
 *
 * argv[2]: a JSON LoadSpec. stdout: one JSON line, a LoadResult (http) or WsLoadResult (ws).
 */
import http from 'node:http';
import net from 'node:net';
import { WebSocket } from 'ws';
import type { LoadResult, LoadSpec, WsLoadResult } from './load-client.js';

const CRLFCRLF = Buffer.from('\r\n\r\n');
const CHUNK_END = Buffer.from('0\r\n\r\n');

/** CPU used since `since`, in cores (1.0 = one core busy all the time). */
function cpuShare(since: NodeJS.CpuUsage, elapsedSeconds: number): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6 / elapsedSeconds;
}

/**
 * The byte length of the complete response at the start of `buf` and whether the server closes the connection
 * after it, or undefined while it is incomplete; throws on a status other than 200.
 */
function parseResponse(buf: Buffer): { length: number; close: boolean } | undefined {
  const headEnd = buf.indexOf(CRLFCRLF);
  if (headEnd === -1) return undefined;
  const head = buf.toString('latin1', 0, headEnd).toLowerCase();
  const status = head.slice(9, 12);
  if (status !== '200') throw new Error(`status ${status}: ${head.split('\r\n', 1)[0] ?? ''}`);
  const close = head.includes('\r\nconnection: close');
  const bodyStart = headEnd + 4;
  const cl = head.indexOf('\r\ncontent-length:');
  if (cl !== -1) {
    const length = bodyStart + Number.parseInt(head.slice(cl + 17, head.indexOf('\r\n', cl + 2) >>> 0), 10);
    return buf.length >= length ? { length, close } : undefined;
  }
  // Chunked: the small bodies of these benches end with the last chunk right behind the data.
  const end = buf.indexOf(CHUNK_END, bodyStart);
  return end === -1 ? undefined : { length: end + CHUNK_END.length, close };
}

function httpLoad(spec: LoadSpec): Promise<LoadResult> {
  const url = new URL(spec.url);
  const request = Buffer.from(`GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nUser-Agent: hub-bench\r\n\r\n`);
  const latencies: number[] = [];
  const until = spec.seconds === undefined ? Infinity : Date.now() + spec.seconds * 1000;
  let remaining = spec.requests ?? Infinity;
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  const done = (): boolean => remaining <= 0 || Date.now() >= until;
  // Paced (spec.rate): each connection sends on its own schedule, every `interval` ms, staggered so that the
  // connections do not fire together; a late response sends the next request at once, never two at a time, and
  // the schedule then starts over from there instead of catching up in a burst.
  const interval = spec.rate === undefined ? 0 : (spec.connections / spec.rate) * 1000;
  // One client: a request in flight at a time; a new connection (counted in that request's latency) whenever
  // the server answers `Connection: close`, as an agent would (Debian's CHP 4.5 does so on every response).
  const client = (_: unknown, index: number): Promise<void> =>
    new Promise((resolve, reject) => {
      let started = 0n;
      let next = Date.now() + (interval * index) / spec.connections;
      const begin = (): void => {
        remaining--;
        started = process.hrtime.bigint();
      };
      const open = (): void => {
        begin();
        const socket = net.connect(Number(url.port), url.hostname);
        socket.setNoDelay(true);
        let pending: Buffer | undefined;
        let inFlight = true;
        const fail = (err: Error): void => {
          socket.destroy();
          reject(err);
        };
        socket.on('connect', () => socket.write(request));
        socket.on('data', (chunk: Buffer) => {
          pending = pending === undefined ? chunk : Buffer.concat([pending, chunk]);
          let response: { length: number; close: boolean } | undefined;
          try {
            response = parseResponse(pending);
          } catch (err) {
            fail(err instanceof Error ? err : new Error(String(err)));
            return;
          }
          if (response === undefined) return;
          if (response.length !== pending.length) return fail(new Error(`${spec.url}: more bytes than one response`));
          pending = undefined;
          inFlight = false;
          latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
          if (done()) {
            socket.end();
            resolve();
          } else {
            if (response.close) socket.destroy();
            const send = response.close
              ? open
              : (): void => {
                  begin();
                  inFlight = true;
                  socket.write(request);
                };
            next = Math.max(next + interval, Date.now()); // late: start over from now, no burst to catch up
            const wait = next - Date.now();
            if (wait > 0) setTimeout(send, wait);
            else send();
          }
        });
        socket.on('error', (err) => (inFlight ? fail(err) : undefined));
        socket.on('close', () => (inFlight ? fail(new Error(`${spec.url}: connection closed before the response`)) : undefined));
      };
      const wait = next - Date.now();
      if (wait > 0) setTimeout(open, wait);
      else open();
    });
  return Promise.all(Array.from({ length: spec.connections }, client)).then(() => {
    const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
    latencies.sort((a, b) => a - b);
    const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
    return { requests: latencies.length, rps: latencies.length / elapsed, p50: at(0.5), p99: at(0.99), cpu: cpuShare(cpu0, elapsed) };
  });
}

/**
 * The same load through node:http's client (a keep-alive Agent, as bench/http-load.ts): costlier per request,
 * so the generator itself caps direct throughput near the quoted ~20,000/s. Kept so the issue's own
 * figures (direct ~20k, CHP 5.3 ~2.4k) can be reproduced beside the raw-socket generator's.
 */
function nodeHttpLoad(spec: LoadSpec): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: spec.connections });
  const latencies: number[] = [];
  const until = spec.seconds === undefined ? Infinity : Date.now() + spec.seconds * 1000;
  let remaining = spec.requests ?? Infinity;
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  const one = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const started = process.hrtime.bigint();
      http.get(spec.url, { agent }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode !== 200) reject(new Error(`${spec.url}: ${res.statusCode ?? 0}`));
          latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
          resolve();
        });
      }).on('error', reject);
    });
  const client = async (): Promise<void> => {
    while (remaining > 0 && Date.now() < until) {
      remaining--;
      await one();
    }
  };
  return Promise.all(Array.from({ length: spec.connections }, client)).then(() => {
    const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
    agent.destroy();
    latencies.sort((a, b) => a - b);
    const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
    return { requests: latencies.length, rps: latencies.length / elapsed, p50: at(0.5), p99: at(0.99), cpu: cpuShare(cpu0, elapsed) };
  });
}

/**
 * `connections` websockets, each keeping `window` messages in flight: sending one as soon as an echo is back
 * (window 1 is ping-pong), until the time is up and every echo has come back.
 */
async function wsLoad(spec: LoadSpec): Promise<WsLoadResult> {
  const message = 'x'.repeat(64);
  const sockets = await Promise.all(
    Array.from({ length: spec.connections }, () =>
      new Promise<WebSocket>((resolve, reject) => {
        const ws = new WebSocket(spec.url, { perMessageDeflate: false });
        ws.once('open', () => resolve(ws));
        ws.once('error', reject);
      }),
    ),
  );
  let messages = 0;
  const until = Date.now() + (spec.seconds ?? 3) * 1000;
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  await Promise.all(
    sockets.map(
      (ws) =>
        new Promise<void>((resolve, reject) => {
          let inFlight = Math.max(1, spec.window ?? 1);
          ws.on('message', () => {
            messages++;
            if (Date.now() < until) ws.send(message);
            else if (--inFlight === 0) resolve();
          });
          ws.once('close', () => reject(new Error(`${spec.url}: websocket closed during the run`)));
          for (let i = 0; i < inFlight; i++) ws.send(message);
        }),
    ),
  );
  const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  for (const ws of sockets) ws.terminate();
  return { messages, mps: messages / elapsed, cpu: cpuShare(cpu0, elapsed) };
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '{}') as LoadSpec;
  const result = spec.mode === 'ws' ? await wsLoad(spec) : spec.generator === 'node-http' ? await nodeHttpLoad(spec) : await httpLoad(spec);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`load-worker: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
