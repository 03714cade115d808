/**
 * Small HTTP helpers for the proxy tests: one request per connection (agent: false), so no keep-alive socket
 * outlives a test, and free ports for the proxies (bind to 0, read the port, close).
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface HttpResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: () => unknown;
}

export interface HttpOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  ca?: string | Buffer;
}

export function httpRequest(url: string, opts: HttpOptions = {}): Promise<HttpResult> {
  const u = new URL(url);
  const mod = u.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(u, { method: opts.method ?? 'GET', headers: opts.headers, agent: false, ca: opts.ca }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) as unknown });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** Ports this process has handed out: the kernel may give a closed port straight back, and a test holding one
 * (a proxy's API port, a "dead" target) must not find another test's proxy on it. */
const handedOut = new Set<string>();

export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (;;) {
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, host, () => resolve());
    });
    const { port } = server.address() as net.AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    if (!handedOut.has(`${host}:${port}`)) {
      handedOut.add(`${host}:${port}`);
      return port;
    }
  }
}

/**
 * A port on 127.0.0.1 where nothing listens, ever: a connection to it is refused. Port 1 (tcpmux) is privileged
 * and unused, so no test process (ours or another test file's, run beside it) can be listening there, which a
 * port from freePort() cannot promise once it is closed again.
 */
export const DEAD_PORT = 1;

/** Waits until the wall clock has moved on by `ms`, so that a timestamp taken afterwards is strictly later. */
export async function clockTick(ms = 3): Promise<void> {
  const start = Date.now();
  while (Date.now() - start < ms) await sleep(1);
}

/** Polls `check` until it returns a value other than undefined; fails the test after `timeoutMs`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const until = Date.now() + timeoutMs;
  let wait = 5;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(wait);
    wait = Math.min(wait * 2, 100);
  }
}
