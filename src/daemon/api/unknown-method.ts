import http from 'node:http';
import type net from 'node:net';
import type { Duplex } from 'node:stream';

/**
 * Requests whose method Node's HTTP parser does not know. llhttp knows a fixed list (`PROPFIND` is on it, `FOO` is
 * not): anything else is a parse error that never reaches a request listener, and Node answers a bare
 * `400 Bad Request`. tornado takes any token as a method and its handlers answer 405, JSON on the API. This
 * 'clientError' listener rebuilds such a request from the bytes read (request line and headers) and gives it to the
 * hub's own listener, which refuses it as it refuses every method tornado does not support (access log line, hub
 * headers, JSON or error page); the connection then closes, as the parser cannot go on. Every other client error
 * gets Node's own answer.
 */
export function answerUnknownMethods(server: http.Server, listener: http.RequestListener): void {
  // The dead parser reports every later chunk of the same connection again: the first answer stands.
  const answering = new WeakSet<Duplex>();
  server.on('clientError', (err: Error & { code?: string; rawPacket?: Buffer; bytesParsed?: number }, socket: Duplex) => {
    if (answering.has(socket)) return;
    const head = err.code === 'HPE_INVALID_METHOD' && err.rawPacket ? parseHead(err.rawPacket, err.bytesParsed ?? 0) : null;
    if (head !== null && replay(head, socket as net.Socket, listener)) answering.add(socket);
    else nodeDefault(err, socket);
  });
}

interface RequestHead {
  method: string;
  url: string;
  httpVersion: string;
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
}

const REQUEST_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\S+) HTTP\/(1\.[01])$/;

/** The request line and headers of the request the parser stopped in (`at` is where it stopped). */
function parseHead(raw: Buffer, at: number): RequestHead | null {
  const text = raw.toString('latin1');
  const start = text.lastIndexOf('\n', Math.max(at - 1, 0)) + 1;
  const end = text.indexOf('\r\n\r\n', start);
  const lines = text.slice(start, end === -1 ? undefined : end).split('\r\n');
  const m = REQUEST_LINE.exec(lines[0] ?? '');
  if (!m) return null;
  const headers: Record<string, string> = {};
  const rawHeaders: string[] = [];
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    rawHeaders.push(name, value);
    const key = name.toLowerCase();
    const prev = headers[key];
    headers[key] = prev === undefined ? value : `${prev}${key === 'cookie' ? '; ' : ', '}${value}`;
  }
  return { method: m[1] ?? '', url: m[2] ?? '/', httpVersion: m[3] ?? '1.1', headers, rawHeaders };
}

/** Runs the listener on a request made from `head`; false when the socket is still busy with an earlier answer. */
function replay(head: RequestHead, socket: net.Socket, listener: http.RequestListener): boolean {
  if (!socket.writable) return false;
  const req = new http.IncomingMessage(socket);
  Object.assign(req, { method: head.method, url: head.url, httpVersion: head.httpVersion, headers: head.headers, rawHeaders: head.rawHeaders });
  req.push(null);
  const res = new http.ServerResponse(req);
  res.shouldKeepAlive = false;
  try {
    // Throws if a response of an earlier (pipelined) request still owns the socket.
    res.assignSocket(socket);
  } catch {
    return false;
  }
  res.once('finish', () => {
    res.detachSocket(socket);
    socket.end();
  });
  listener(req, res);
  return true;
}

/** What Node's http server does with a client error when nobody listens for 'clientError' (lib/_http_server.js). */
function nodeDefault(err: Error & { code?: string }, socket: Duplex): void {
  const busy = (socket as { _httpMessage?: { headersSent?: boolean } | null })._httpMessage;
  if (socket.writable && (!busy || !busy.headersSent)) {
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431
      : err.code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW' ? 413
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408
      : 400;
    socket.write(`HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ''}\r\nConnection: close\r\n\r\n`);
  }
  socket.destroy(err);
}
