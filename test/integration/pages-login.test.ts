import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sendJson } from '../../src/daemon/api/http-util.js';
import { createToken, listTokens } from '../../src/daemon/db/tokens-repo.js';
import { getUserByName } from '../../src/daemon/db/users-repo.js';
import { createTornadoSignedValue } from '../../src/daemon/auth/tornado-signed-value.js';
import type { ServerManager, ServerRuntime } from '../../src/daemon/spawner/server-manager.js';
import { HttpBrowser, xsrfFrom } from '../helpers/browser.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { tempDir } from '../helpers/cli.js';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

const DUMMY = ['JupyterHub.authenticator_class=dummy'];

async function withHub(overrides: string[], fn: (t: TestHub, origin: string) => Promise<void>): Promise<void> {
  const t = await startTestHub({ overrides: [...DUMMY, ...overrides] });
  try {
    await fn(t, new URL(t.status.hub_url).origin);
  } finally {
    await t.stop();
  }
}

/** A ServerManager that records what the pages ask of it. */
function recordingServers(running: Set<string>, calls: string[]): ServerManager {
  const rt = (user: string, server: string): ServerRuntime => {
    const on = running.has(`${user}/${server}`);
    return { pending: null, ready: on, stopped: !on, state: {} };
  };
  return {
    runtime: rt,
    start: async (user, server) => { calls.push(`start ${user.name}/${server}`); running.add(`${user.name}/${server}`); return 'ready'; },
    stop: async (user, server) => { calls.push(`stop ${user.name}/${server}`); running.delete(`${user.name}/${server}`); return 'stopped'; },
    progress: async function* () { /* no events */ },
    stopAll: async (user) => { calls.push(`stopAll ${user.name}`); },
  };
}

test('pages need a login: anonymous requests go to /hub/login?next=..., the root too', async () => {
  await withHub([], async (_t, origin) => {
    const b = new HttpBrowser(origin);
    for (const path of ['/hub/home', '/hub/token', '/hub/admin', '/hub/']) {
      const r = await b.get(path);
      assert.equal(r.status, 302, path);
      assert.equal(r.headers.location, `/hub/login?next=${encodeURIComponent(path)}`);
    }
    const login = await b.get('/hub/login');
    assert.equal(login.status, 200);
    assert.match(login.text, /<form[^>]+action="\/hub\/login"[^>]+method="post"/);
    assert.match(String(login.headers['content-security-policy']), /frame-ancestors 'self'/);
    assert.match(String(login.headers['cache-control']), /no-store/);
  });
});

test('login sets signed, HttpOnly cookies at JupyterHub\'s paths with cookie_max_age_days; logout clears them', async () => {
  await withHub(['JupyterHub.cookie_max_age_days=0.5', 'Authenticator.admin_users=["ada"]'], async (t, origin) => {
    const b = new HttpBrowser(origin);
    const res = await b.login('/hub/', 'Ada', 'pw', '/hub/token');
    assert.equal(res.status, 302);
    assert.equal(res.headers.location, '/hub/token');
    const login = b.cookie('jupyterhub-hub-login');
    assert.ok(login);
    assert.equal(login.path, '/hub/');
    assert.match(login.attributes, /Max-Age=43200/);
    assert.match(login.attributes, /HttpOnly/);
    assert.match(login.attributes, /SameSite=Lax/);
    assert.ok(!/Secure/.test(login.attributes), 'plain http: no Secure flag');
    assert.equal(b.cookie('jupyterhub-session-id')?.path, '/');
    assert.match(b.cookie('jupyterhub-session-id')?.value ?? '', /^[0-9a-f]{32}$/);
    assert.equal(b.cookie('_xsrf')?.path, '/hub/');
    assert.ok((await getUserByName(t.hub.db!, 'ada'))?.admin, 'normalised name, admin from admin_users');

    const home = await b.get('/hub/home');
    assert.equal(home.status, 200);
    assert.match(home.text, /<span class="username">ada<\/span>/);

    // A tampered login cookie is no login at all.
    const forged = new HttpBrowser(origin);
    forged.jar.set('jupyterhub-hub-login', [{ value: `${login.value.slice(0, -2)}xx`, path: '/hub/', attributes: '' }]);
    assert.equal((await forged.get('/hub/home')).status, 302);

    const out = await b.get('/hub/logout');
    assert.equal(out.status, 302);
    assert.equal(out.headers.location, '/hub/login');
    assert.equal(b.cookie('jupyterhub-hub-login'), undefined);
    assert.equal(b.cookie('jupyterhub-session-id'), undefined);
    assert.equal((await b.get('/hub/home')).status, 302);
  });
});

