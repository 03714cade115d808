/**
 * Backends for the proxy tests: an HTTP server that reports what reached it (method, url, headers, body) and a
 * websocket endpoint on the same port that echoes (or, under /push, only pushes). Port 0, closed by close().
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface SeenRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface Backend {
  name: string;
  url: string;
  port: number;
  seen: SeenRequest[];
  wsSeen: SeenRequest[];
  /** TCP connections accepted so far: tells keep-alive reuse from a connection per request. */
  connections: () => number;
  close: () => Promise<void>;
}

function respond(name: string, req: http.IncomingMessage, res: http.ServerResponse, body: string): void {
  const url = req.url ?? '/';
  if (url.includes('/redirect')) {
    res.writeHead(302, { Location: '/elsewhere' });
    res.end();
  } else if (url.includes('/notfound')) {
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('backend says not found');
  } else {
    res.writeHead(200, { 'Content-Type': 'application/json', 'X-Backend': name });
    res.end(JSON.stringify({ backend: name, method: req.method, url, headers: req.headers, body }));
  }
}

function onSocket(name: string, ws: WebSocket, req: http.IncomingMessage): void {
  if ((req.url ?? '').includes('/push')) {
    for (let i = 1; i <= 3; i++) ws.send(`push-${i}`);
    return;
  }
  ws.on('message', (data: Buffer) => ws.send(`${name}:${data.toString()}`));
}

export async function startBackend(name: string): Promise<Backend> {
  const seen: SeenRequest[] = [];
  const wsSeen: SeenRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      // /slow holds the answer back, so a test can act while the request is in flight.
      if ((req.url ?? '').includes('/slow')) setTimeout(() => respond(name, req, res, body), 300);
      else respond(name, req, res, body);
    });
  });
  let connections = 0;
  server.on('connection', () => connections++);
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws, req) => {
    wsSeen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: '' });
    onSocket(name, ws, req);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    name,
    port,
    url: `http://127.0.0.1:${port}`,
    seen,
    wsSeen,
    connections: () => connections,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
