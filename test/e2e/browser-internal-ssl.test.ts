import { test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { launchChromium, saveScreenshot } from '../helpers/browser.js';
import { ROOT } from '../helpers/cli.js';
import { startTestHub } from '../helpers/hub.js';
import { createUnixUser } from '../helpers/unix-user.js';
import { runCell } from '../helpers/notebook.js';

/**
 * internal_ssl with real parts: every hop inside the hub is HTTPS with client certificates from hub's own
 * authorities. A browser still logs in (PAM), gets the real jupyterhub-singleuser and runs a cell; a client
 * without a certificate, or with one from the wrong authority, is refused by the hub API, the proxy API and the
 * single-user server.
 */
const SHOTS = path.join(ROOT, 'test-artifacts', 'internal-ssl');

/** Resolves with the HTTP status, or with the TLS error's code when the server refuses the handshake. */
function tryGet(url: string, opts: https.RequestOptions): Promise<number | string> {
  return new Promise((resolve) => {
    const req = https.get(url, { ...opts, agent: false, timeout: 10_000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

test('internal_ssl: the notebook works in a browser, and internal listeners refuse clients without our certificates', { timeout: 180_000 }, async () => {
  await mkdir(SHOTS, { recursive: true });
  const password = `pw-${Date.now()}`;
  const account = await createUnixUser({ password });
  const t = await startTestHub({ withProxy: true, overrides: ['JupyterHub.internal_ssl=true', 'Spawner.http_timeout=90', 'Spawner.default_url=/tree'] });
  const browser = await launchChromium();
  try {
    assert.match(t.status.hub_url, /^https:/, 'the hub API is https');
    const certs = path.join(t.dir, 'internal-ssl');
    const ca = await readFile(path.join(certs, 'hub-ca_trust.crt'));
    const { page } = browser;
    const base = t.status.public_url.replace(/\/$/, '');
    await page.goto(`${base}/hub/login`);
    await page.fill('#username_input', account.name);
    await page.fill('#password_input', password);
    await page.click('#login_submit');
    await page.waitForURL(new RegExp(`/user/${account.name}/tree`), { timeout: 120_000 });
    await saveScreenshot(page, { path: path.join(SHOTS, 'tree.png') });
    // The kernel's websocket goes browser -> proxy -> (TLS, client certificate) -> server.
    assert.equal(await runCell(page, base, `/user/${account.name}/`, 'print(6 * 7)'), '42');
    await saveScreenshot(page, { path: path.join(SHOTS, 'cell.png') });

    // The server's own certificate sits in the user's home, readable by the user only.
    const runtime = t.hub.servers.runtime(account.name, '');
    assert.equal(runtime.ready, true);
    const db = t.hub.db;
    assert.ok(db);
    const row = await db('servers').first();
    assert.equal(row?.proto, 'https');
    const serverUrl = `https://127.0.0.1:${String(row?.port)}/user/${account.name}/`;

    const noCert = { ca, checkServerIdentity: () => undefined };
    assert.equal(typeof (await tryGet(`${t.status.hub_url}api/`, noCert)), 'string', 'hub API refuses a client without a certificate');
    const proxyApi = t.hub.proxy?.apiUrl ?? '';
    assert.match(proxyApi, /^https:/);
    assert.equal(typeof (await tryGet(`${proxyApi}/api/routes`, noCert)), 'string', 'proxy API refuses a client without a certificate');
    assert.equal(typeof (await tryGet(serverUrl, noCert)), 'string', 'the single-user server refuses a client without a certificate');
    // A certificate from the wrong authority: the proxy's API certificate is not trusted by notebooks-ca_trust.
    const wrong = { ...noCert, key: await readFile(path.join(certs, 'proxy-api', 'proxy-api.key')), cert: await readFile(path.join(certs, 'proxy-api', 'proxy-api.crt')) };
    assert.equal(typeof (await tryGet(serverUrl, wrong)), 'string', 'the single-user server refuses proxy-api-ca certificates');
    // And the right one (the hub's) is accepted: the hub talks to the server.
    const hubCert = { ...noCert, key: await readFile(path.join(certs, 'hub-internal', 'hub-internal.key')), cert: await readFile(path.join(certs, 'hub-internal', 'hub-internal.crt')) };
    assert.equal(await tryGet(serverUrl, hubCert), 302, 'with the hub-internal certificate the server answers');
  } finally {
    await browser.close();
    await t.stop();
    await account.remove();
  }
});
