import { test } from 'node:test';
import assert from 'node:assert/strict';
import { safeNextUrl } from '../../src/daemon/pages/next-url.js';
import { XsrfProtection } from '../../src/daemon/auth/xsrf.js';
import { listTokens } from '../../src/daemon/db/tokens-repo.js';
import { getUserByName, insertUsers } from '../../src/daemon/db/users-repo.js';
import { createGroup, addGroupMembers } from '../../src/daemon/db/groups-repo.js';
import { HttpBrowser, xsrfFrom } from '../helpers/browser.js';
import { request, startTestHub, type TestHub } from '../helpers/hub.js';
import { tempDir } from '../helpers/cli.js';
import { CHP_AVAILABLE, CHP_BIN } from '../helpers/proxy-harness.js';
import path from 'node:path';

/**
 * One test per class of JupyterHub security advisory (docs/security.md lists them): each replays the attack
 * against hub and expects it to fail.
 */
async function withHub(overrides: string[], fn: (t: TestHub, origin: string) => Promise<void>): Promise<void> {
  const t = await startTestHub({ overrides: ['JupyterHub.authenticator_class=dummy', ...overrides] });
  try {
    await fn(t, new URL(t.status.hub_url).origin);
  } finally {
    await t.stop();
  }
}

const EVIL_NEXT = [
  '//evil.example', '///evil.example', '////evil.example/x', '/\\evil.example', '\\\\evil.example', '/\\/evil.example',
  'https://evil.example/', 'http:evil.example', 'https:/evil.example', 'javascript:alert(1)', 'data:text/html,hi',
  '/%2F%2Fevil.example', '/%2f/evil.example', '%2F%2Fevil.example', '/%5Cevil.example', '/.//evil.example', '/./\\evil.example',
  '/\t/evil.example', '/\n/evil.example', ' //evil.example', '/ /evil.example', '\u0000//evil.example',
  'http://127.0.0.1:1@evil.example/', 'http://evil.example\\@127.0.0.1/', '//127.0.0.1@evil.example', 'evil.example',
];

test('CVE-2019-10255, jupyterhub#1908, CVE-2026-33709 (open redirect via next): only paths on this site survive', async () => {
  for (const next of EVIL_NEXT) assert.equal(safeNextUrl(next, { host: '127.0.0.1:8000' }), '', JSON.stringify(next));
  assert.equal(safeNextUrl('/hub/home?x=1#y', { host: 'h:1' }), '/hub/home?x=1#y');
  assert.equal(safeNextUrl('http://h:1/user/a/tree', { host: 'h:1' }), '/user/a/tree', 'an absolute URL to this host keeps its path');
  assert.equal(safeNextUrl('/a/../b', { host: 'h:1' }), '/b');
  // With subdomain_host, URLs on the hub's host or below it count as this site (base.py get_next_url); nothing else.
  const sub = { host: 'hub.test:1', subdomainHost: 'http://hub.test:1' };
  assert.equal(safeNextUrl('http://ada.hub.test:1/user/ada/tree', sub), '/user/ada/tree');
  for (const next of [...EVIL_NEXT, 'http://evilhub.test:1/', 'http://ada.hub.test:2/', 'http://hub.test:1.evil.example/', '//x.hub.test:1@evil.example/']) {
    assert.equal(safeNextUrl(next, sub), '', JSON.stringify(next));
  }
  await withHub([], async (_t, origin) => {
    const host = new URL(origin).host;
    for (const next of [...EVIL_NEXT, `http://${host}.evil.example/`, `//${host}.evil.example/`]) {
      const b = new HttpBrowser(origin);
      const r = await b.login('/hub/', 'ann', 'pw', next);
      assert.equal(r.status, 302, next);
      assert.equal(r.headers.location, '/hub/spawn', `next=${JSON.stringify(next)} must fall back to the default`);
      // Already logged in: GET /hub/login?next=... must not bounce either.
      const again = await b.get(`/hub/login?next=${encodeURIComponent(next)}`);
      assert.equal(again.headers.location, '/hub/spawn', `logged-in next=${JSON.stringify(next)}`);
    }
    const ok = await new HttpBrowser(origin).login('/hub/', 'ann', 'pw', `http://${host}/hub/token`);
    assert.equal(ok.headers.location, '/hub/token');
  });
});

