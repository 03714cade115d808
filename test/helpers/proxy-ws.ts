/**
 * Websocket client helpers for the proxy tests. Messages are queued from the moment the socket is created:
 * a backend that pushes right after the upgrade can deliver several frames in one chunk, before any
 * `await` has had a chance to attach a listener.
 */
import { WebSocket } from 'ws';

export interface WsClient {
  ws: WebSocket;
  send: (text: string) => void;
  /** The next text message, in order. */
  next: () => Promise<string>;
  close: () => Promise<void>;
}

function inbox(ws: WebSocket): () => Promise<string> {
  const queued: string[] = [];
  const waiting: Array<{ resolve: (s: string) => void; reject: (e: Error) => void }> = [];
  let closed = false;
  ws.on('message', (data: Buffer) => {
    const waiter = waiting.shift();
    if (waiter) waiter.resolve(data.toString());
    else queued.push(data.toString());
  });
  ws.on('close', () => {
    closed = true;
    for (const w of waiting.splice(0)) w.reject(new Error('websocket closed before a message arrived'));
  });
  return () => {
    const message = queued.shift();
    if (message !== undefined) return Promise.resolve(message);
    if (closed) return Promise.reject(new Error('websocket closed'));
    return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
  };
}

/** Resolves when open; rejects on an error or a non-101 answer (its status in the message). */
export function wsConnect(url: string, headers?: Record<string, string>): Promise<WsClient> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    const next = inbox(ws);
    const close = (): Promise<void> => {
      if (ws.readyState === WebSocket.CLOSED) return Promise.resolve();
      return new Promise((done) => {
        ws.once('close', () => done());
        ws.terminate();
      });
    };
    ws.once('open', () => resolve({ ws, send: (t) => ws.send(t), next, close }));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => {
      ws.terminate();
      reject(new Error(`unexpected response ${res.statusCode ?? 0}`));
    });
  });
}
