/**
 * proxy-main as a process: its command line (CHP's flags, refusals named), public TLS (against CHP too),
 * clear errors for bad certificate files, one log line at start and no secret in the output, graceful SIGTERM.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PROXY_MAIN } from '../../src/daemon/proxy/proxy-args.js';
import { EXIT_CODES } from '../../src/lib/errors.js';
import { startBackend, type Backend } from '../helpers/proxy-backends.js';
import { makeCert, type TestCert } from '../helpers/proxy-certs.js';
import { CHP_AVAILABLE, PROXY_KINDS, proxyTestEnv, startProxyUnderTest } from '../helpers/proxy-harness.js';
import { eventually, freePort, httpRequest } from '../helpers/proxy-http.js';

let dir: string;
let good: TestCert;
let other: TestCert;
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'hub-proxy-main-'));
  good = makeCert(dir, 'good');
  other = makeCert(dir, 'other');
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function runMain(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [PROXY_MAIN, ...args], { env: proxyTestEnv(), encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('proxy-main command line', () => {
  test('--help prints usage and exits 0', () => {
    const r = runMain(['--help']);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /--api-port/);
    assert.match(r.stdout, /CONFIGPROXY_AUTH_TOKEN/);
  });

  test('CHP flags we do not implement are refused by name', () => {
    const r = runMain(['--storage-backend', 'redis', '--port', '0']);
    assert.equal(r.status, EXIT_CODES.NOT_IMPLEMENTED);
    assert.match(r.stderr, /--storage-backend is not supported yet/);
  });

  test('unknown flags and bad values are usage errors', () => {
    assert.equal(runMain(['--no-such-flag']).status, EXIT_CODES.USAGE);
    const r = runMain(['--port', 'eighty']);
    assert.equal(r.status, EXIT_CODES.USAGE);
    assert.match(r.stderr, /--port must be a port number/);
  });

  test('a missing TLS key file is named, with the flag to fix', () => {
    const r = runMain(['--port', '0', '--ssl-key', path.join(dir, 'missing.key'), '--ssl-cert', good.cert]);
    assert.equal(r.status, EXIT_CODES.CONFIG_INVALID);
    assert.match(r.stderr, /TLS key file .*missing\.key does not exist/);
    assert.match(r.stderr, /ssl_key/);
  });

  test('a key that does not belong to the certificate is reported as such', () => {
    const r = runMain(['--port', '0', '--ssl-key', other.key, '--ssl-cert', good.cert]);
    assert.equal(r.status, EXIT_CODES.CONFIG_INVALID);
    assert.match(r.stderr, /does not belong to certificate/);
  });

  test('a file that is not PEM is reported with both paths', async () => {
    const junk = path.join(dir, 'junk.crt');
    await writeFile(junk, 'not a certificate');
    const r = runMain(['--port', '0', '--ssl-key', good.key, '--ssl-cert', junk]);
    assert.equal(r.status, EXIT_CODES.CONFIG_INVALID);
    assert.match(r.stderr, /junk\.crt unusable/);
  });
});

for (const kind of PROXY_KINDS) {
  test(`public TLS with ssl_key/ssl_cert (${kind})`, { skip: kind === 'chp' && !CHP_AVAILABLE ? 'configurable-http-proxy not installed' : false }, async () => {
    const backend = await startBackend('tls-backend');
    const proxy = await startProxyUnderTest(kind, { sslKey: good.key, sslCert: good.cert });
    try {
      const ca = await readFile(good.cert);
      assert.equal((await proxy.api('POST', '/api/routes/user/t', { body: JSON.stringify({ target: backend.url }) })).status, 201);
      const health = await httpRequest(`${proxy.publicUrl}/_chp_healthz`, { ca });
      assert.equal(health.status, 200);
      const echo = (await httpRequest(`${proxy.publicUrl}/user/t/x`, { ca })).json() as { headers: Record<string, string> };
      assert.equal(echo.headers['x-forwarded-proto'], 'https');
    } finally {
      await proxy.stop();
      await backend.close();
    }
  });
}

describe('proxy-main process', () => {
  let backend: Backend;
  before(async () => {
    backend = await startBackend('graceful');
  });
  after(() => backend.close());

  test('logs one line at start, never the token; SIGTERM lets a request in flight finish, exits 0, removes the pid file', async () => {
    const [port, apiPort] = [await freePort(), await freePort()];
    const pidFile = path.join(dir, 'main.pid');
    const token = 'do-not-print-this-token-0123456789';
    const child = spawn(process.execPath, [PROXY_MAIN, '--ip', '127.0.0.1', '--port', String(port), '--api-ip', '127.0.0.1', '--api-port', String(apiPort), '--pid-file', pidFile], {
      env: { ...proxyTestEnv(), CONFIGPROXY_AUTH_TOKEN: token },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const auth = { Authorization: `token ${token}` };
    await eventually('proxy API', async () => ((await httpRequest(`http://127.0.0.1:${apiPort}/api/routes`, { headers: auth }).catch(() => undefined))?.status === 200 ? true : undefined));
    assert.equal((await readFile(pidFile, 'utf8')).trim(), String(child.pid));
    await httpRequest(`http://127.0.0.1:${apiPort}/api/routes/g`, { method: 'POST', headers: auth, body: JSON.stringify({ target: backend.url }) });
    const inFlight = httpRequest(`http://127.0.0.1:${port}/g/slow`);
    await eventually('request at the backend', async () => (backend.seen.some((r) => r.url === '/g/slow') ? true : undefined));
    child.kill('SIGTERM');
    const res = await inFlight;
    assert.equal(res.status, 200);
    assert.equal(await exited, 0);
    assert.equal(output.split('\n').filter((l) => /Proxying/.test(l)).length, 1, output);
    assert.ok(!output.includes(token));
    await assert.rejects(readFile(pidFile), /ENOENT/);
  });
});
