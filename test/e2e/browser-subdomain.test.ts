import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { launchChromium, saveScreenshot } from '../helpers/browser.js';
import { ROOT } from '../helpers/cli.js';
import { startTestHub } from '../helpers/hub.js';
import { createUnixUser, removeUnixUser } from '../helpers/unix-user.js';
import { runCell } from '../helpers/notebook.js';
import { freePort } from '../../src/daemon/spawner/free-port.js';

/**
 * JupyterHub.subdomain_host as a person meets it: Chromium (told that hub.test and *.hub.test are 127.0.0.1)
 * logs in with PAM at hub.test, is sent to its own server on <name>.hub.test after the spawn and the OAuth round
 * trip across the two hosts, and runs a python cell there over the kernel's websocket, through our proxy's host
 * routing. Screenshots go to test-artifacts/subdomain/.
 */
const SHOTS = path.join(ROOT, 'test-artifacts', 'subdomain');

test('Chromium logs in at hub.test and runs a cell on its own server at <name>.hub.test', { timeout: 180_000 }, async () => {
  await mkdir(SHOTS, { recursive: true });
  const password = `pw-${Date.now()}`;
  const account = await createUnixUser({ password });
  const port = await freePort();
  const hubOrigin = `http://hub.test:${port}`;
  const t = await startTestHub({ withProxy: true, overrides: [`JupyterHub.port=${port}`, `JupyterHub.subdomain_host=${hubOrigin}`, 'Spawner.http_timeout=90', 'Spawner.default_url=/tree'] });
  const browser = await launchChromium(undefined, ['--host-resolver-rules=MAP *.hub.test 127.0.0.1, MAP hub.test 127.0.0.1']);
  try {
    const { page } = browser;
    await page.goto(`${hubOrigin}/hub/login`);
    await page.fill('#username_input', account.name);
    await page.fill('#password_input', password);
    await page.click('#login_submit');
    const userOrigin = `http://${account.name}.hub.test:${port}`;
    await page.waitForURL((u) => u.href.startsWith(`${userOrigin}/user/${account.name}/tree`), { timeout: 120_000 });
    await saveScreenshot(page, { path: path.join(SHOTS, '1-tree.png') });

    const text = await runCell(page, userOrigin, `/user/${account.name}/`, 'print(6 * 7, "from", __import__("getpass").getuser())');
    await saveScreenshot(page, { path: path.join(SHOTS, '2-cell-output.png') });
    assert.equal(text, `42 from ${account.name}`);
    assert.equal(new URL(page.url()).host, `${account.name}.hub.test:${port}`, 'the notebook is on the user\'s own host');
  } finally {
    await browser.close();
    await t.stop();
    await removeUnixUser(account.name);
  }
});
