import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { launchChromium, saveScreenshot } from '../helpers/browser.js';
import { ROOT } from '../helpers/cli.js';
import { startTestHub } from '../helpers/hub.js';
import { HttpBrowser } from '../helpers/browser.js';

/**
 * The pages in a real browser (Debian's headless Chromium through playwright-core): sign in, see the home page,
 * make a token on /hub/token and revoke it, use /hub/admin as an admin, at desktop and phone sizes.
 * Screenshots go to test-artifacts/ (git-ignored) for a person to look at.
 */
const SHOTS = path.join(ROOT, 'test-artifacts', 'browser');

test('a browser signs in, makes and revokes a token, and administers users', async () => {
  await mkdir(SHOTS, { recursive: true });
  const t = await startTestHub({ overrides: [
    'JupyterHub.authenticator_class=dummy', 'Authenticator.admin_users=["admin"]', 'JupyterHub.redirect_to_server=false', 'Authenticator.allowed_users=["ada","grace"]',
    'JupyterHub.allow_named_servers=true', 'JupyterHub.admin_access=true', 'JupyterHub.services=[{"name":"dashboard","url":"http://127.0.0.1:9"}]',
  ] });
  const browser = await launchChromium();
  try {
    const hub = t.status.hub_url;
    const { page } = browser;
    page.on('dialog', (d) => void d.accept());
    // No script errors and no failed loads of the pages' own files, on any page visited below.
    const problems: string[] = [];
    // Chromium logs every 4xx answer as "Failed to load resource", refused forms' pages (409, 400) too; the
    // response listener judges loads, by kind.
    page.on('console', (m) => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`console: ${m.text()}`); });
    page.on('pageerror', (e) => problems.push(`script: ${e.message}`));
    page.on('response', (r) => { if (r.status() >= 400 && r.request().resourceType() !== 'document') problems.push(`${r.status()} ${r.url()}`); });

    await page.goto(`${hub}home`);
    assert.match(page.url(), /\/hub\/login\?next=%2Fhub%2Fhome$/);
    await saveScreenshot(page, { path: path.join(SHOTS, 'login.png') });
    await page.fill('#username_input', 'admin');
    await page.fill('#password_input', 'any password');
    await Promise.all([page.waitForURL(/\/hub\/home$/), page.click('#login_submit')]);
    assert.equal(await page.textContent('.username'), 'admin');
    assert.ok(await page.isVisible('a[href="/hub/admin"]'), 'admins see the Admin link');
    await page.click('#services-menu summary');
    assert.ok(await page.isVisible('#services-menu a[href="/services/dashboard/"]'), 'the Services menu lists display services');
    await saveScreenshot(page, { path: path.join(SHOTS, 'home.png') });

    await page.goto(`${hub}token`);
    await page.fill('#token-note', 'browser test');
    await page.selectOption('#token-expiration-seconds', '86400');
    await Promise.all([page.waitForSelector('#token-result'), page.click('#request-token-form button[type=submit]')]);
    const token = (await page.textContent('#token-result'))?.trim() ?? '';
    assert.match(token, /^[0-9a-f]{32}$/);
    await saveScreenshot(page, { path: path.join(SHOTS, 'token-created.png'), fullPage: true });
    const api = new HttpBrowser(new URL(hub).origin);
    assert.equal((await api.get('/hub/api/users/admin', { authorization: `token ${token}` })).status, 200);

    await page.goto(`${hub}token`);
    assert.equal(await page.locator('#api-tokens .token-row').count(), 1);
    await Promise.all([page.waitForURL(/\/hub\/token$/), page.click('#api-tokens .revoke-token-btn')]);
    await page.waitForSelector('text=You have no API tokens');
    assert.equal((await api.get('/hub/api/users/admin', { authorization: `token ${token}` })).status, 403);
    await saveScreenshot(page, { path: path.join(SHOTS, 'token-revoked.png') });

    await page.goto(`${hub}admin`);
    assert.equal(await page.locator('#users .user-row').count(), 3);
    await page.click('.add-users summary');
    await page.fill('#add-usernames', 'linus\nmargaret');
    await Promise.all([page.waitForURL(/done=added/), page.click('#add-users-submit')]);
    assert.equal(await page.textContent('.flash'), 'Added 2 user(s).');
    assert.equal(await page.locator('#users .user-row').count(), 5);
    await saveScreenshot(page, { path: path.join(SHOTS, 'admin.png'), fullPage: true });
    await Promise.all([page.waitForURL(/done=deleted/), page.click('tr[data-user="linus"] .delete-user')]);
    assert.equal(await page.locator('tr[data-user="linus"]').count(), 0);

    // A refused add shows why on the admin page itself.
    await page.click('.add-users summary');
    await page.fill('#add-usernames', 'margaret');
    await Promise.all([page.waitForSelector('.flash-error'), page.click('#add-users-submit')]);
    assert.equal(await page.textContent('.flash-error'), 'User margaret already exists');
    // Edit: rename and make admin in one form.
    await page.click('tr[data-user="margaret"] .edit-user summary');
    await page.fill('tr[data-user="margaret"] .edit-user-form input[name="name"]', 'maggie');
    await page.check('tr[data-user="margaret"] .edit-user-form input[name="admin"]');
    await Promise.all([page.waitForURL(/done=edited/), page.click('tr[data-user="margaret"] .edit-user-form button')]);
    assert.equal(await page.locator('tr[data-user="margaret"]').count(), 0);
    assert.ok(await page.isVisible('tr[data-user="maggie"] .badge-admin'));
    // Sorting by name, then reversed.
    await page.click('th a.sort-link >> text=User');
    await page.click('th a.sort-link >> text=User');
    assert.equal(await page.getAttribute('#users tbody tr:first-child', 'data-user'), 'maggie');
    assert.match(page.url(), /sort=-name/);

    // Groups: create one, add members, remove one.
    await page.click('#groups-link');
    await page.fill('#new-group-name', 'physics');
    await Promise.all([page.waitForURL(/done=created/), page.click('#create-group-form button')]);
    await page.fill('[data-group="physics"] input[name="usernames"]', 'ada grace');
    await Promise.all([page.waitForURL(/done=added/), page.click('[data-group="physics"] .add-members-form button')]);
    assert.equal(await page.locator('[data-group="physics"] .member').count(), 2);
    await Promise.all([page.waitForURL(/done=removed/), page.click('[data-member="grace"] .remove-member')]);
    assert.deepEqual(await page.locator('[data-group="physics"] .member > span').allTextContents(), ['ada']);
    await saveScreenshot(page, { path: path.join(SHOTS, 'admin-groups.png'), fullPage: true });

    await page.goto(`${hub}error/503`);
    assert.ok(await page.isVisible('a[href="/hub/home"]'), 'the proxy error page links back to the hub');
    await saveScreenshot(page, { path: path.join(SHOTS, 'error-503.png') });

    await page.setViewportSize({ width: 390, height: 844 });
    for (const name of ['admin', 'admin/groups', 'home']) {
      await page.goto(`${hub}${name}`);
      // A string, evaluated in the page: this file is compiled without the DOM library.
      const overflow = Number(await page.evaluate('document.documentElement.scrollWidth - window.innerWidth'));
      assert.ok(overflow <= 1, `${name} fits a phone (overflow ${overflow}px)`);
      await saveScreenshot(page, { path: path.join(SHOTS, `${name.replace('/', '-')}-phone.png`), fullPage: true });
    }
    await page.goto(`${hub}token`);
    await saveScreenshot(page, { path: path.join(SHOTS, 'token-phone.png'), fullPage: true });

    await Promise.all([page.waitForURL(/\/hub\/login$/), page.click('#logout')]);
    await saveScreenshot(page, { path: path.join(SHOTS, 'login-phone.png') });
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
    await t.stop();
  }
});
