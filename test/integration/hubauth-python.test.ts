/**
 * JupyterHub 3.0's own client library (Debian's jupyterhub.services.auth, run by /usr/bin/python3) against our hub:
 * HubAuth identifies a token's user, HubOAuth completes an OAuth login (login_url -> authorize with the login
 * cookie -> code -> token_for_code -> user_for_token), and check_scopes accepts the result for the server.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request, startTestHub, type TestHub } from '../helpers/hub.js';
import { addServerClient, loginCookie, runHubAuth, type TestServerClient } from '../helpers/python-hubauth.js';
import { createToken } from '../../src/daemon/db/tokens-repo.js';
import { getUserByName, type UserRow } from '../../src/daemon/db/users-repo.js';

const SERVICE_TOKEN = 'hubauth-service-token-0001';
const TRUSTED_TOKEN = 'trusted-service-token-0001';
const SERVICES = [
  { name: 'checker', api_token: SERVICE_TOKEN },
  { name: 'trusted', url: 'http://127.0.0.1:9', api_token: TRUSTED_TOKEN, oauth_no_confirm: true },
];
const ROLES = [{ name: 'trusted-users', scopes: ['access:services!service=trusted'], users: ['alice'] }];

let t: TestHub;
let apiUrl: string;
let alice: UserRow;
let cookie: string;
let sessionId: string;
let server: TestServerClient;

before(async () => {
  t = await startTestHub({
    overrides: ['Authenticator.allowed_users=["alice"]', `JupyterHub.services=${JSON.stringify(SERVICES)}`, `JupyterHub.load_roles=${JSON.stringify(ROLES)}`],
  });
  // JUPYTERHUB_API_URL has no trailing slash.
  apiUrl = `${t.status.hub_url}api`;
  const db = t.hub.db;
  assert.ok(db && t.hub.sessions);
  const a = await getUserByName(db, 'alice');
  assert.ok(a);
  alice = a;
  ({ cookie, sessionId } = loginCookie(t.hub.sessions, a));
  server = await addServerClient(db, a);
});

after(async () => {
  await t.stop();
});

/** The browser step: follow HubOAuth's login_url (plus a state) with the hub login cookie; the code comes back. */
async function codeVia(loginUrl: string, origin: string): Promise<{ code: string; state: string | null }> {
  const res = await request({ url: `${origin}${loginUrl}&state=py-state`, headers: { cookie } });
  assert.equal(res.status, 302, JSON.stringify(res.body));
  const q = new URL(String(res.headers.location), 'http://x').searchParams;
  return { code: q.get('code') ?? '', state: q.get('state') };
}

describe('jupyterhub.services.auth against hub', () => {
  test('HubAuth.user_for_token identifies a user token', async () => {
    const token = (await createToken(t.hub.db ?? assert.fail(), { userId: alice.id }, { note: 'py' })).token;
    const r = await runHubAuth({ op: 'user_for_token', api_url: apiUrl, api_token: SERVICE_TOKEN, token, access_scopes: server.accessScopes });
    assert.ok(r.ok, JSON.stringify(r));
    const model = r.value.model as Record<string, unknown>;
    assert.equal(model.kind, 'user');
    assert.equal(model.name, 'alice');
    assert.equal(model.admin, false);
    assert.deepEqual(model.groups, []);
    assert.equal(model.session_id, null);
    // A token with the owner's full rights sees JupyterHub 3.0's whole self-model (auth_state needs admin:auth_state).
    assert.deepEqual(Object.keys(model).sort(), ['admin', 'created', 'groups', 'kind', 'last_activity', 'name', 'pending', 'roles', 'scopes', 'server', 'servers', 'session_id']);
    assert.deepEqual([...(model.roles as string[])].sort(), ['trusted-users', 'user']);
    assert.deepEqual(model.servers, {});
    assert.ok((model.scopes as string[]).includes('access:servers!user=alice'));
    assert.deepEqual(r.value.allowed_scopes, ['access:servers!server=alice/', 'access:servers!user=alice']);
  });

  test('HubAuth.user_for_token returns None for an unknown token (hub answers 403)', async () => {
    const r = await runHubAuth({ op: 'user_for_token', api_url: apiUrl, api_token: SERVICE_TOKEN, token: 'f'.repeat(32), access_scopes: [] });
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(r.value.model, null);
  });

  test('HubOAuth completes a login for alice\'s server', async () => {
    const login = await runHubAuth({ op: 'login_url', api_url: apiUrl, api_token: server.secret, client_id: server.clientId, redirect_uri: server.redirectUri });
    assert.ok(login.ok, JSON.stringify(login));
    const loginUrl = String(login.value.login_url);
    assert.equal(loginUrl, '/hub/api/oauth2/authorize?client_id=jupyterhub-user-alice&redirect_uri=%2Fuser%2Falice%2Foauth_callback&response_type=code');
    const { code, state } = await codeVia(loginUrl, new URL(apiUrl).origin);
    assert.equal(state, 'py-state');
    const r = await runHubAuth({ op: 'oauth', api_url: apiUrl, api_token: server.secret, client_id: server.clientId, redirect_uri: server.redirectUri, code, access_scopes: server.accessScopes });
    assert.ok(r.ok, JSON.stringify(r));
    assert.match(String(r.value.token), /^[0-9a-f]{32}$/);
    const model = r.value.model as Record<string, unknown>;
    assert.deepEqual(model, {
      kind: 'user', name: 'alice', admin: false, groups: [], session_id: sessionId,
      scopes: ['access:servers!server=alice/', 'read:users:groups!user=alice', 'read:users:name!user=alice'],
    });
    assert.deepEqual(r.value.allowed_scopes, ['access:servers!server=alice/']);
  });

  test('HubOAuth completes a login for an oauth_no_confirm service', async () => {
    const redirect = '/services/trusted/oauth_callback';
    const login = await runHubAuth({ op: 'login_url', api_url: apiUrl, api_token: TRUSTED_TOKEN, client_id: 'service-trusted', redirect_uri: redirect });
    assert.ok(login.ok, JSON.stringify(login));
    const { code } = await codeVia(String(login.value.login_url), new URL(apiUrl).origin);
    const r = await runHubAuth({ op: 'oauth', api_url: apiUrl, api_token: TRUSTED_TOKEN, client_id: 'service-trusted', redirect_uri: redirect, code, access_scopes: ['access:services!service=trusted'] });
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal((r.value.model as { name: string }).name, 'alice');
    assert.deepEqual(r.value.allowed_scopes, ['access:services!service=trusted']);
  });

  test('HubOAuth.token_for_code with a used code fails with the hub\'s OAuth error', async () => {
    const login = await runHubAuth({ op: 'login_url', api_url: apiUrl, api_token: server.secret, client_id: server.clientId, redirect_uri: server.redirectUri });
    assert.ok(login.ok);
    const { code } = await codeVia(String(login.value.login_url), new URL(apiUrl).origin);
    const req = { op: 'oauth' as const, api_url: apiUrl, api_token: server.secret, client_id: server.clientId, redirect_uri: server.redirectUri, code, access_scopes: [] };
    assert.ok((await runHubAuth(req)).ok);
    const again = await runHubAuth(req);
    assert.deepEqual(again, { ok: false, error: 'Failed to check authorization: invalid_grant', type: 'HTTPError', status: 500 });
  });
});