test('a login cookie that is no login (bad signature, expired, unknown cookie_id) is warned about once per request and cleared, as JupyterHub does', async () => {
  await withHub(['JupyterHub.cookie_max_age_days=1'], async (t, origin) => {
    const b = new HttpBrowser(origin);
    await b.login('/hub/', 'ada', 'pw');
    const good = b.cookie('jupyterhub-hub-login')?.value ?? assert.fail('no login cookie');
    const secret = t.hub.cookieSecret?.secret ?? assert.fail('no cookie secret');
    const cookieId = (await getUserByName(t.hub.db!, 'ada'))?.cookie_id ?? assert.fail('no cookie_id');
    const stale: [string, string, RegExp][] = [
      ['forged', `${good.slice(0, -2)}xx`, /Invalid or expired cookie token/],
      ['expired', createTornadoSignedValue(secret, 'jupyterhub-hub-login', cookieId, Date.now() - 2 * 86_400_000), /Invalid or expired cookie token/],
      ['unknown cookie_id', createTornadoSignedValue(secret, 'jupyterhub-hub-login', 'f'.repeat(32)), /Invalid cookie token/],
    ];
    for (const [what, value, warning] of stale) {
      for (const [target, status] of [['/hub/home', 302], ['/hub/api/user', 403]] as const) {
        const before = t.logs.length;
        const r = await new HttpBrowser(origin).get(target, { cookie: `jupyterhub-hub-login=${value}` });
        assert.equal(r.status, status, `${what} ${target}`);
        const cleared = [r.headers['set-cookie'] ?? []].flat().filter((c) => c.startsWith('jupyterhub-hub-login='));
        assert.equal(cleared.length, 1, `${what} ${target}: ${cleared.join(' | ')}`);
        assert.match(cleared[0]!, /^jupyterhub-hub-login=; Path=\/hub\/;.*Max-Age=0/);
        const logged = t.logs.slice(before);
        assert.equal(logged.filter((l) => warning.test(l)).length, 1, `${what} ${target}, warned once:\n${logged.join('\n')}`);
        assert.ok(!logged.some((l) => l.includes(value)), 'the cookie\'s value is never logged');
      }
    }
    // A good cookie is neither warned about nor cleared.
    const before = t.logs.length;
    const ok = await b.get('/hub/home');
    assert.equal(ok.status, 200);
    assert.ok(![ok.headers['set-cookie'] ?? []].flat().some((c) => c.startsWith('jupyterhub-hub-login=')));
    assert.ok(!t.logs.slice(before).some((l) => /cookie token/.test(l)));
  });
});

test('after login: next if safe, else redirect_to_server (spawn, or the running server), else /hub/home; default_url wins', async () => {
  const running = new Set<string>();
  await withHub([], async (t, origin) => {
    t.hub.servers = recordingServers(running, []);
    const fresh = await new HttpBrowser(origin).login('/hub/', 'bea', 'pw');
    assert.equal(fresh.headers.location, '/hub/spawn');
    running.add('bea/');
    assert.equal((await new HttpBrowser(origin).login('/hub/', 'bea', 'pw')).headers.location, '/user/bea/');
    const toUser = await new HttpBrowser(origin).login('/hub/', 'bea', 'pw', '/user/bea/lab?x=1');
    assert.equal(toUser.headers.location, '/hub/user/bea/lab?x=1', 'user URLs go through the hub, as in JupyterHub');
  });
  await withHub(['JupyterHub.redirect_to_server=false'], async (_t, origin) => {
    const b = new HttpBrowser(origin);
    assert.equal((await b.login('/hub/', 'cy', 'pw')).headers.location, '/hub/home');
    assert.equal((await b.get('/hub/')).headers.location, '/hub/home', 'the root sends a logged-in user on');
    assert.equal((await b.get('/hub/login?next=%2Fhub%2Ftoken')).headers.location, '/hub/token', 'GET login when logged in goes to next');
  });
  await withHub(['JupyterHub.default_url=/hub/token'], async (_t, origin) => {
    const b = new HttpBrowser(origin);
    assert.equal((await b.get('/hub/')).headers.location, '/hub/token');
    assert.equal((await b.login('/hub/', 'di', 'pw')).headers.location, '/hub/token');
  });
});

