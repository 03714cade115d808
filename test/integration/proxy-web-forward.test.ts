/**
 * web-forward.ts replaces http-proxy-3's web() for plain HTTP, and promises http-proxy-3's behaviour (which
 * CHP 5.x users get). This holds it to that: the same requests go through http-proxy-3, configured as
 * proxy-server.ts used it, and through WebForwarder, and what the backend saw and what the client got must
 * be the same.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { createProxyServer } from 'http-proxy-3';
import { urlJoin } from 'http-proxy-3/dist/lib/http-proxy/common.js';
import { createBackendAgents, destroyBackendAgents } from '../../src/daemon/proxy/backend-agents.js';
import { WebForwarder, joinPaths, normalisedPath } from '../../src/daemon/proxy/web-forward.js';
import { startBackend, type Backend } from '../helpers/proxy-backends.js';

interface Answer {
  status: number;
  headers: Record<string, unknown>;
  body: unknown;
}

/** The test backend echoes the headers it got as JSON: compared as an object, their order does not matter. */
function parsed(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return body;
  }
}

/** `headers` as a flat list, sent as is: duplicates, odd names and a missing Host are possible. */
function send(port: number, method: string, path: string, headers: string[], body?: string[]): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        const { date: _date, ...rest } = res.headers;
        resolve({ status: res.statusCode ?? 0, headers: rest, body: parsed(text) });
      });
    });
    req.on('error', reject);
    for (const chunk of body ?? []) req.write(chunk);
    req.end();
  });
}

/**
 * A raw exchange (HTTP/1.0, which may omit Host): the answer's head lines but Date, in order, and its body.
 * Complete once Content-Length bytes of body arrived, or when the server closes.
 */
function raw(port: number, text: string): Promise<{ head: string[]; body: unknown }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(text));
    let out = '';
    const done = (): void => {
      const [head = '', body = ''] = out.split('\r\n\r\n', 2);
      resolve({ head: head.split('\r\n').filter((l) => !/^date:/i.test(l)), body: parsed(body) });
      socket.destroy();
    };
    socket.on('data', (d: Buffer) => {
      out += d.toString('latin1');
      const headEnd = out.indexOf('\r\n\r\n');
      const length = /\r\ncontent-length: *(\d+)/i.exec(out.slice(0, headEnd))?.[1];
      if (headEnd !== -1 && length !== undefined && out.length >= headEnd + 4 + Number(length)) done();
    });
    socket.on('end', done);
    socket.on('error', reject);
  });
}

