/**
 * The proxy under internal_ssl, with certificates from a real store: the API over HTTPS accepts only client
 * certificates its bundle trusts (proxy-api-ca_trust.crt: hub, services, notebooks), and the proxy reaches
 * https single-user servers that require a client certificate with its proxy-client pair.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { WebSocketServer } from 'ws';
import { ChpClient } from '../../src/daemon/proxy/chp-client.js';
import { PROXY_MAIN, buildProxyArgs, type ProxyListenOptions } from '../../src/daemon/proxy/proxy-args.js';
import { parseProxyArgs } from '../../src/daemon/proxy/proxy-cli.js';
import { startProxy, type RunningProxy } from '../../src/daemon/proxy/proxy-runtime.js';
import { InternalSsl, type TlsFiles } from '../../src/daemon/ssl/internal-ssl.js';
import { readTlsFiles } from '../../src/daemon/ssl/tls-files.js';
import { HubError } from '../../src/lib/errors.js';
import { silentLogger } from '../../src/lib/log.js';
import { tempDir } from '../helpers/cli.js';
import { eventually, freePort, httpRequest } from '../helpers/proxy-http.js';
import { wsConnect } from '../helpers/proxy-ws.js';

const TOKEN = 'tls-secret';

interface TlsBackend {
  url: string;
  secureConnections: () => number;
  close: () => Promise<void>;
}

/** A single-user server as jupyterhub-singleuser runs under internal_ssl: its own cert, client certs required. */
async function startTlsBackend(files: TlsFiles): Promise<TlsBackend> {
  const tls = await readTlsFiles(files);
  const server = https.createServer({ ...tls, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    const peer = (req.socket as TLSSocket).getPeerCertificate();
    if ((req.url ?? '').startsWith('/hub/error/')) {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end(`hub error page for ${req.url ?? ''}`);
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    const sni = (req.socket as TLSSocket).servername;
    res.end(JSON.stringify({ url: req.url, peer: peer.subject.CN, sni: typeof sni === 'string' ? sni : null }));
  });
  server.keepAliveTimeout = 60_000;
  let secure = 0;
  server.on('secureConnection', () => secure++);
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws) => ws.on('message', (data: Buffer) => ws.send(`echo:${data.toString()}`)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    secureConnections: () => secure,
    close: async () => {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function apiGet(port: number, tls: { key?: Buffer; cert?: Buffer; ca: Buffer }): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port, path: '/api/routes', headers: { Authorization: `token ${TOKEN}` }, agent: false, ...tls }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

function listen(o: Partial<ProxyListenOptions>): ProxyListenOptions {
  return { ip: '127.0.0.1', port: 0, apiIp: '127.0.0.1', apiPort: 0, logLevel: 'error', ...o };
}

async function startInProcess(o: Partial<ProxyListenOptions>): Promise<RunningProxy> {
  const config = parseProxyArgs(buildProxyArgs(listen(o)));
  assert.ok(config !== 'help');
  return startProxy(config, { log: silentLogger, authToken: TOKEN });
}

describe('proxy with internal_ssl', () => {
  let cwd = '';
  let ssl: InternalSsl;
  let foreign: InternalSsl;
  let backend: TlsBackend;
  let proxy: RunningProxy;
  let hubTls: { key: Buffer; cert: Buffer; ca: Buffer };

  before(async () => {
    cwd = await tempDir('hub-proxy-tls-');
    ssl = await InternalSsl.init({ location: 'internal-ssl', cwd, hostname: 'hub.test' });
    foreign = await InternalSsl.init({ location: 'other-ssl', cwd, hostname: 'hub.test' });
    hubTls = await readTlsFiles(ssl.hub);
    backend = await startTlsBackend(await ssl.issueServerCert({ name: 'alice' }));
    proxy = await startInProcess({ apiSsl: ssl.proxyApi, clientSsl: ssl.proxyClient, errorTarget: `${backend.url}/hub/error` });
    proxy.routes.add('/user/alice', { target: backend.url });
  });
  after(async () => {
    await proxy.close(0);
    await backend.close();
    rmSync(cwd, { recursive: true, force: true });
  });

  test("the API accepts the hub's certificate and serves a certificate the hub trusts", async () => {
    assert.equal(await apiGet(proxy.apiAddress.port, hubTls), 200);
    assert.match(proxy.describe, /API https:\/\/127\.0\.0\.1:\d+\/api\/routes \(client certificates required\)/);
    // A notebook certificate chains to notebooks-ca, which proxy-api-ca_trust.crt holds, as in JupyterHub.
    const notebook = await readTlsFiles(await ssl.issueServerCert({ name: 'nb' }));
    assert.equal(await apiGet(proxy.apiAddress.port, { key: notebook.key, cert: notebook.cert, ca: hubTls.ca }), 200);
  });

  test('the API refuses a client without a certificate, with proxy-client (not trusted for the API), or from another store', async () => {
    await assert.rejects(apiGet(proxy.apiAddress.port, { ca: hubTls.ca }));
    const proxyClient = await readTlsFiles(ssl.proxyClient as TlsFiles);
    await assert.rejects(apiGet(proxy.apiAddress.port, { key: proxyClient.key, cert: proxyClient.cert, ca: hubTls.ca }));
    const stranger = await readTlsFiles(foreign.hub);
    await assert.rejects(apiGet(proxy.apiAddress.port, { key: stranger.key, cert: stranger.cert, ca: hubTls.ca }));
  });

  test('ChpClient with {cert, key, ca} drives the API; without a certificate it fails fast with a TLS error', async () => {
    const apiUrl = `https://127.0.0.1:${proxy.apiAddress.port}`;
    const client = new ChpClient({ apiUrl, authToken: TOKEN, ...hubTls });
    try {
      await client.addRoute('/user/bob/', backend.url, { user: 'bob' });
      assert.equal((await client.getRoute('/user/bob/'))?.target, backend.url);
      assert.equal(await client.ping(), true);
    } finally {
      client.close();
    }
    const bare = new ChpClient({ apiUrl, authToken: TOKEN, ca: hubTls.ca, retryDeadlineMs: 20_000 });
    const started = Date.now();
    try {
      await assert.rejects(bare.getAllRoutes(), (err: unknown) => err instanceof HubError && /TLS handshake/.test(err.message));
      assert.ok(Date.now() - started < 10_000, 'a refused certificate is not retried until the deadline');
    } finally {
      bare.close();
    }
  });

  test('requests reach an https server requiring client certs with the proxy-client certificate, over kept-alive connections', async () => {
    const before = backend.secureConnections();
    for (let i = 0; i < 5; i++) {
      const r = await httpRequest(`http://127.0.0.1:${proxy.publicAddress.port}/user/alice/api/status?i=${i}`);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json(), { url: `/user/alice/api/status?i=${i}`, peer: 'proxy-client', sni: null });
    }
    assert.equal(backend.secureConnections() - before, 1);
  });

  test("the backend is verified as the route's target host, not the public Host header; DNS targets get SNI", async () => {
    const viaPublicName = await httpRequest(`http://127.0.0.1:${proxy.publicAddress.port}/user/alice/tree`, { headers: { Host: 'jupyter.example.org' } });
    assert.equal(viaPublicName.status, 200, viaPublicName.text);
    proxy.routes.add('/user/local', { target: backend.url.replace('127.0.0.1', 'localhost') });
    const byName = await httpRequest(`http://127.0.0.1:${proxy.publicAddress.port}/user/local/`, { headers: { Host: 'jupyter.example.org' } });
    assert.equal(byName.status, 200, byName.text);
    assert.equal((byName.json() as { sni: unknown }).sni, 'localhost');
  });

  test('websockets reach the wss backend with the client certificate', async () => {
    const ws = await wsConnect(`ws://127.0.0.1:${proxy.publicAddress.port}/user/alice/api/kernels/k/channels`);
    try {
      ws.send('hello');
      assert.equal(await ws.next(), 'echo:hello');
    } finally {
      await ws.close();
    }
  });

  test('the https error target is fetched with the client certificate too (as CHP does)', async () => {
    const r = await httpRequest(`http://127.0.0.1:${proxy.publicAddress.port}/nowhere`);
    assert.equal(r.status, 404);
    assert.match(r.text, /hub error page for \/hub\/error\/404\?url=%2Fnowhere/);
  });

  test('without --client-ssl-* the backend is unreachable (503): its certificate is not trusted, ours is missing', async () => {
    const plain = await startInProcess({ apiSsl: ssl.proxyApi });
    try {
      plain.routes.add('/user/alice', { target: backend.url });
      assert.equal((await httpRequest(`http://127.0.0.1:${plain.publicAddress.port}/user/alice/`)).status, 503);
    } finally {
      await plain.close(0);
    }
  });

  test('bad TLS files are refused at start, naming the file and the flag', async () => {
    await assert.rejects(startInProcess({ apiSsl: { ...(ssl.proxyApi as TlsFiles), cafile: `${cwd}/missing.crt` } }), (err: unknown) => {
      assert.ok(err instanceof HubError && err.code === 'CONFIG_INVALID');
      assert.match(err.message, /missing\.crt does not exist/);
      assert.match(err.hint ?? '', /--api-ssl-ca/);
      return true;
    });
    const wrongKey = { ...(ssl.proxyApi as TlsFiles), keyfile: (ssl.proxyClient as TlsFiles).keyfile };
    await assert.rejects(startInProcess({ apiSsl: wrongKey }), (err: unknown) => err instanceof HubError && err.code === 'CONFIG_INVALID' && /does not belong to certificate/.test(err.message));
    const notCa = { ...(ssl.proxyClient as TlsFiles), cafile: (ssl.proxyClient as TlsFiles).keyfile };
    await assert.rejects(startInProcess({ clientSsl: notCa }), (err: unknown) => err instanceof HubError && /holds no PEM certificate/.test(err.message));
  });
});

/** The same flags on a real process line: our proxy-main, and Debian's configurable-http-proxy when present. */
describe('proxy processes started with the internal_ssl flags', () => {
  let cwd = '';
  let ssl: InternalSsl;
  let hubTls: { key: Buffer; cert: Buffer; ca: Buffer };

  before(async () => {
    cwd = await tempDir('hub-proxy-tls-');
    ssl = await InternalSsl.init({ location: 'internal-ssl', cwd, hostname: 'hub.test' });
    hubTls = await readTlsFiles(ssl.hub);
  });
  after(() => rmSync(cwd, { recursive: true, force: true }));

  async function exercise(command: string[]): Promise<string> {
    const [port, apiPort] = [await freePort(), await freePort()];
    const args = buildProxyArgs(listen({ port, apiPort, logLevel: 'info', apiSsl: ssl.proxyApi, clientSsl: ssl.proxyClient }));
    const [file, ...rest] = command as [string, ...string[]];
    const child: ChildProcess = spawn(file, [...rest, ...args], { env: { ...process.env, CONFIGPROXY_AUTH_TOKEN: TOKEN, NODE_PATH: '/usr/share/nodejs' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const apiUrl = `https://127.0.0.1:${apiPort}`;
    const client = new ChpClient({ apiUrl, authToken: TOKEN, ...hubTls });
    try {
      await eventually(`${file} API`, async () => ((await client.ping()) ? true : undefined), 15_000);
      await client.addRoute('/user/x/', 'https://127.0.0.1:9', { user: 'x' });
      assert.ok('/user/x/' in (await client.getAllRoutes()));
      await assert.rejects(apiGet(apiPort, { ca: hubTls.ca }));
      return output;
    } finally {
      client.close();
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  }

  test('our proxy-main', async () => {
    const output = await exercise([process.execPath, PROXY_MAIN]);
    assert.match(output, /API https:\/\/127\.0\.0\.1:\d+\/api\/routes \(client certificates required\)/);
    assert.doesNotMatch(output, /PRIVATE KEY/);
  });

  test('configurable-http-proxy accepts the same flags and our certificates', { skip: !existsSync('/usr/bin/configurable-http-proxy') && 'CHP not installed' }, async () => {
    await exercise(['/usr/bin/configurable-http-proxy']);
  });
});