test('default_url as a function (JupyterHub: called with the handler): gets current_user and the request; may be async; a throwing one is logged and ignored', async () => {
  const dir = await tempDir();
  await writeFile(path.join(dir, 'hub.config.mjs'), `export default { JupyterHub: {
    default_url: async (handler) => {
      if (handler.request.url.includes('boom')) throw new Error('boom');
      return handler.current_user ? handler.hub_base_url + 'home?for=' + handler.current_user.name : handler.base_url + 'hub/login?anon=1';
    },
  } };\n`);
  const t = await startTestHub({ dir, overrides: DUMMY });
  try {
    const b = new HttpBrowser(new URL(t.status.hub_url).origin);
    assert.equal((await b.get('/hub/')).headers.location, '/hub/login?anon=1');
    assert.equal((await b.login('/hub/', 'eve', 'pw')).headers.location, '/hub/home?for=eve');
    assert.equal((await b.get('/hub/?next=%2Fhub%2Ftoken')).headers.location, '/hub/home?for=eve', 'the root redirects to default_url as it is (RootHandler)');
    const failed = await b.get('/hub/?boom=1');
    assert.equal(failed.status, 302);
    assert.equal(failed.headers.location, '/hub/spawn?boom=1', 'a failing default_url counts as unset (query arguments travel on, as get_next_url does)');
    assert.ok(t.logs.some((l) => /JupyterHub\.default_url\(handler\) failed: boom/.test(l)), t.logs.join('\n'));
  } finally {
    await t.stop();
  }
});

test('login from a browser needs the form\'s XSRF token; wrong credentials re-render the form with the username kept', async () => {
  await withHub(['DummyAuthenticator.password=letmein'], async (t, origin) => {
    const b = new HttpBrowser(origin);
    const page = await b.get('/hub/login');
    const token = xsrfFrom(page.text);
    // Browsers send Origin with every POST: another site's form (login CSRF) has no token and is refused.
    const crossSite: Record<string, string>[] = [{ origin: 'http://evil.example' }, { origin: 'null' }, { referer: 'http://evil.example/x' }, { origin, referer: `${origin}/user/eve/tree` }];
    for (const headers of crossSite) {
      assert.equal((await b.post('/hub/login', { username: 'eve', password: 'letmein' }, headers)).status, 403, `no token, ${JSON.stringify(headers)}`);
    }
    assert.equal((await b.post('/hub/login', { _xsrf: `${token}x`, username: 'eve', password: 'letmein' })).status, 403, 'bad token');
    const other = new HttpBrowser(origin);
    assert.equal((await other.post('/hub/login', { _xsrf: token, username: 'eve', password: 'letmein' })).status, 403, 'a token without its cookie');
    assert.equal(await getUserByName(t.hub.db!, 'eve'), null);
    const wrong = await b.post('/hub/login', { _xsrf: token, username: ' eve ', password: 'nope' });
    assert.equal(wrong.status, 200);
    assert.match(wrong.text, /Invalid username or password/);
    assert.match(wrong.text, /name="username" type="text" value="eve"/, 'the username is stripped and kept');
    assert.ok(t.logs.some((l) => /Failed login for "eve" from 127\.0\.0\.1/.test(l)));
    assert.equal((await b.post('/hub/login', { _xsrf: token, username: 'eve', password: 'letmein' })).status, 302);
  });
});

test('a login form without a token is taken as JupyterHub 3.0 takes it: from a script, or posted by a hub page', async () => {
  await withHub(['DummyAuthenticator.password=letmein'], async (t, origin) => {
    // A script written against 3.0 (no Origin, no Referer, no _xsrf field or cookie).
    const script = await new HttpBrowser(origin).post('/hub/login', { username: 'ida', password: 'letmein' });
    assert.equal(script.status, 302, script.text);
    assert.equal(script.headers.location, '/hub/spawn');
    assert.ok(String(script.headers['set-cookie']).includes('jupyterhub-hub-login='));
    // A 3.0 login.html (no _xsrf field) submitted by a browser: its Referer is the login page.
    const form = await new HttpBrowser(origin).post('/hub/login?next=%2Fhub%2Ftoken', { username: 'ida', password: 'letmein' }, { origin, referer: `${origin}/hub/login?next=%2Fhub%2Ftoken` });
    assert.deepEqual([form.status, form.headers.location], [302, '/hub/token']);
    // A token that is there must be right, whoever sends it.
    assert.equal((await new HttpBrowser(origin).post('/hub/login', { _xsrf: 'x.y', username: 'ida', password: 'letmein' })).status, 403);
  });
});

