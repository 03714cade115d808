/**
 * One HTTP exchange with a CHP-compatible REST API, on the client's own keep-alive agent, with a total
 * timeout. Classifies what can be retried: connection failures, timeouts and 5xx (JupyterHub's api_request
 * retries 5xx too), never 4xx, which no retry can fix.
 */
import http from 'node:http';
import https from 'node:https';
import { errnoCode } from '../../lib/errors.js';

export interface ApiResponse {
  status: number;
  body: string;
}

export interface Transport {
  agent: http.Agent;
  authToken: string;
  timeoutMs: number;
}

const RETRYABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ECONNABORTED']);

/** A 5xx answer, thrown so that the backoff loop can retry it like a connection error. */
export class ServerSideError extends Error {
  constructor(readonly response: ApiResponse, what: string) {
    super(`${what} answered ${response.status}: ${response.body.slice(0, 200)}`);
    this.name = 'ServerSideError';
  }
}

export function isRetryable(err: unknown): boolean {
  return err instanceof ServerSideError || RETRYABLE_CODES.has(errnoCode(err) ?? '');
}

export function createAgent(url: URL, ca?: string | Buffer): http.Agent {
  // maxSockets 10 plays the part of JupyterHub's semaphore (ConfigurableHTTPProxy.concurrency = 10).
  const options = { keepAlive: true, maxSockets: 10 };
  return url.protocol === 'https:' ? new https.Agent(ca === undefined ? options : { ...options, ca }) : new http.Agent(options);
}

function timeoutError(ms: number, url: URL): Error {
  return Object.assign(new Error(`no answer from ${url.origin} within ${ms} ms`), { code: 'ETIMEDOUT' });
}

export function send(t: Transport, method: string, url: URL, body?: string): Promise<ApiResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { Authorization: `token ${t.authToken}` };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(body));
    }
    // Every way out clears the timer: a pending one would keep the hub's event loop alive for nothing.
    const fail = (err: Error): void => {
      clearTimeout(timer);
      reject(err);
    };
    const mod = url.protocol === 'https:' ? https : http;
    const req = mod.request(url, { method, headers, agent: t.agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', fail);
    });
    const timer = setTimeout(() => req.destroy(timeoutError(t.timeoutMs, url)), t.timeoutMs);
    req.on('error', fail);
    req.end(body);
  });
}
