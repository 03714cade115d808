/**
 * The OAuth provider as jupyterhub-singleuser 3.0 drives it (jupyterhub-facts 3.4, the exact requests), and its
 * refusals: no login, wrong redirect_uri, wrong secret, reused and expired codes, other people's servers.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request, startTestHub, type SimpleResponse, type TestHub } from '../helpers/hub.js';
import { addServerClient, loginCookie, type TestServerClient } from '../helpers/python-hubauth.js';
import { getUserByName, type UserRow } from '../../src/daemon/db/users-repo.js';

let t: TestHub;
let api: string;
let alice: UserRow;
let aliceCookie: { cookie: string; sessionId: string };
let bobCookie: { cookie: string; sessionId: string };
let server: TestServerClient;

const STATE = Buffer.from(JSON.stringify({ uuid: 'b5e6c3d0a1', next_url: '/user/alice/tree/?' })).toString('base64url');

function authorizeUrl(c: TestServerClient, extra: Record<string, string> = {}): string {
  // The exact query jupyterhub-singleuser 3.0 sends: no scope parameter.
  const q = new URLSearchParams({ client_id: c.clientId, redirect_uri: c.redirectUri, response_type: 'code', state: STATE, ...extra });
  return `${api}oauth2/authorize?${q.toString()}`;
}

async function authorize(c: TestServerClient, cookie: string, extra: Record<string, string> = {}): Promise<SimpleResponse> {
  return request({ url: authorizeUrl(c, extra), headers: { cookie } });
}

function codeFrom(res: SimpleResponse): string {
  assert.equal(res.status, 302, JSON.stringify(res.body));
  const location = String(res.headers.location);
  const url = new URL(location, 'http://x');
  const code = url.searchParams.get('code');
  assert.ok(code, `no code in ${location}`);
  return code;
}

async function exchange(c: TestServerClient, code: string, over: Record<string, string> = {}): Promise<SimpleResponse> {
  const form = new URLSearchParams({ client_id: c.clientId, client_secret: c.secret, grant_type: 'authorization_code', code, redirect_uri: c.redirectUri, ...over });
  return request({
    url: `${api}oauth2/token`,
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `token ${c.secret}` },
    body: form.toString(),
  });
}

before(async () => {
  t = await startTestHub({ overrides: ['Authenticator.allowed_users=["alice","bob"]'] });
  api = `${t.status.hub_url}api/`;
  const db = t.hub.db;
  const sessions = t.hub.sessions;
  assert.ok(db && sessions);
  const a = await getUserByName(db, 'alice');
  const b = await getUserByName(db, 'bob');
  assert.ok(a && b);
  alice = a;
  aliceCookie = loginCookie(sessions, a);
  bobCookie = loginCookie(sessions, b);
  server = await addServerClient(db, a);
});

after(async () => {
  await t.stop();
});

describe('the authorization-code flow of jupyterhub-singleuser', () => {
  test('without the login cookie, authorize sends the browser to the login page and back', async () => {
    const res = await request({ url: authorizeUrl(server) });
    assert.equal(res.status, 302);
    const location = new URL(String(res.headers.location), 'http://x');
    assert.equal(location.pathname, '/hub/login');
    const next = location.searchParams.get('next') ?? '';
    assert.ok(next.startsWith('/hub/api/oauth2/authorize?client_id=jupyterhub-user-alice'), next);
  });

  test('own server: no scope parameter, no confirm page, code and unchanged state, token, whoami', async () => {
    const res = await authorize(server, aliceCookie.cookie);
    const location = String(res.headers.location);
    assert.ok(location.startsWith('/user/alice/oauth_callback?code='), location);
    assert.equal(new URL(location, 'http://x').searchParams.get('state'), STATE);
    const token = await exchange(server, codeFrom(res));
    assert.equal(token.status, 200, JSON.stringify(token.body));
    assert.equal(token.headers['cache-control'], 'no-store');
    const body = token.body as { access_token: string; token_type: string; expires_in: number; scope: string };
    assert.deepEqual(Object.keys(body).sort(), ['access_token', 'expires_in', 'scope', 'token_type']);
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, 14 * 86_400, 'cookie_max_age_days by default');
    assert.deepEqual(body.scope.split(' '), ['access:servers!server=alice/', 'read:users:groups!user', 'read:users:name!user']);

    const me = await request({ url: `${api}user`, headers: { authorization: `token ${body.access_token}` } });
    assert.equal(me.status, 200);
    const model = me.body as Record<string, unknown>;
    assert.deepEqual(Object.keys(model).sort(), ['admin', 'groups', 'kind', 'name', 'scopes', 'session_id']);
    assert.equal(model.kind, 'user');
    assert.equal(model.name, 'alice');
    assert.equal(model.admin, false);
    assert.deepEqual(model.groups, []);
    assert.equal(model.session_id, aliceCookie.sessionId, 'the token belongs to the login session');
    assert.deepEqual(model.scopes, ['access:servers!server=alice/', 'read:users:groups!user=alice', 'read:users:name!user=alice']);

    const row = await t.hub.db?.('api_tokens').where({ client_id: server.clientId }).first('user_id', 'session_id', 'expires_at', 'note');
    assert.equal((row as { user_id: number }).user_id, alice.id);
    assert.ok((row as { expires_at: string | null }).expires_at, 'OAuth tokens expire');
    const client = (await t.hub.db?.('oauth_clients').where({ identifier: server.clientId }).first('secret')) as { secret: string };
    assert.match(client.secret, /^sha512:1:[0-9a-f]{16}:[0-9a-f]{128}$/, 'a generated secret (the server token) is hashed like a generated token');
  });

  test('a code is single-use', async () => {
    const code = codeFrom(await authorize(server, aliceCookie.cookie));
    assert.equal((await exchange(server, code)).status, 200);
    const again = await exchange(server, code);
    assert.equal(again.status, 400);
    assert.deepEqual(again.body, { error: 'invalid_grant' });
  });

  test('an expired code fails', async () => {
    const code = codeFrom(await authorize(server, aliceCookie.cookie));
    await t.hub.db?.('oauth_codes').where({ code }).update({ expires_at: Math.floor(Date.now() / 1000) - 1 });
    const res = await exchange(server, code);
    assert.equal(res.status, 400);
    assert.deepEqual(res.body, { error: 'invalid_grant' });
  });

  test('codes expire after five minutes, as in JupyterHub 3.0', async () => {
    const before = Math.floor(Date.now() / 1000);
    const code = codeFrom(await authorize(server, aliceCookie.cookie));
    const row = (await t.hub.db?.('oauth_codes').where({ code }).first('expires_at', 'session_id', 'redirect_uri')) as { expires_at: number; session_id: string; redirect_uri: string };
    assert.ok(row.expires_at >= before + 300 && row.expires_at <= before + 302, String(row.expires_at));
    assert.equal(row.session_id, aliceCookie.sessionId);
    assert.equal(row.redirect_uri, server.redirectUri);
  });

  test('redirect_uri must be the client\'s at authorize, and the code\'s at token', async () => {
    const bad = await authorize(server, aliceCookie.cookie, { redirect_uri: 'https://evil.example/steal' });
    assert.equal(bad.status, 400);
    assert.equal(bad.headers.location, undefined, 'never redirected to an unregistered URI');
    const code = codeFrom(await authorize(server, aliceCookie.cookie));
    const res = await exchange(server, code, { redirect_uri: '/user/alice/other' });
    assert.equal(res.status, 400);
    assert.deepEqual(res.body, { error: 'invalid_request', error_description: 'Mismatching redirect URI.' });
    assert.equal((await exchange(server, code)).status, 200, 'a refused attempt does not burn the code');
  });

  test('a wrong client secret is invalid_client (401) and the code is not consumed', async () => {
    const code = codeFrom(await authorize(server, aliceCookie.cookie));
    const res = await exchange(server, code, { client_secret: 'not-the-secret' });
    assert.equal(res.status, 401);
    assert.deepEqual(res.body, { error: 'invalid_client' });
    assert.match(String(res.headers['www-authenticate']), /^Bearer error="invalid_client"/);
    assert.equal((await exchange(server, code)).status, 200);
  });

  test('client credentials by HTTP Basic and a JSON body are accepted too', async () => {
    const code = codeFrom(await authorize(server, aliceCookie.cookie));
    const basic = Buffer.from(`${encodeURIComponent(server.clientId)}:${encodeURIComponent(server.secret)}`).toString('base64');
    const res = await request({
      url: `${api}oauth2/token`,
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Basic ${basic}` },
      body: JSON.stringify({ grant_type: 'authorization_code', code, redirect_uri: server.redirectUri }),
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
  });

  test('other token-endpoint errors follow RFC 6749', async () => {
    assert.deepEqual((await exchange(server, 'x', { grant_type: 'password' })).body, { error: 'unsupported_grant_type' });
    assert.deepEqual((await exchange(server, '')).body, { error: 'invalid_request', error_description: 'Missing code parameter.' });
    assert.deepEqual((await exchange(server, 'no-such-code')).body, { error: 'invalid_grant' });
    assert.equal((await exchange(server, 'x', { client_id: 'jupyterhub' })).status, 401, 'the hub\'s own client has no secret');
  });

  test('authorize errors the client may see go back in the redirect, with the state', async () => {
    const noType = await authorize(server, aliceCookie.cookie, { response_type: '' });
    const q = new URL(String(noType.headers.location), 'http://x').searchParams;
    assert.equal(noType.status, 302);
    assert.equal(q.get('error'), 'unsupported_response_type');
    assert.equal(q.get('state'), STATE);
    const scope = await authorize(server, aliceCookie.cookie, { scope: 'admin:users' });
    assert.equal(new URL(String(scope.headers.location), 'http://x').searchParams.get('error'), 'invalid_scope', 'the client is not allowed admin:users');
    const unknown = await request({ url: `${api}oauth2/authorize?client_id=nobody&response_type=code`, headers: { cookie: aliceCookie.cookie } });
    assert.equal(unknown.status, 400);
    assert.match(String(unknown.headers['content-type']), /^text\/html/, 'a browser lands here: the error page, as JupyterHub\'s OAuthAuthorizeHandler (a page handler) answers');
  });

  test('someone else\'s server: 403 without access:servers, as the HTML error page', async () => {
    const res = await authorize(server, bobCookie.cookie);
    assert.equal(res.status, 403);
    assert.match(String(res.headers['content-type']), /^text\/html/);
    assert.match(String(res.body), /<h1>403 : Forbidden<\/h1>[\s\S]*permission to access Server at \/user\/alice\//);
  });

  test('unknown or missing token on /api/user: 403', async () => {
    assert.equal((await request({ url: `${api}user`, headers: { authorization: 'token 0123456789abcdef0123456789abcdef' } })).status, 403);
    assert.equal((await request({ url: `${api}user` })).status, 403);
  });
});
