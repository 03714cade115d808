import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import https from 'node:https';
import path from 'node:path';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { tempDir } from '../helpers/cli.js';

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
