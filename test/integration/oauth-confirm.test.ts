/**
 * The OAuth provider beyond a user's own server: the confirm page (admins reaching other people's servers,
 * services), its anti-forgery field and escaping, services' clients from the config, whoami for services, the
 * deprecated /authorizations endpoints, and revocation (logout's session tokens, a removed client).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request, startTestHub, type SimpleResponse, type TestHub } from '../helpers/hub.js';
import { addServerClient, loginCookie, type TestServerClient } from '../helpers/python-hubauth.js';
import { getUserByName, type UserRow } from '../../src/daemon/db/users-repo.js';
import { createToken } from '../../src/daemon/db/tokens-repo.js';
import { createLogger } from '../../src/lib/log.js';
import { registerClient, removeClient, revokeSessionTokens, syncServiceOAuthClients } from '../../src/daemon/auth/oauth/index.js';

const SERVICES = [
  { name: 'svc', url: 'http://127.0.0.1:9', api_token: 'svc-secret-token-0001' },
  { name: 'trusted', url: 'http://127.0.0.1:9', api_token: 'trusted-secret-token-01', oauth_no_confirm: true },
  { name: 'announcer', admin: true, api_token: 'announcer-secret-token-1' },
];
const ROLES = [{ name: 'service-users', scopes: ['access:services!service=svc', 'access:services!service=trusted'], users: ['alice'] }];

let t: TestHub;
let api: string;
let alice: UserRow;
let bob: UserRow;
const cookies: Record<string, { cookie: string; sessionId: string }> = {};
let aliceServer: TestServerClient;

function svcClient(name: string, secret: string): TestServerClient {
  return { clientId: `service-${name}`, secret, redirectUri: `/services/${name}/oauth_callback`, accessScopes: [`access:services!service=${name}`] };
}

async function authorize(c: TestServerClient, who: string, extra: Record<string, string> = {}): Promise<SimpleResponse> {
  const q = new URLSearchParams({ client_id: c.clientId, redirect_uri: c.redirectUri, response_type: 'code', state: 's1', ...extra });
  return request({ url: `${api}oauth2/authorize?${q.toString()}`, headers: { cookie: cookies[who]?.cookie ?? '' } });
}

function hidden(html: string, name: string): string[] {
  return [...html.matchAll(new RegExp(`<input type="hidden" name="${name}" value="([^"]*)">`, 'g'))].map((m) => m[1] ?? '');
}

async function confirm(c: TestServerClient, who: string, fields: [string, string][], headers: Record<string, string> = {}): Promise<SimpleResponse> {
  const q = new URLSearchParams({ client_id: c.clientId, redirect_uri: c.redirectUri, response_type: 'code', state: 's1' });
  return request({
    url: `${api}oauth2/authorize?${q.toString()}`,
    method: 'POST',
    headers: { cookie: cookies[who]?.cookie ?? '', 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}

async function tokenFor(c: TestServerClient, res: SimpleResponse): Promise<string> {
  assert.equal(res.status, 302, JSON.stringify(res.body));
  const code = new URL(String(res.headers.location), 'http://x').searchParams.get('code') ?? '';
  const form = new URLSearchParams({ client_id: c.clientId, client_secret: c.secret, grant_type: 'authorization_code', code, redirect_uri: c.redirectUri });
  const tok = await request({ url: `${api}oauth2/token`, method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() });
  assert.equal(tok.status, 200, JSON.stringify(tok.body));
  return (tok.body as { access_token: string }).access_token;
}

async function whoami(token: string): Promise<SimpleResponse> {
  return request({ url: `${api}user`, headers: { authorization: `token ${token}` } });
}

before(async () => {
  t = await startTestHub({
    overrides: [
      'Authenticator.admin_users=["root"]', 'Authenticator.allowed_users=["alice","bob"]',
      `JupyterHub.services=${JSON.stringify(SERVICES)}`, `JupyterHub.load_roles=${JSON.stringify(ROLES)}`,
    ],
  });
  api = `${t.status.hub_url}api/`;
  const db = t.hub.db;
  const sessions = t.hub.sessions;
  assert.ok(db && sessions);
  for (const name of ['alice', 'bob', 'root']) {
    const u = await getUserByName(db, name);
    assert.ok(u, name);
    cookies[name] = loginCookie(sessions, u);
    if (name === 'alice') alice = u;
    if (name === 'bob') bob = u;
  }
  aliceServer = await addServerClient(db, alice);
});

after(async () => {
  await t.stop();
});

describe('confirm page', () => {
  test('an admin reaching alice\'s server confirms first; the form grants, the token works', async () => {
    const page = await authorize(aliceServer, 'root');
    assert.equal(page.status, 200);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    const html = String(page.body);
    assert.match(html, /Server at \/user\/alice\/ \(oauth URL: \/user\/alice\/oauth_callback\) would like permission to identify you/);
    const [xsrf] = hidden(html, '_xsrf');
    assert.ok(xsrf);
    const scopes = hidden(html, 'scopes');
    assert.deepEqual(scopes, ['access:servers!server=alice/', 'read:users:groups!user', 'read:users:name!user']);
    const res = await confirm(aliceServer, 'root', [['_xsrf', xsrf], ...scopes.map((s): [string, string] => ['scopes', s])]);
    assert.equal(new URL(String(res.headers.location), 'http://x').searchParams.get('state'), 's1');
    const me = await whoami(await tokenFor(aliceServer, res));
    assert.equal((me.body as { name: string }).name, 'root');
    assert.ok((me.body as { scopes: string[] }).scopes.includes('access:servers!server=alice/'));

    const again = await authorize(aliceServer, 'root');
    assert.equal(again.status, 302, 'scopes this client already holds are not confirmed twice');
  });

  test('the form needs its anti-forgery field, bound to the user and the request', async () => {
    // A server root has never authorized, so the confirm page appears.
    const lab = await addServerClient(t.hub.db ?? assert.fail(), alice, 'lab');
    const page = await authorize(lab, 'root', { state: 'other' });
    assert.equal(page.status, 200);
    const [xsrf = ''] = hidden(String(page.body), '_xsrf');
    assert.ok(xsrf);
    assert.equal((await confirm(lab, 'root', [['scopes', 'read:users:name!user']])).status, 403);
    assert.equal((await confirm(lab, 'root', [['_xsrf', `${xsrf}x`]])).status, 403);
    assert.equal((await confirm(lab, 'root', [['_xsrf', xsrf]])).status, 403, 'signed for state=other, posted for state=s1');
    assert.equal((await confirm(lab, 'bob', [['_xsrf', xsrf]])).status, 403, 'signed for root, posted by bob');
    const q = new URLSearchParams({ client_id: lab.clientId, redirect_uri: lab.redirectUri, response_type: 'code', state: 'other' });
    const post = (origin: string): Promise<SimpleResponse> => request({
      url: `${api}oauth2/authorize?${q.toString()}`, method: 'POST',
      headers: { cookie: cookies.root?.cookie ?? '', 'content-type': 'application/x-www-form-urlencoded', origin },
      body: new URLSearchParams([['_xsrf', xsrf]]).toString(),
    });
    assert.equal((await post('https://evil.example')).status, 403, 'a foreign Origin is refused');
    const ok = await post(new URL(api).origin);
    assert.equal(ok.status, 302);
    const code = new URL(String(ok.headers.location), 'http://x').searchParams.get('code');
    const row = (await t.hub.db?.('oauth_codes').where({ code }).first('scopes')) as { scopes: string };
    assert.deepEqual(JSON.parse(row.scopes), ['access:servers!server=alice/lab', 'read:users:groups!user', 'read:users:name!user'], 'no scopes ticked: identification only');
  });

  test('with hub\'s own oauth.html, whose form carries _xsrf, a form without it is refused even from the page itself', async () => {
    const lab = await addServerClient(t.hub.db ?? assert.fail(), alice, 'refcheck');
    const q = new URLSearchParams({ client_id: lab.clientId, redirect_uri: lab.redirectUri, response_type: 'code', state: 's1' });
    const referer = `${api}oauth2/authorize?${q.toString()}`;
    assert.equal((await confirm(lab, 'root', [['scopes', 'read:users:name!user']], { referer })).status, 403);
  });

  test('confirm page values are escaped', async () => {
    const db = t.hub.db;
    assert.ok(db);
    const bobServer = await addServerClient(db, bob);
    await registerClient(db, { id: bobServer.clientId, secret: bobServer.secret, redirectUri: bobServer.redirectUri, allowedScopes: bobServer.accessScopes, description: '<script>alert(1)</script>' });
    const html = String((await authorize(bobServer, 'root')).body);
    assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.ok(!html.includes('<script>alert'));
  });
});

describe('services', () => {
  const svc = svcClient('svc', 'svc-secret-token-0001');
  const trusted = svcClient('trusted', 'trusted-secret-token-01');

  test('clients come from the config: hashed secret, callback under /services/, access scope', async () => {
    const row = (await t.hub.db?.('oauth_clients').where({ identifier: 'service-svc' }).first()) as Record<string, string>;
    assert.match(row.secret ?? '', /^sha512:16384:[0-9a-f]{16}:[0-9a-f]{128}$/, 'an admin-chosen secret gets hash_token\'s full rounds');
    assert.equal(row.redirect_uri, '/services/svc/oauth_callback');
    assert.deepEqual(JSON.parse(row.allowed_scopes ?? ''), ['access:services!service=svc']);
    assert.equal(row.description, 'JupyterHub service svc');
    const link = (await t.hub.db?.('services').where({ name: 'svc' }).first('oauth_client_id')) as { oauth_client_id: string };
    assert.equal(link.oauth_client_id, 'service-svc');
    assert.equal(await t.hub.db?.('oauth_clients').where({ identifier: 'service-announcer' }).first(), undefined, 'no url: no OAuth');
  });

  test('a service asks for confirmation, an oauth_no_confirm one does not, and access:services is required', async () => {
    assert.equal((await authorize(svc, 'alice')).status, 200);
    const res = await authorize(trusted, 'alice');
    const me = await whoami(await tokenFor(trusted, res));
    assert.ok((me.body as { scopes: string[] }).scopes.includes('access:services!service=trusted'));
    assert.equal((await authorize(trusted, 'bob')).status, 403);
  });

  test('whoami for a service token', async () => {
    const me = await whoami('svc-secret-token-0001');
    assert.equal(me.status, 200);
    assert.deepEqual(me.body, { kind: 'service', name: 'svc', admin: false, session_id: null, scopes: [] });
    const admin = (await whoami('announcer-secret-token-1')).body as Record<string, unknown>;
    assert.equal(admin.kind, 'service');
    assert.equal(admin.admin, true);
    assert.deepEqual(admin.roles, ['admin']);
    assert.ok((admin.scopes as string[]).includes('admin:users'));
  });

  test('start-up sync removes clients nobody owns, keeps servers\' and the hub\'s', async () => {
    const db = t.hub.db;
    assert.ok(db);
    await registerClient(db, { id: 'service-gone', secret: 'x'.repeat(32), redirectUri: '/services/gone/oauth_callback', allowedScopes: [] });
    await syncServiceOAuthClients(db, t.hub.config, createLogger({ level: 50, format: '%(message)s', datefmt: '', write: () => undefined }));
    const ids = (await db('oauth_clients').pluck('identifier')) as string[];
    assert.ok(!ids.includes('service-gone'));
    for (const id of ['jupyterhub', 'service-svc', 'service-trusted', aliceServer.clientId]) assert.ok(ids.includes(id), id);
  });
});

describe('deprecated /authorizations endpoints', () => {
  test('token: identify another token\'s owner; POST is gone; a cookie is not enough', async () => {
    const aliceToken = (await createToken(t.hub.db ?? assert.fail(), { userId: alice.id })).token;
    const res = await request({ url: `${api}authorizations/token/${aliceToken}`, headers: { authorization: 'token svc-secret-token-0001' } });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { kind: 'user', name: 'alice', admin: false, groups: [] });
    assert.equal((await request({ url: `${api}authorizations/token/nope-nope-nope`, headers: { authorization: 'token svc-secret-token-0001' } })).status, 404);
    const byCookie = await request({ url: `${api}authorizations/token/${aliceToken}`, headers: { cookie: cookies.alice?.cookie ?? '', referer: api } });
    assert.equal(byCookie.status, 403);
    const post = await request({ url: `${api}authorizations/token`, method: 'POST', headers: { authorization: 'token svc-secret-token-0001' } });
    assert.equal(post.status, 404);
    assert.match((post.body as { message: string }).message, /removed in JupyterHub 2.0/);
  });

  test('cookie: the user of a hub login cookie', async () => {
    const value = (cookies.alice?.cookie ?? '').split('; ').find((c) => c.startsWith('jupyterhub-hub-login='))?.slice('jupyterhub-hub-login='.length) ?? '';
    const url = `${api}authorizations/cookie/jupyterhub-hub-login/${encodeURIComponent(value)}`;
    const res = await request({ url, headers: { authorization: 'token announcer-secret-token-1' } });
    assert.equal(res.status, 200);
    assert.equal((res.body as { name: string }).name, 'alice');
    const forged = await request({ url: `${url}x`, headers: { authorization: 'token announcer-secret-token-1' } });
    assert.equal(forged.status, 404);
  });
});

describe('revocation', () => {
  test('logout revokes the session\'s tokens (revokeSessionTokens)', async () => {
    const token = await tokenFor(aliceServer, await authorize(aliceServer, 'alice'));
    assert.equal((await whoami(token)).status, 200);
    const db = t.hub.db;
    assert.ok(db && t.hub.identity);
    const n = await revokeSessionTokens(db, { userId: alice.id, sessionId: cookies.alice?.sessionId ?? '' }, t.hub.identity);
    assert.ok(n >= 1);
    assert.equal((await whoami(token)).status, 403);
  });

  test('removing a client (server stopped) deletes its tokens and codes', async () => {
    const token = await tokenFor(aliceServer, await authorize(aliceServer, 'alice'));
    const pending = await authorize(aliceServer, 'alice');
    const db = t.hub.db;
    assert.ok(db && t.hub.identity);
    assert.equal(await removeClient(db, aliceServer.clientId, t.hub.identity), true);
    assert.equal((await whoami(token)).status, 403);
    const code = new URL(String(pending.headers.location), 'http://x').searchParams.get('code');
    assert.equal(await db('oauth_codes').where({ code }).first(), undefined);
    assert.equal((await authorize(aliceServer, 'alice')).status, 400, 'an unknown client is refused');
  });
});

describe('a JupyterHub 3.0 oauth.html in template_paths', () => {
  test('oauth.html gets the user\'s decrypted auth_state, as current_user.get_auth_state()', async () => {
    const { mkdir, writeFile } = await import('node:fs/promises');
    const { randomBytes } = await import('node:crypto');
    const { tempDir } = await import('../helpers/cli.js');
    const { saveAuthState } = await import('../../src/daemon/auth/auth-state.js');
    const { cryptKeeperFor } = await import('../../src/daemon/auth/crypt-keeper.js');
    const dir = await tempDir();
    await mkdir(`${dir}/templates`);
    await writeFile(`${dir}/templates/oauth.html`, '<p id="state">{{ auth_state.team if auth_state else "none" }}</p>{{ xsrf_form_html() }}');
    const hub = await startTestHub({
      dir, env: { JUPYTERHUB_CRYPT_KEY: randomBytes(32).toString('hex') },
      overrides: ['Authenticator.admin_users=["root"]', 'Authenticator.enable_auth_state=true', `JupyterHub.template_paths=["${dir}/templates"]`],
    });
    try {
      const db = hub.hub.db ?? assert.fail();
      const root = await getUserByName(db, 'root') ?? assert.fail();
      const [owner] = await (await import('../../src/daemon/db/users-repo.js')).createUsers(db, ['dora']);
      const client = await addServerClient(db, owner ?? assert.fail());
      const cookie = loginCookie(hub.hub.sessions ?? assert.fail(), root).cookie;
      const q = new URLSearchParams({ client_id: client.clientId, redirect_uri: client.redirectUri, response_type: 'code', state: 's' });
      const page = async (): Promise<string> => {
        const res = await request({ url: `${hub.status.hub_url}api/oauth2/authorize?${q.toString()}`, headers: { cookie } });
        assert.equal(res.status, 200);
        return String(res.body);
      };
      assert.match(await page(), /<p id="state">none<\/p>/);
      await saveAuthState(db, cryptKeeperFor(hub.hub.config.CryptKeeper), root.id, { team: 'ops &amp; <b>' });
      assert.match(await page(), /<p id="state">ops &amp;amp; &lt;b&gt;<\/p>/, 'the value, escaped');
    } finally {
      await hub.stop();
    }
  });

  test('replaces the confirm page; its form, without _xsrf, is accepted from the page itself (Referer) as 3.0 accepts it', async () => {
    const { copyFile, mkdir } = await import('node:fs/promises');
    const { tempDir } = await import('../helpers/cli.js');
    const dir = await tempDir();
    await mkdir(`${dir}/templates`);
    await copyFile('/usr/share/jupyterhub/templates/oauth.html', `${dir}/templates/oauth.html`);
    const hub = await startTestHub({ dir, overrides: ['Authenticator.admin_users=["root"]', `JupyterHub.template_paths=["${dir}/templates"]`] });
    try {
      const db = hub.hub.db ?? assert.fail();
      const root = await getUserByName(db, 'root') ?? assert.fail();
      const [owner] = await (await import('../../src/daemon/db/users-repo.js')).createUsers(db, ['carol']);
      const client = await addServerClient(db, owner ?? assert.fail());
      const cookie = loginCookie(hub.hub.sessions ?? assert.fail(), root).cookie;
      const base = `${hub.status.hub_url}api/oauth2/authorize`;
      const q = new URLSearchParams({ client_id: client.clientId, redirect_uri: client.redirectUri, response_type: 'code', state: 's9' });
      const pageUrl = `${base}?${q.toString()}`;
      const page = await request({ url: pageUrl, headers: { cookie } });
      assert.equal(page.status, 200);
      const html = String(page.body);
      assert.match(html, /An application is requesting authorization to access data associated with your JupyterHub account/);
      assert.match(html, /btn-jupyter/, "JupyterHub's own template was used");
      assert.doesNotMatch(html, /name="_xsrf"/);
      const scopes = [...html.matchAll(/<input type="hidden" name="scopes" value="([^"]*)"\/>/g)].map((m) => m[1] ?? '');
      assert.ok(scopes.includes('access:servers!server=carol/'), html);
      const post = (referer: string | undefined): Promise<SimpleResponse> => request({
        url: pageUrl, method: 'POST',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', ...(referer === undefined ? {} : { referer }) },
        body: new URLSearchParams(scopes.map((s): [string, string] => ['scopes', s])).toString(),
      });
      assert.equal((await post(undefined)).status, 403, 'no _xsrf and no Referer');
      assert.equal((await post('http://evil.example/page')).status, 403, 'another page');
      assert.equal((await post(`${pageUrl}&extra=1`)).status, 403, 'another authorization request');
      const ok = await post(pageUrl);
      assert.equal(ok.status, 302, JSON.stringify(ok.body));
      assert.equal(new URL(String(ok.headers.location), 'http://x').searchParams.get('state'), 's9');
    } finally {
      await hub.stop();
    }
  });
});