test('logout revokes the session\'s OAuth tokens and, with shutdown_on_logout, stops the user\'s servers', async () => {
  const calls: string[] = [];
  await withHub(['JupyterHub.shutdown_on_logout=true'], async (t, origin) => {
    t.hub.servers = recordingServers(new Set(), calls);
    const b = new HttpBrowser(origin);
    await b.login('/hub/', 'fay', 'pw');
    const session = b.cookie('jupyterhub-session-id')?.value ?? '';
    const fay = await getUserByName(t.hub.db!, 'fay');
    assert.ok(fay);
    await createToken(t.hub.db!, { userId: fay.id }, { note: 'oauth in this session', sessionId: session });
    await createToken(t.hub.db!, { userId: fay.id }, { note: 'other session', sessionId: 'f'.repeat(32) });
    await b.get('/hub/logout');
    assert.deepEqual((await listTokens(t.hub.db!, { userId: fay.id })).map((x) => x.note), ['other session']);
    assert.deepEqual(calls, ['stopAll fay']);
    // A logout link followed without a login (a forged one) revokes nothing.
    await new HttpBrowser(origin).get('/hub/logout');
    assert.equal((await listTokens(t.hub.db!, { userId: fay.id })).length, 1);
  });
});

test('the login cookie authenticates API calls; writes need X-XSRFToken or ?_xsrf=, token calls do not', async () => {
  await withHub([], async (t, origin) => {
    t.hub.api!.router.add('POST', 'api/test-echo', async (ctx) => {
      sendJson(ctx.res, 200, { caller: ctx.caller.kind === 'user' ? ctx.caller.user.name : ctx.caller.kind });
    });
    const b = new HttpBrowser(origin);
    await b.login('/hub/', 'gus', 'pw');
    const read = await b.get('/hub/api/users/gus');
    assert.equal(read.status, 200, 'reads with the cookie need no token');
    assert.equal((JSON.parse(read.text) as { name: string }).name, 'gus');
    const token = /name="hub-xsrf-token" content="([^"]+)"/.exec((await b.get('/hub/home')).text)?.[1] ?? '';
    const bare = await b.request('POST', '/hub/api/test-echo', { headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(bare.status, 403);
    assert.deepEqual(JSON.parse(bare.text), { status: 403, message: "'_xsrf' argument missing from POST" });
    const viaHeader = await b.request('POST', '/hub/api/test-echo', { headers: { 'x-xsrftoken': token }, body: '{}' });
    assert.deepEqual([viaHeader.status, JSON.parse(viaHeader.text)], [200, { caller: 'gus' }]);
    const viaQuery = await b.request('POST', `/hub/api/test-echo?_xsrf=${encodeURIComponent(token)}`, { body: '{}' });
    assert.equal(viaQuery.status, 200);
    const gus = await getUserByName(t.hub.db!, 'gus');
    const api = (await createToken(t.hub.db!, { userId: gus!.id }, { note: 't' })).token;
    const withToken = await new HttpBrowser(origin).request('POST', '/hub/api/test-echo', { headers: { authorization: `token ${api}` }, body: '{}' });
    assert.deepEqual([withToken.status, JSON.parse(withToken.text)], [200, { caller: 'gus' }]);
  });
});

test('trusted_downstream_ips: X-Forwarded-For names the client in logs only when the direct peer is trusted', async () => {
  for (const [trusted, expected] of [['[]', '127.0.0.1'], ['["127.0.0.1"]', '203.0.113.9']] as const) {
    await withHub([`JupyterHub.trusted_downstream_ips=${trusted}`], async (t, origin) => {
      const b = new HttpBrowser(origin);
      const page = await b.get('/hub/login');
      await b.post('/hub/login', { _xsrf: xsrfFrom(page.text), username: 'hal', password: 'pw' }, { 'x-forwarded-for': '198.51.100.1, 203.0.113.9' });
      assert.ok(t.logs.some((l) => l.includes(`User logged in: hal from ${expected}`)), t.logs.filter((l) => l.includes('logged in')).join('\n'));
    });
  }
});
