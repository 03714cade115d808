/**
 * JupyterHub's own client library against our hub: Debian's `jupyterhub.services.auth.HubAuth` / `HubOAuth`, run
 * by /usr/bin/python3 (not whatever python3 is first on PATH). One process per call; the answer is JSON on stdout.
 * Also the fixtures OAuth tests share: a login cookie without the login page, and a server's OAuth client as the
 * spawner registers it.
 */
import { spawn } from 'node:child_process';
import type http from 'node:http';
import type { Knex } from 'knex';
import type { SessionManager } from '../../src/daemon/auth/sessions.js';
import { createToken } from '../../src/daemon/db/tokens-repo.js';
import { ensureSpawner } from '../../src/daemon/db/spawners-repo.js';
import type { UserRow } from '../../src/daemon/db/users-repo.js';
import { registerClient, serverClientId } from '../../src/daemon/auth/oauth/index.js';

export const SYSTEM_PYTHON = '/usr/bin/python3';

export type HubAuthRequest =
  /** HubAuth(api_url, api_token).user_for_token(token) plus check_scopes against `access_scopes`. */
  | { op: 'user_for_token'; api_url: string; api_token: string; token: string; access_scopes: string[] }
  /** HubOAuth's login_url (the authorize URL a browser is sent to). */
  | { op: 'login_url'; api_url: string; api_token: string; client_id: string; redirect_uri: string }
  /** HubOAuth.token_for_code(code), then user_for_token(token) and check_scopes. */
  | { op: 'oauth'; api_url: string; api_token: string; client_id: string; redirect_uri: string; code: string; access_scopes: string[] };

export type HubAuthResponse =
  | { ok: true; value: Record<string, unknown> }
  | { ok: false; error: string; type: string; status?: number };

const SCRIPT = String.raw`
import json, sys, os
for k in list(os.environ):
    if k.startswith('JUPYTERHUB_') or k.startswith('JPY_'):
        del os.environ[k]
from jupyterhub.services.auth import HubAuth, HubOAuth, check_scopes
from tornado.web import HTTPError

req = json.load(sys.stdin)
op = req['op']
try:
    if op == 'user_for_token':
        auth = HubAuth(api_url=req['api_url'], api_token=req['api_token'], cache_max_age=0)
        model = auth.user_for_token(req['token'], use_cache=False)
        allowed = sorted(check_scopes(set(req['access_scopes']), set((model or {}).get('scopes', []))))
        out = {'model': model, 'allowed_scopes': allowed}
    elif op == 'login_url':
        auth = HubOAuth(api_url=req['api_url'], api_token=req['api_token'], oauth_client_id=req['client_id'], oauth_redirect_uri=req['redirect_uri'])
        out = {'login_url': auth.login_url}
    elif op == 'oauth':
        auth = HubOAuth(api_url=req['api_url'], api_token=req['api_token'], oauth_client_id=req['client_id'], oauth_redirect_uri=req['redirect_uri'], cache_max_age=0)
        token = auth.token_for_code(req['code'])
        model = auth.user_for_token(token, use_cache=False)
        allowed = sorted(check_scopes(set(req['access_scopes']), set((model or {}).get('scopes', []))))
        out = {'token': token, 'model': model, 'allowed_scopes': allowed}
    else:
        raise ValueError('unknown op ' + op)
    print(json.dumps({'ok': True, 'value': out}))
except HTTPError as e:
    print(json.dumps({'ok': False, 'error': str(e.log_message), 'type': 'HTTPError', 'status': e.status_code}))
except Exception as e:
    print(json.dumps({'ok': False, 'error': str(e), 'type': type(e).__name__}))
`;

export async function runHubAuth(req: HubAuthRequest): Promise<HubAuthResponse> {
  return new Promise((resolve, reject) => {
    const child = spawn(SYSTEM_PYTHON, ['-c', SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'], env: { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8' } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(line) as HubAuthResponse);
      } catch {
        reject(new Error(`python exited ${code}: ${err || out}`));
      }
    });
    child.stdin.end(JSON.stringify(req));
  });
}

/** A logged-in browser's cookies, made by the hub's own SessionManager.login (no login page needed). */
export function loginCookie(sessions: SessionManager, user: UserRow): { cookie: string; sessionId: string } {
  const headers = new Map<string, string | string[]>();
  const res = {
    getHeader: (name: string) => headers.get(name.toLowerCase()),
    setHeader: (name: string, value: string | string[]) => headers.set(name.toLowerCase(), value),
  } as unknown as http.ServerResponse;
  const sessionId = sessions.login(res, user, null);
  const set = headers.get('set-cookie');
  const list = Array.isArray(set) ? set : typeof set === 'string' ? [set] : [];
  return { cookie: list.map((c) => c.split(';', 1)[0]).join('; '), sessionId };
}

export interface TestServerClient {
  clientId: string;
  /** The server's API token, which is also the client secret. */
  secret: string;
  redirectUri: string;
  accessScopes: string[];
}

/** What the spawner does before starting a server: a server token and an OAuth client linked to the spawner. */
export async function addServerClient(db: Knex, user: UserRow, server = '', baseUrl = '/'): Promise<TestServerClient> {
  const spawner = await ensureSpawner(db, user.id, server);
  const prefix = `${baseUrl}user/${user.name}/${server === '' ? '' : `${server}/`}`;
  const { token } = await createToken(db, { userId: user.id }, { scopes: ['users:activity!user', 'access:servers!user'], note: `Server at ${prefix}` });
  const accessScopes = [`access:servers!server=${user.name}/${server}`, `access:servers!user=${user.name}`];
  const clientId = serverClientId(user.name, server);
  await registerClient(db, { id: clientId, secret: token, redirectUri: `${prefix}oauth_callback`, allowedScopes: accessScopes, description: `Server at ${prefix}`, spawnerId: spawner.id });
  return { clientId, secret: token, redirectUri: `${prefix}oauth_callback`, accessScopes };
}