function listen(server: http.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

describe('web-forward.ts against http-proxy-3', () => {
  const agents = createBackendAgents();
  let backend: Backend;
  let chunked: http.Server;
  const servers: http.Server[] = [];
  let [viaLibrary, viaForwarder] = [0, 0];
  let target = new URL('http://127.0.0.1');

  before(async () => {
    backend = await startBackend('b');
    // Answers in two writes without a length, so the response is chunked.
    chunked = http.createServer((_req, res) => {
      res.setHeader('X-Multi', ['a', 'b']);
      res.write('one,');
      res.end('two');
    });
    const chunkedPort = await listen(chunked);
    const pick = (req: http.IncomingMessage): URL =>
      (req.url ?? '').startsWith('/chunked') ? new URL(`http://127.0.0.1:${chunkedPort}`) : (req.url ?? '').startsWith('/prefixed') ? new URL(`${backend.url}/base/?tq=1`) : target;
    target = new URL(backend.url);
    const library = createProxyServer({ xfwd: true });
    const forwarder = new WebForwarder({ agents, xfwd: true, timeout: undefined, proxyTimeout: undefined, onError: (_e, _q, res) => res.writeHead(503).end() });
    const a = http.createServer((req, res) => library.web(req, res, { target: pick(req), agent: agents.http, headers: { connection: 'keep-alive' } }, () => res.writeHead(503).end()));
    const b = http.createServer((req, res) => forwarder.forward(req, res, pick(req), { lastActivity: 0 }));
    servers.push(a, b);
    [viaLibrary, viaForwarder] = await Promise.all([listen(a), listen(b)]);
  });
  after(async () => {
    for (const s of [...servers, chunked]) {
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
    destroyBackendAgents(agents);
    await backend.close();
  });

  const host = ['Host', 'hub.example:8000'];
  const cases: Array<[string, string, string, string[], string[]?]> = [
    ['plain GET', 'GET', '/user/a/api/status?x=1', host],
    ['X-Forwarded-* appended, Connection: close', 'GET', '/user/a/x', [...host, 'X-Forwarded-For', '10.0.0.1', 'X-Forwarded-Proto', 'https', 'X-Forwarded-Host', 'public.example', 'X-Forwarded-Prefix', '/p', 'Connection', 'close']],
    ['duplicate headers', 'GET', '/user/a/dup', [...host, 'Accept', 'text/html', 'Accept', 'application/json', 'Cookie', 'a=1', 'Cookie', 'b=2']],
    ['Host without port', 'GET', '/user/a/x', ['Host', 'hub.example']],
    ['POST with a length', 'POST', '/user/a/post', [...host, 'Content-Type', 'text/plain', 'Content-Length', '5'], ['hello']],
    ['POST chunked, its Trailer header dropped', 'POST', '/user/a/chunked-post', [...host, 'Transfer-Encoding', 'chunked', 'Trailer', 'Expires'], ['hel', 'lo']],
    ['DELETE without a length', 'DELETE', '/user/a/thing', host],
    ['OPTIONS without a length', 'OPTIONS', '/user/a/thing', host],
    ['dot segments', 'GET', '/user/a/b/../c/./d/%2e%2E/e?q=/../', host],
    ['characters the URL parser encodes', 'GET', "/user/a/x'y|z^?q='v'|", host],
    ['empty query', 'GET', '/user/a/x?', host],
    ['double slash', 'GET', '//user/a/x', host],
    ['target with a path and query', 'GET', '/prefixed/x/y?z=2', host],
    ['backend redirect', 'GET', '/user/a/redirect', host],
    ['backend 404', 'GET', '/user/a/notfound', host],
    ['chunked response with a repeated header', 'GET', '/chunked/x', host],
  ];
  for (const [name, method, path, headers, body] of cases) {
    test(name, async () => {
      backend.seen.length = 0;
      const a = await send(viaLibrary, method, path, headers, body);
      const b = await send(viaForwarder, method, path, headers, body);
      assert.deepEqual(b, a);
      if (!path.startsWith('/chunked')) {
        assert.equal(backend.seen.length, 2);
        assert.deepEqual(backend.seen[1], backend.seen[0]);
      }
    });
  }

  for (const [name, request] of [
    ['HTTP/1.0 without Host', 'GET /user/a/old HTTP/1.0\r\n\r\n'],
    ['HTTP/1.0 asking for keep-alive', 'GET /user/a/old HTTP/1.0\r\nHost: hub.example\r\nConnection: keep-alive\r\n\r\n'],
  ]) {
    test(name, async () => {
      backend.seen.length = 0;
      const a = await raw(viaLibrary, request ?? '');
      const b = await raw(viaForwarder, request ?? '');
      assert.deepEqual(b, a);
      assert.equal(backend.seen.length, 2);
      assert.deepEqual(backend.seen[1], backend.seen[0]);
    });
  }
});

describe('web-forward.ts path helpers', () => {
  const paths = ['/', '/a/b?c=d', '/a/./b', '/a/../../b', '/a/%2e%2e/b', '/a/.hidden/b.txt', '/a?', '/a?b?c', "/a'b", '/a b', '/a"b', '/a%zz', '/a\\b', '/a#f', '//a/b', '?q', '', '/a/{x}', '/ä'];
  test('normalisedPath is the WHATWG parser\'s pathname + search (http-proxy-3 getPath)', () => {
    for (const p of paths) {
      const expected = p === '' || p.startsWith('?') ? p : ((u) => u.pathname + u.search)(new URL(p.startsWith('//') ? `http://base.invalid${p}` : p, 'http://base.invalid'));
      assert.equal(normalisedPath(p), expected, p);
    }
  });
  test('joinPaths is http-proxy-3 urlJoin', () => {
    for (const base of ['/', '/base', '/base/', '/base?t=1', '/?t=1', '']) {
      for (const p of paths) assert.equal(joinPaths(base, p), urlJoin(base, p), `${base} + ${p}`);
    }
  });
});
