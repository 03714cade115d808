/**
 * The spawn pages at phone size (390x844) in Chromium, with the real jupyterhub-singleuser started through them:
 * home, the options form, spawn-pending with its live progress bar, the running server, and the not-running page
 * after a stop. Each page must fit the phone's width. Screenshots go to test-artifacts/spawn-pages/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { launchChromium, saveScreenshot } from '../helpers/browser.js';
import { ROOT, tempDir } from '../helpers/cli.js';
import { request, startTestHub } from '../helpers/hub.js';

const SHOTS = path.join(ROOT, 'test-artifacts', 'spawn-pages');
const OPTIONS_FORM = '<label for="size">Server size</label> <select id="size" name="size"><option>small</option><option>large</option></select>';

/** Until the hub reports the user's default server as spawning (read over the control socket). */
async function waitPending(socketPath: string, user: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const r = await request({ socketPath, path: `/hub/api/users/${user}` });
    if ((r.body as { pending?: unknown } | undefined)?.pending === 'spawn') return;
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error(`${user}'s server never became pending`);
}

test('the spawn pages work and fit on a phone: options form, spawn-pending progress, not-running', { timeout: 180_000 }, async () => {
  await mkdir(SHOTS, { recursive: true });
  const dir = await tempDir();
  // The server starts a few seconds late, so the spawn-pending page is seen with its progress bar moving.
  const config = {
    JupyterHub: { authenticator_class: 'dummy', spawner_class: 'simple', allow_named_servers: true },
    Spawner: { cmd: ['/bin/sh', '-c', 'sleep 3; exec jupyterhub-singleuser --allow-root', 'singleuser'], options_form: OPTIONS_FORM, http_timeout: 90, default_url: '/tree' },
    SimpleLocalProcessSpawner: { home_dir_template: path.join(dir, 'home', '{username}') },
  };
  await writeFile(path.join(dir, 'hub.yml'), JSON.stringify(config));
  const t = await startTestHub({ dir, withProxy: true, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  const browser = await launchChromium({ width: 390, height: 844 });
  const { page } = browser;
  const fits = async (what: string): Promise<void> => {
    // A string, evaluated in the page: this file is compiled without the DOM library.
    const overflow = Number(await page.evaluate('document.documentElement.scrollWidth - window.innerWidth'));
    assert.ok(overflow <= 1, `${what} fits a phone (overflow ${overflow}px)`);
  };
  try {
    const base = t.status.public_url.replace(/\/$/, '');
    await page.goto(`${base}/hub/login`);
    await page.fill('#username_input', 'phoebe');
    await page.fill('#password_input', 'any');
    await page.click('#login_submit');
    await page.waitForLoadState('load');
    await page.goto(`${base}/hub/home`);
    await fits('home');
    await saveScreenshot(page, { path: path.join(SHOTS, 'home-phone.png'), fullPage: true });

    await page.goto(`${base}/hub/spawn`);
    assert.ok(await page.isVisible('#spawn_form select#size'), 'the options form is shown');
    await fits('the options form');
    await saveScreenshot(page, { path: path.join(SHOTS, 'spawn-form-phone.png'), fullPage: true });
    await page.selectOption('#size', 'large');

    // The POST waits up to 10 s for the server (JupyterHub's slow_spawn_timeout); a second tab watches the
    // spawn-pending page meanwhile, as a person who opened it would.
    const landed = page.waitForURL(/\/user\/phoebe\/tree/, { timeout: 120_000, waitUntil: 'commit' });
    await page.evaluate("document.querySelector('#spawn_form').requestSubmit()");
    await waitPending(t.status.socket, 'phoebe');
    const pending = await browser.context.newPage();
    await pending.setViewportSize({ width: 390, height: 844 });
    await pending.goto(`${base}/hub/spawn-pending/phoebe`);
    await pending.waitForSelector('#progress-log li', { state: 'attached', timeout: 30_000 });
    await pending.click('summary');
    assert.ok(await pending.isVisible('#progress-log li'), 'the event log opens');
    assert.ok(Number(await pending.getAttribute('.progress', 'aria-valuenow')) > 0, 'the progress bar has moved');
    const overflow = Number(await pending.evaluate('document.documentElement.scrollWidth - window.innerWidth'));
    assert.ok(overflow <= 1, `spawn-pending fits a phone (overflow ${overflow}px)`);
    await saveScreenshot(pending, { path: path.join(SHOTS, 'spawn-pending-phone.png'), fullPage: true });
    // Closed before the server is ready: two tabs doing the server's OAuth round trip at once would race on its
    // state cookie (as they would in any browser).
    await pending.close();
    await landed;
    const model = await t.hub.db?.('spawners').join('users', 'users.id', 'spawners.user_id').where('users.name', 'phoebe').first('spawners.user_options');
    assert.deepEqual(JSON.parse(String((model as { user_options?: unknown } | undefined)?.user_options ?? '{}')), { size: ['large'] }, 'the form choice reached the spawner');

    await page.goto(`${base}/hub/home`);
    assert.ok(await page.isVisible('#stop'), 'home offers to stop the running server');
    await fits('home with a running server');
    await saveScreenshot(page, { path: path.join(SHOTS, 'home-running-phone.png'), fullPage: true });
    await page.click('#stop');
    await page.waitForSelector('#stop', { state: 'detached', timeout: 60_000 });

    const res = await page.goto(`${base}/user/phoebe/tree`);
    assert.equal(res?.status(), 424, `${res?.url() ?? ''}: ${(await page.content()).slice(0, 1500)}`);
    assert.ok(page.url().includes('/hub/user/phoebe/tree'), page.url());
    assert.equal((await page.textContent('h1'))?.trim(), 'Server not running');
    await fits('the not-running page');
    await saveScreenshot(page, { path: path.join(SHOTS, 'not-running-phone.png'), fullPage: true });
  } finally {
    await browser.close();
    await t.stop();
  }
});
