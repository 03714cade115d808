import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import https from 'node:https';
import path from 'node:path';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { tempDir } from '../helpers/cli.js';
import { relayProxyLine } from '../../src/daemon/proxy-stage.js';

async function proxyArgs(t: TestHub): Promise<string[]> {
  const pid = (await readFile(path.join(t.dir, 'jupyterhub-proxy.pid'), 'utf8')).trim();
  return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
}

function after(args: string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  return i === -1 ? undefined : args[i + 1];
}

test('ConfigurableHTTPProxy.log_level reaches the proxy; debug (and the old JupyterHub.debug_proxy) make it debug', async () => {
  const warn = await startTestHub({ withProxy: true, overrides: ['ConfigurableHTTPProxy.log_level=warn'] });
  try {
    assert.equal(after(await proxyArgs(warn), '--log-level'), 'warn');
  } finally {
    await warn.stop();
  }
  const debug = await startTestHub({ withProxy: true, overrides: ['ConfigurableHTTPProxy.log_level=warn', 'JupyterHub.debug_proxy=true'] });
  try {
    assert.equal(after(await proxyArgs(debug), '--log-level'), 'debug');
  } finally {
    await debug.stop();
  }
});

test('ssl_key and ssl_cert: the proxy serves https, and the public URL says so', async () => {
  const dir = await tempDir();
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  const t = await startTestHub({ dir, withProxy: true, overrides: [`JupyterHub.ssl_key=${key}`, `JupyterHub.ssl_cert=${cert}`] });
  try {
    assert.match(t.status.public_url, /^https:\/\/127\.0\.0\.1:\d+\/$/);
    const status = await new Promise<number>((resolve, reject) => {
      https.get(`${t.status.public_url}hub/api/`, { ca: execFileSync('cat', [cert]) }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', reject);
    });
    assert.equal(status, 200);
  } finally {
    await t.stop();
  }
});

test('a custom JupyterHub.proxy_class is refused with the way to use another proxy', async () => {
  await assert.rejects(startTestHub({ withProxy: true, overrides: ['JupyterHub.proxy_class=./my-proxy.js'] }), (err: Error & { code?: string; hint?: string }) => {
    assert.equal(err.code, 'CONFIG_INVALID');
    assert.match(err.message, /JupyterHub\.proxy_class .*my-proxy\.js: hub supports only configurable-http-proxy/);
    assert.match(err.hint ?? '', /ConfigurableHTTPProxy\.command/);
    return true;
  });
});

test('the ready line says where to open the hub, and the route check every check_running_interval logs at debug only', async () => {
  const t = await startTestHub({ withProxy: true, overrides: ['ConfigurableHTTPProxy.check_running_interval=1'] });
  try {
    const ready = t.logs.find((l) => l.includes('is ready'));
    assert.ok(ready?.startsWith(`INFO hub `) && ready.includes(` is ready at ${t.status.public_url}: API at `), ready);
    // Two checks' worth: each answer of the proxy comes back at debug, never at info (5 s of noise in a quiet log).
    const deadline = Date.now() + 5000;
    const checks = (): string[] => t.logs.filter((l) => / 200 GET \/api\/routes\s*$/.test(l));
    while (checks().length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.ok(checks().length >= 2, `route checks seen: ${checks().join(' | ')}`);
    for (const l of checks()) assert.match(l, /^DEBUG \[proxy\] /);
    // What else the proxy says still reaches the log at info.
    assert.ok(t.logs.some((l) => /^INFO \[proxy\] .*Route added \//.test(l)), 'route changes stay at info');
  } finally {
    await t.stop();
  }
});

test('relayProxyLine: only a successful GET of the route list is demoted, from our proxy or a real CHP', () => {
  const seen: string[] = [];
  const log = { debug: (m: string) => seen.push(`DEBUG ${m}`), info: (m: string) => seen.push(`INFO ${m}`), warn: () => {}, error: () => {}, child: () => log };
  relayProxyLine(log, '04:44:00.817 [ConfigProxy] INFO: 200 GET /api/routes');
  relayProxyLine(log, '04:44:00.817 [ConfigProxy] \x1b[32minfo\x1b[39m: 200 GET /api/routes ');
  relayProxyLine(log, '04:44:00.817 [ConfigProxy] INFO: 201 POST /api/routes/user/alice');
  relayProxyLine(log, '04:44:00.817 [ConfigProxy] WARN: 403 GET /api/routes');
  relayProxyLine(log, '04:44:00.817 [ConfigProxy] INFO: 200 GET /api/routes/user/alice');
  assert.deepEqual(seen.map((l) => l.split(' ')[0]), ['DEBUG', 'DEBUG', 'INFO', 'INFO', 'INFO']);
});