test('CVE-2020-36191 and CVE-2026-40864 (XSRF): every form needs the token, Sec-Fetch-* headers are no excuse', async () => {
  await withHub(['Authenticator.admin_users=["root1"]'], async (t, origin) => {
    const b = new HttpBrowser(origin);
    await b.login('/hub/', 'root1', 'pw');
    const sameOriginish = { 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'no-cors', referer: `${origin}/hub/admin`, origin };
    const posts: [string, Record<string, string>][] = [
      ['/hub/token', { note: 'csrf' }],
      ['/hub/admin/users', { usernames: 'victim-made' }],
      ['/hub/admin/users/root1/delete', {}],
      ['/hub/home/stop', { server: '' }],
      ['/hub/token/revoke', { token_id: 'a1' }],
    ];
    for (const [path, form] of posts) {
      const r = await b.post(path, form, sameOriginish);
      assert.equal(r.status, 403, path);
      assert.match(r.text, /XSRF token is missing or stale/, path);
    }
    assert.equal((await listTokens(t.hub.db!, {})).length, 0, 'no token was made');
    assert.equal(await getUserByName(t.hub.db!, 'victim-made'), null, 'no user was made');
    assert.ok(await getUserByName(t.hub.db!, 'root1'), 'nobody was deleted');
    // The API answers the same attempt with JSON (a stand-in endpoint: the gate runs before any API handler). A
    // Referer from a hub page is what JupyterHub 3.0 trusts there (check_referer), so these carry none, or another
    // site's: Sec-Fetch-* and Origin alone count for nothing.
    t.hub.api!.router.add('DELETE', 'api/test-delete', async ({ res, caller }) => {
      res.writeHead(caller.kind === 'user' ? 200 : 401);
      res.end();
    });
    const { referer: _dropped, ...noReferer } = sameOriginish;
    const api = await b.request('DELETE', '/hub/api/test-delete', { headers: noReferer });
    assert.equal(api.status, 403);
    assert.match(api.text, /_xsrf/);
    const crossSite = await b.request('DELETE', '/hub/api/test-delete', { headers: { ...noReferer, referer: 'http://evil.example/hub/admin' } });
    assert.equal(crossSite.status, 401, 'another site\'s Referer makes the request anonymous');
    // Forms are no API writes: a cookie POST with a form type is anonymous, whatever its Referer (check_post_content_type).
    t.hub.api!.router.add('POST', 'api/test-post', async ({ res, caller }) => {
      res.writeHead(caller.kind === 'user' ? 200 : 401);
      res.end();
    });
    const fromAdminPage = { referer: `${origin}/hub/admin` };
    for (const type of ['application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'text/plain']) {
      const r = await b.request('POST', '/hub/api/test-post', { headers: { 'content-type': type, ...fromAdminPage }, body: 'a=1' });
      assert.equal(r.status, 401, `${type}: no user`);
    }
    const json = await b.request('POST', '/hub/api/test-post', { headers: { 'content-type': 'application/json; charset=utf-8', ...fromAdminPage }, body: '{}' });
    assert.equal(json.status, 200, 'JSON from a hub page is the user, as in JupyterHub 3.0');
  });
});

test('CVE-2024-28233 (cookie tossing): an _xsrf cookie and token taken from another session are refused', async () => {
  await withHub([], async (t, origin) => {
    const attacker = new HttpBrowser(origin);
    await attacker.login('/hub/', 'mallory', 'pw');
    const attackerToken = xsrfFrom((await attacker.get('/hub/token')).text);
    const attackerXsrfId = attacker.cookie('_xsrf')?.value ?? '';
    const victim = new HttpBrowser(origin);
    await victim.login('/hub/', 'victor', 'pw');
    // Same-site content planted the attacker's _xsrf value in the victim's browser, at a more specific path.
    victim.jar.set('_xsrf', [{ value: attackerXsrfId, path: '/hub/token', attributes: '' }, ...(victim.jar.get('_xsrf') ?? [])]);
    const r = await victim.post('/hub/token', { _xsrf: attackerToken, note: 'tossed' });
    assert.equal(r.status, 403);
    const victor = await getUserByName(t.hub.db!, 'victor');
    assert.equal((await listTokens(t.hub.db!, { userId: victor!.id })).length, 0);
    // A planted session id is not adopted at login either.
    const planted = new HttpBrowser(origin);
    planted.jar.set('jupyterhub-session-id', [{ value: 'a'.repeat(32), path: '/', attributes: '' }]);
    await planted.login('/hub/', 'victor', 'pw');
    assert.notEqual(planted.cookie('jupyterhub-session-id')?.value, 'a'.repeat(32));
  });
});

test('reflected input (XSS): request data is escaped in every page that shows it', async () => {
  const payload = '"><script>alert(1)</script><img src=x onerror=alert(2)>';
  await withHub(['Authenticator.admin_users=["adm"]'], async (_t, origin) => {
    const anon = new HttpBrowser(origin);
    const loginPage = await anon.get(`/hub/login?next=${encodeURIComponent(payload)}&username=${encodeURIComponent(payload)}`);
    const failed = await anon.post(`/hub/login?next=${encodeURIComponent(payload)}`, { _xsrf: xsrfFrom(loginPage.text), username: payload, password: 'x' });
    const b = new HttpBrowser(origin);
    await b.login('/hub/', 'adm', 'pw');
    await b.post('/hub/token', { _xsrf: xsrfFrom((await b.get('/hub/token')).text), note: payload });
    const pages = [
      loginPage,
      failed,
      await b.get('/hub/token'),
      await b.get(`/hub/admin?name_filter=${encodeURIComponent(payload)}`),
      await b.post(`/hub/admin/users/${encodeURIComponent(payload)}/delete`, { _xsrf: xsrfFrom((await b.get('/hub/admin')).text) }),
      await b.get(`/hub/error/${encodeURIComponent(payload)}`),
      await b.get(`/hub/admin?done=${encodeURIComponent(payload)}`),
      await b.get(`/hub/${encodeURIComponent(payload)}`),
    ];
    for (const p of pages) {
      assert.ok(!p.text.includes('<script>alert(1)'), p.text.slice(0, 400));
      assert.ok(!p.text.includes('<img src=x'), p.text.slice(0, 400));
    }
    assert.ok(pages[2]!.text.includes('&lt;script&gt;alert(1)&lt;/script&gt;'), 'the note is shown, escaped');
    assert.equal(pages[4]!.status, 404);
    // An unknown page is JupyterHub's HTML 404 page (Template404), not the API's JSON; the API keeps its JSON.
    assert.equal(pages[7]!.status, 404);
    assert.match(String(pages[7]!.headers['content-type']), /^text\/html/);
    assert.match(pages[7]!.text, /404/);
    const methodPage = await b.request('PROPFIND', '/hub/home');
    assert.equal(methodPage.status, 405);
    assert.match(String(methodPage.headers['content-type']), /^text\/html/);
    const api = await b.get('/hub/api/nope');
    assert.equal(api.status, 404);
    assert.match(String(api.headers['content-type']), /^application\/json/);
  });
});

test('scope escalation: tokens never exceed their owner, admin:users cannot make admins (CVE-2024-41942), filtered admin stays filtered', async () => {
  const roles = JSON.stringify([
    { name: 'user-admin', scopes: ['admin:users', 'admin-ui', 'list:users'], users: ['uadm'] },
    { name: 'group-admin', scopes: ['admin-ui', 'list:users!group=g1', 'delete:users!group=g1', 'admin:users!group=g1'], users: ['gadm'] },
  ]);
  await withHub([`JupyterHub.load_roles=${roles}`, 'Authenticator.allowed_users=["uadm","gadm","plain","in-g1","out-g1"]'], async (t, origin) => {
    const db = t.hub.db!;
    const g1 = await createGroup(db, 'g1');
    await addGroupMembers(db, g1.id, [(await getUserByName(db, 'in-g1'))!.id]);
    t.hub.identity!.invalidate();

    const plain = new HttpBrowser(origin);
    await plain.login('/hub/', 'plain', 'pw');
    const xsrf = xsrfFrom((await plain.get('/hub/token')).text);
    const escalate = await plain.post('/hub/token', { _xsrf: xsrf, note: 'x', scopes: 'admin:users' });
    assert.equal(escalate.status, 403);
    assert.match(escalate.text, /Not assigning requested scopes [^<]*admin:users[^<]*not held by User plain/);
    const other = await plain.post('/hub/token', { _xsrf: xsrf, note: 'x', scopes: 'read:users!user=uadm' });
    assert.equal(other.status, 403);
    const unknown = await plain.post('/hub/token', { _xsrf: xsrf, note: 'x', scopes: 'no-such-scope' });
    assert.equal(unknown.status, 400);
    assert.equal((await listTokens(db, { userId: (await getUserByName(db, 'plain'))!.id })).length, 0);
    assert.equal((await plain.get('/hub/admin')).status, 403, 'no admin-ui, no admin page');

    const ua = new HttpBrowser(origin);
    await ua.login('/hub/', 'uadm', 'pw');
    const uaX = xsrfFrom((await ua.get('/hub/admin')).text);
    assert.equal((await ua.post('/hub/admin/users', { _xsrf: uaX, usernames: 'newbie', admin: 'on' })).status, 403);
    assert.equal((await ua.post('/hub/admin/users/plain/admin', { _xsrf: uaX, admin: 'true' })).status, 403);
    assert.equal((await ua.post('/hub/admin/users/uadm/admin', { _xsrf: uaX, admin: 'true' })).status, 403, 'not even for oneself');
    assert.equal((await getUserByName(db, 'plain'))!.admin, false);
    assert.equal((await getUserByName(db, 'uadm'))!.admin, false);
    assert.equal((await ua.post('/hub/admin/users', { _xsrf: uaX, usernames: 'newbie' })).status, 302, 'adding a plain user is what admin:users is for');

    const ga = new HttpBrowser(origin);
    await ga.login('/hub/', 'gadm', 'pw');
    const gaPage = await ga.get('/hub/admin');
    assert.ok(gaPage.text.includes('data-user="in-g1"') && !gaPage.text.includes('data-user="out-g1"'), 'lists only its group');
    const gaX = xsrfFrom(gaPage.text);
    assert.equal((await ga.post('/hub/admin/users/out-g1/delete', { _xsrf: gaX })).status, 404, 'outside the filter: as if absent');
    assert.ok(await getUserByName(db, 'out-g1'));
    assert.equal((await ga.post('/hub/admin/users', { _xsrf: gaX, usernames: 'x1' })).status, 403, 'a filtered admin:users cannot add users');
    assert.equal((await ga.post('/hub/admin/users/in-g1/delete', { _xsrf: gaX })).status, 302);
    assert.equal(await getUserByName(db, 'in-g1'), null);
  });
});

test('cookie attributes: HttpOnly and SameSite everywhere, Secure behind https, hub cookies only at the hub path', async () => {
  const xsrf = new XsrfProtection({ secret: Buffer.alloc(32, 1), path: '/jh/hub/', secure: true, maxAgeSeconds: 60 });
  const headers: Record<string, string[]> = {};
  const res = { getHeader: (n: string) => headers[n], setHeader: (n: string, v: string[]) => { headers[n] = v; } };
  const req = { headers: {} as Record<string, string> };
  const token = xsrf.issue(req as never, res as never, '');
  assert.match(headers['set-cookie']?.[0] ?? '', /^_xsrf=[\w-]{22}; Path=\/jh\/hub\/; Max-Age=60; HttpOnly; Secure; SameSite=Lax$/);
  assert.ok(xsrf.verify(req as never, token, ''));
  assert.ok(!xsrf.verify(req as never, token, 'someone-else'), 'a token is bound to its user');
  await withHub(['JupyterHub.base_url=/jh/'], async (_t, origin) => {
    const b = new HttpBrowser(origin);
    await b.login('/jh/hub/', 'ivy', 'pw');
    assert.equal(b.cookie('jupyterhub-hub-login')?.path, '/jh/hub/');
    assert.equal(b.cookie('jupyterhub-session-id')?.path, '/jh/');
    assert.equal(b.cookie('_xsrf')?.path, '/jh/hub/');
    for (const name of ['jupyterhub-hub-login', 'jupyterhub-session-id', '_xsrf']) {
      assert.match(b.cookie(name)?.attributes ?? '', /HttpOnly/, name);
      assert.match(b.cookie(name)?.attributes ?? '', /SameSite=Lax/, name);
    }
    const page = await b.get('/jh/hub/home');
    assert.equal(page.status, 200);
    assert.match(String(page.headers['content-security-policy']), /frame-ancestors 'self'; report-uri \/jh\/hub\/security\/csp-report/);
    assert.equal(page.headers['x-content-type-options'], 'nosniff');
    // Behind a proxy that ends TLS the hub itself is plain http: as JupyterHub's _set_cookie (tornado's
    // request.protocol, from X-Scheme / X-Forwarded-Proto), the browser's https makes every cookie Secure.
    const viaTls: Record<string, string>[] = [{ 'x-forwarded-proto': 'https' }, { 'x-scheme': 'https' }, { 'x-forwarded-proto': 'https,http' }, { forwarded: 'for=10.0.0.1;proto=https' }];
    for (const header of viaTls) {
      const tls = new HttpBrowser(origin);
      const form = await tls.get('/jh/hub/login', header);
      const r = await tls.post('/jh/hub/login', { _xsrf: xsrfFrom(form.text), username: 'ivy', password: 'pw' }, header);
      assert.equal(r.status, 302);
      for (const name of ['jupyterhub-hub-login', 'jupyterhub-session-id', '_xsrf']) {
        assert.match(tls.cookie(name)?.attributes ?? '', /(^|; )Secure(;|$)/, `${name} with ${JSON.stringify(header)}`);
      }
    }
    for (const name of ['jupyterhub-hub-login', 'jupyterhub-session-id', '_xsrf']) {
      assert.doesNotMatch(b.cookie(name)?.attributes ?? '', /Secure/, `${name} over plain http`);
    }
  });
});

/** A hub with the real proxy (ours, or the real configurable-http-proxy) and the real jupyterhub-singleuser. */
async function withSpawningHub(dir: string, extra: string[], fn: (t: TestHub, pub: string) => Promise<void>): Promise<void> {
  const t = await startTestHub({
    withProxy: true,
    overrides: [
      'JupyterHub.authenticator_class=dummy', 'JupyterHub.spawner_class=simple', 'Spawner.cmd=["jupyterhub-singleuser","--allow-root"]',
      'Spawner.http_timeout=60', `SimpleLocalProcessSpawner.home_dir_template=${path.join(dir, 'home', '{username}')}`, ...extra,
    ],
  });
  try {
    await fn(t, t.status.public_url.replace(/\/$/, ''));
  } finally {
    await t.stop();
  }
}

for (const proxy of ['ours', 'chp'] as const) {
  test(`route confusion (${proxy} proxy): a user named ".." never takes over the hub's route "/"`, { timeout: 120_000, skip: proxy === 'chp' && !CHP_AVAILABLE ? 'configurable-http-proxy not installed' : false }, async () => {
    const dir = await tempDir();
    await withSpawningHub(dir, proxy === 'chp' ? [`ConfigurableHTTPProxy.command=["${CHP_BIN}"]`] : [], async (t, pub) => {
      const db = t.hub.db!;
      // New names: refused by the login form and by the REST API (browsers resolve /user/../ to /).
      for (const name of ['..', '.']) {
        const login = await new HttpBrowser(pub).login('/hub/', name, 'pw');
        assert.equal(login.status, 200, `login as ${JSON.stringify(name)} is refused`);
        assert.match(login.text, /Invalid username or password/);
        const api = await request({ socketPath: path.join(t.dir, '.hub', 'hub.sock'), path: '/hub/api/users', method: 'POST', body: JSON.stringify({ usernames: [name] }) });
        assert.equal(api.status, 400, JSON.stringify(api.body));
      }
      assert.equal(await getUserByName(db, '..'), null);
      // A database from JupyterHub 3.0 (or a custom validate_username) may still hold one: its route is `/user/..`,
      // which the proxy keeps as a literal segment. Before the fix both the hub's client and our proxy's API resolved
      // it, and the route replaced "/": every visitor's login page came from that user's server.
      const [dots] = await insertUsers(db, ['..'], false);
      assert.equal(await t.hub.servers.start(dots!, '', {}), 'ready');
      const routes = await t.hub.proxy!.client.getAllRoutes();
      assert.equal(routes['/']?.data.hub, true, JSON.stringify(routes));
      assert.equal(routes['/user/../']?.data.user, '..', JSON.stringify(routes));
      const loginPage = await new HttpBrowser(pub).get('/hub/login');
      assert.equal(loginPage.status, 200);
      assert.match(loginPage.text, /<form[^>]+action="\/hub\/login"/, 'the hub, not the notebook server, answers /hub/login');
      assert.equal(await t.hub.servers.stop(dots!, ''), 'stopped');
      assert.equal((await t.hub.proxy!.client.getAllRoutes())['/user/../'], undefined, 'its route is deleted by the same name');
      assert.equal((await t.hub.proxy!.client.getAllRoutes())['/']?.data.hub, true);
    });
  });
}

test('spawn and spawn-pending: `next` stays inside the server\'s own prefix and never makes a 500 (CR/LF, dot segments)', { timeout: 120_000 }, async () => {
  const dir = await tempDir();
  await withSpawningHub(dir, [], async (t, pub) => {
    const b = new HttpBrowser(pub);
    await b.login('/hub/', 'ann', 'pw');
    const [ann] = [await getUserByName(t.hub.db!, 'ann')];
    assert.equal(await t.hub.servers.start(ann!, '', {}), 'ready');
    const bad = [
      '/user/ann/\r\nSet-Cookie: planted=1', '/user/ann/\nx', '/user/ann/\tx', '/user/ann/../../hub/token', '/user/ann/%2e%2e/%2e%2e/hub/token',
      '/user/ann/..\\..\\hub', '//evil.example/user/ann/', 'http://evil.example/user/ann/', '/user/bob/', '/hub/token',
    ];
    for (const next of bad) {
      for (const page of ['/hub/spawn', '/hub/spawn-pending/ann']) {
        const r = await b.get(`${page}?next=${encodeURIComponent(next)}`);
        assert.equal(r.status, 302, `${page} next=${JSON.stringify(next)}: ${r.text.slice(0, 200)}`);
        assert.equal(r.headers.location, '/user/ann/', `${page} next=${JSON.stringify(next)}`);
        assert.equal(r.headers['set-cookie'], undefined);
      }
    }
    const good = await b.get(`/hub/spawn?next=${encodeURIComponent('/user/ann/tree?x=1#y')}`);
    assert.equal(good.headers.location, '/user/ann/tree?x=1#y');
    const absolute = await b.get(`/hub/spawn?next=${encodeURIComponent(`${pub}/user/ann/tree`)}`);
    assert.equal(absolute.headers.location, '/user/ann/tree', 'this host\'s absolute URL keeps its path');
    assert.ok(!t.logs.some((l) => /\bat redirect\b|ERR_INVALID_CHAR/.test(l)), 'no stack trace in the log');
  });
});

test('a user blocked at run time (hub users block) cannot sign in again; the old cookie and tokens are dead too', async () => {
  await withHub(['DummyAuthenticator.password=pw'], async (t, origin) => {
    const socketPath = path.join(t.dir, '.hub', 'hub.sock');
    const b = new HttpBrowser(origin);
    assert.equal((await b.login('/hub/', 'eve', 'pw')).status, 302);
    const made = await request({ socketPath, path: '/hub/api/users/eve/tokens', method: 'POST', body: '{"note":"before"}' });
    const token = (made.body as { token: string }).token;
    const planted = b.cookie('jupyterhub-hub-login')?.value ?? '';
    assert.equal((await request({ socketPath, path: '/hub/ext/users/eve/block', method: 'POST' })).status, 200);
    assert.equal((await b.get('/hub/home')).status, 302, 'the session ended');
    assert.equal((await new HttpBrowser(origin).get('/hub/api/user', { authorization: `token ${token}` })).status, 403);
    // Signing in again with the right password is refused, with the page every failed login gets.
    const again = await new HttpBrowser(origin).login('/hub/', 'eve', 'pw');
    assert.equal(again.status, 200);
    assert.match(again.text, /Invalid username or password/);
    assert.ok(t.logs.some((l) => l.includes('User "eve" is blocked (hub users block)')), t.logs.slice(-5).join('\n'));
    // A login cookie signed for eve's current cookie_id (made after the block's rotation) is no login either.
    const user = await getUserByName(t.hub.db!, 'eve');
    const forged = new HttpBrowser(origin);
    const headers = new Map<string, string | string[]>();
    const res = { getHeader: (n: string) => headers.get(n), setHeader: (n: string, v: string[]) => headers.set(n, v) };
    t.hub.sessions!.login(res as never, user!, null);
    const cookie = String((headers.get('set-cookie') as string[])[0]).split(';')[0]!;
    assert.notEqual(cookie.slice(cookie.indexOf('=') + 1), planted);
    assert.equal((await forged.get('/hub/home', { cookie })).status, 302, 'a fresh cookie of a blocked user is no login');
    assert.equal((await request({ socketPath, path: '/hub/ext/users/eve/block', method: 'DELETE' })).status, 204);
    assert.equal((await forged.get('/hub/home', { cookie })).status, 200, 'the same cookie works once unblocked');
    assert.equal((await new HttpBrowser(origin).login('/hub/', 'eve', 'pw')).status, 302, 'unblocked: signs in again');
  });
});

test('log forging through user names: a name with a newline or other control character is refused everywhere', async () => {
  await withHub([], async (t, origin) => {
    const forged = '[I 2026-01-01 00:00:00.000 JupyterHub app:0] User logged in: admin';
    for (const name of [`mallory\n${forged}`, `mallory\r${forged}`, 'mal\u001b[31mlory', 'mal\u007flory']) {
      const login = await new HttpBrowser(origin).login('/hub/', name, 'pw');
      assert.equal(login.status, 200, JSON.stringify(name));
      assert.match(login.text, /Invalid username or password/);
      const api = await request({ socketPath: path.join(t.dir, '.hub', 'hub.sock'), path: '/hub/api/users', method: 'POST', body: JSON.stringify({ usernames: [name] }) });
      assert.equal(api.status, 400, JSON.stringify(api.body));
    }
    assert.equal(await getUserByName(t.hub.db!, 'mallory'), null);
    assert.ok(!t.logs.some((l) => l.split('\n').some((line) => line.startsWith('[I 2026-01-01'))), 'no forged line in the log');
  });
});
