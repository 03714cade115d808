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

/** internal_ssl: the hub's client certificate for an https API, and the CAs it trusts the proxy's by. */
export interface ClientTls {
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
}

export function createAgent(url: URL, tls: ClientTls = {}): http.Agent {
  // maxSockets 10 plays the part of JupyterHub's semaphore (ConfigurableHTTPProxy.concurrency = 10).
  const options = { keepAlive: true, maxSockets: 10 };
  if (url.protocol !== 'https:') return new http.Agent(options);
  // Only what is given: agent options override the request's, so even an `undefined` key would mask one.
  const agentOptions: https.AgentOptions = { ...options };
  if (tls.ca !== undefined) agentOptions.ca = tls.ca;
  if (tls.cert !== undefined) agentOptions.cert = tls.cert;
  if (tls.key !== undefined) agentOptions.key = tls.key;
  return new https.Agent(agentOptions);
}

const TLS_VERIFY_CODES = new Set([
  'EPROTO', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_HAS_EXPIRED',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT', 'CERT_NOT_YET_VALID', 'CERT_SIGNATURE_FAILURE',
]);

/**
 * A failed TLS handshake (certificate refused either way, wrong names, protocol mismatch): no retry helps,
 * so it is reported at once instead of after 30 s of backoff as "proxy unreachable".
 */
export function isTlsFailure(err: unknown): boolean {
  const code = errnoCode(err) ?? '';
  return code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || TLS_VERIFY_CODES.has(code);
}

function timeoutError(ms: number, url: URL): Error {
  return Object.assign(new Error(`no answer from ${url.origin} within ${ms} ms`), { code: 'ETIMEDOUT' });
}

/** `path`, when given, is sent as the request path instead of the URL's (which has its dot segments resolved). */
export function send(t: Transport, method: string, url: URL, body?: string, path?: string): Promise<ApiResponse> {
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
    const req = mod.request(url, { method, headers, agent: t.agent, ...(path === undefined ? {} : { path }) }, (res) => {
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
