import http from 'node:http';
import type { HubError } from '../errors.js';
import { HUB_VERSION } from '../version.js';
import { apiError, connectError } from './hub-client.js';

/**
 * Server-sent events over the control socket: the spawn progress of one server
 * (/hub/api/users/:name/server/progress) and hub's pressure feed (/hub/ext/events). Each stream gets its own
 * connection (no agent), since it stays open for as long as the caller listens.
 */
export interface ServerSentEvent {
  /** `message` when the daemon named none, as in the EventSource standard. */
  event: string;
  data: string;
}

export interface EventStream {
  /** Resolves when the daemon ends the stream or close() is called; rejects on a connection error. */
  done: Promise<void>;
  close: () => void;
}

/** Splits a growing text buffer into complete events; returns the events and the unfinished rest. */
export function parseEvents(buffer: string): { events: ServerSentEvent[]; rest: string } {
  const blocks = buffer.replace(/\r\n/g, '\n').split('\n\n');
  const rest = blocks.pop() ?? '';
  const events: ServerSentEvent[] = [];
  for (const block of blocks) {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) continue;
      const i = line.indexOf(':');
      const field = i < 0 ? line : line.slice(0, i);
      const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
    }
    // Keep-alive blank lines and comments carry no data: not an event.
    if (data.length > 0) events.push({ event, data: data.join('\n') });
  }
  return { events, rest };
}

export function openEventStream(socketPath: string, path: string, onEvent: (e: ServerSentEvent) => void): EventStream {
  let req: http.ClientRequest | undefined;
  let closed = false;
  const done = new Promise<void>((resolve, reject) => {
    const headers = { accept: 'text/event-stream', 'x-hub-client-version': HUB_VERSION };
    req = http.request({ socketPath, path, method: 'GET', headers, agent: false }, (res) => {
      if ((res.statusCode ?? 0) >= 400) {
        collectError(res, path).then(reject, reject);
        return;
      }
      res.setEncoding('utf8');
      let buffer = '';
      res.on('data', (chunk: string) => {
        const parsed = parseEvents(buffer + chunk);
        buffer = parsed.rest;
        for (const e of parsed.events) onEvent(e);
      });
      res.on('end', () => resolve());
      res.on('close', () => resolve());
      res.on('error', (err) => (closed ? resolve() : reject(err)));
    });
    req.on('error', (err) => (closed ? resolve() : reject(connectError(socketPath, err))));
    req.end();
  });
  return {
    done,
    close: () => {
      closed = true;
      req?.destroy();
    },
  };
}

async function collectError(res: http.IncomingMessage, path: string): Promise<HubError> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: the text itself is the message.
  }
  return apiError('GET', path, { status: res.statusCode ?? 0, headers: res.headers, body });
}
