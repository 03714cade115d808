/** ChpClient's retry policy against a scripted fake API: what is retried (5xx, timeouts) and what is not (4xx). */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HubError } from '../../src/lib/errors.js';
import { ChpClient } from '../../src/daemon/proxy/chp-client.js';

type Script = (attempt: number, req: http.IncomingMessage, res: http.ServerResponse) => void;
let script: Script = () => undefined;
let attempts = 0;
const server = http.createServer((req, res) => {
  attempts++;
  script(attempts, req, res);
});
let apiUrl = '';

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function run(s: Script): void {
  attempts = 0;
  script = s;
}

test('5xx answers are retried (as JupyterHub), then the call succeeds', async () => {
  run((n, _req, res) => {
    res.writeHead(n < 3 ? 503 : 200, { 'Content-Type': 'application/json' });
    res.end(n < 3 ? 'busy' : '{}');
  });
  const client = new ChpClient({ apiUrl, authToken: 't', retryDeadlineMs: 10_000 });
  try {
    assert.deepEqual(await client.getAllRoutes(), {});
    assert.equal(attempts, 3);
  } finally {
    client.close();
  }
});

test('4xx other than 403/404 is an API_ERROR at once, with the answer in the message', async () => {
  run((_n, _req, res) => {
    res.writeHead(400);
    res.end("Must specify 'target' as string");
  });
  const client = new ChpClient({ apiUrl, authToken: 't', retryDeadlineMs: 10_000 });
  try {
    await assert.rejects(client.addRoute('/user/x/', 'http://h:1'), (err: unknown) => err instanceof HubError && err.code === 'API_ERROR' && /400: Must specify/.test(err.message));
    assert.equal(attempts, 1);
  } finally {
    client.close();
  }
});

test('a proxy that accepts but never answers times out per request, is retried, then gives up', async () => {
  run(() => undefined);
  const client = new ChpClient({ apiUrl, authToken: 't', requestTimeoutMs: 100, retryDeadlineMs: 400 });
  try {
    await assert.rejects(client.getRawRoutes(), (err: unknown) => err instanceof HubError && err.code === 'API_ERROR' && /ETIMEDOUT/.test(err.message));
    assert.ok(attempts >= 2, `attempts ${attempts}`);
  } finally {
    client.close();
    server.closeAllConnections();
  }
});

test('the marker and target are posted; the token is sent as `token <t>`', async () => {
  let seen: { auth?: string; body: string } = { body: '' };
  run((_n, req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen = { auth: req.headers.authorization, body };
      res.writeHead(201);
      res.end();
    });
  });
  const client = new ChpClient({ apiUrl, authToken: 'tok123' });
  try {
    await client.addRoute('/user/ann/', 'http://127.0.0.1:5000', { user: 'ann', server_name: '' });
    assert.equal(seen.auth, 'token tok123');
    assert.deepEqual(JSON.parse(seen.body), { user: 'ann', server_name: '', target: 'http://127.0.0.1:5000', jupyterhub: true });
  } finally {
    client.close();
  }
});
