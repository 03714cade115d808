import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { launchChromium, saveScreenshot } from '../helpers/browser.js';
import { ROOT } from '../helpers/cli.js';
import { startTestHub } from '../helpers/hub.js';
import { createUnixUser, removeUnixUser } from '../helpers/unix-user.js';
import { runCell } from '../helpers/notebook.js';

/**
 * The whole path a person takes, with real parts only: a unix account made by useradd, PAM login at /hub/login,
 * LocalProcessSpawner starting the real jupyterhub-singleuser as that account, the spawn-pending page, our
 * proxy, the OAuth login into the notebook server, a new notebook, a python3 cell run over the kernel's
 * websocket, and its output read back. Screenshots go to test-artifacts/notebook/.
 */
const SHOTS = path.join(ROOT, 'test-artifacts', 'notebook');

test('Chromium logs in with PAM, gets a real notebook server through the proxy and runs a python cell', { timeout: 180_000 }, async () => {
  await mkdir(SHOTS, { recursive: true });
  const password = `pw-${Date.now()}`;
  const account = await createUnixUser({ password });
  const t = await startTestHub({ withProxy: true, overrides: ['Spawner.http_timeout=90', 'Spawner.default_url=/tree'] });
  const browser = await launchChromium();
  try {
    const { page } = browser;
    const base = t.status.public_url.replace(/\/$/, '');
    await page.goto(`${base}/hub/login`);
    await page.fill('#username_input', account.name);
    await page.fill('#password_input', password);
    await saveScreenshot(page, { path: path.join(SHOTS, '1-login.png') });
    await page.click('#login_submit');
    // Through spawn-pending (progress bar) to the notebook's file tree, after the OAuth round trip.
    await page.waitForURL(new RegExp(`/user/${account.name}/tree`), { timeout: 120_000 });
    await saveScreenshot(page, { path: path.join(SHOTS, '2-tree.png') });

    const text = await runCell(page, base, `/user/${account.name}/`, 'print(6 * 7, "from", __import__("getpass").getuser())');
    await saveScreenshot(page, { path: path.join(SHOTS, '3-cell-output.png') });
    assert.equal(text, `42 from ${account.name}`, 'the kernel runs as the unix user and its output came back over the websocket');
  } finally {
    await browser.close();
    await t.stop();
    await removeUnixUser(account.name);
  }
});
