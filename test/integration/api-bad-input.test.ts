/**
 * No input makes the API answer 500, and none of these changes the database: malformed JSON, wrong types, huge
 * bodies, odd unicode, path tricks, over-long names. Each reply is a 4xx JupyterHub error `{status, message}`
 * (checked by the spec helper) whose message says what was wrong.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startApiTestHub, type ApiTestHub, type CallOptions } from '../helpers/openapi.js';

interface BadCase {
  method: string;
  path: string;
  opts?: CallOptions;
  status: number;
  /** The message must mention this (case-insensitive). */
  says?: RegExp;
}

const long = 'x'.repeat(300);
const CASES: readonly BadCase[] = [
  { method: 'POST', path: '/users', opts: { rawBody: '{"usernames": [' }, status: 400, says: /invalid json/i },
  { method: 'POST', path: '/users', opts: { rawBody: 'null' }, status: 400, says: /at least one user/ },
  { method: 'POST', path: '/users', opts: { rawBody: '"ann"' }, status: 400 },
  { method: 'POST', path: '/users', opts: { rawBody: '[1, 2]' }, status: 400 },
  { method: 'POST', path: '/users', opts: { rawBody: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]) }, status: 400, says: /UTF-8/ },
  { method: 'POST', path: '/users', opts: { body: { usernames: 'ann' } }, status: 400, says: /list of strings/ },
  { method: 'POST', path: '/users', opts: { body: { usernames: [1, 2] } }, status: 400, says: /list of strings/ },
  { method: 'POST', path: '/users', opts: { body: { usernames: [{}] } }, status: 400 },
  { method: 'POST', path: '/users', opts: { body: { usernames: ['ann'], admin: 'true' } }, status: 400, says: /admin must be/ },
  { method: 'POST', path: '/users', opts: { body: { usernames: ['a\u0000b'] } }, status: 400, says: /invalid username/i },
  { method: 'POST', path: '/users', opts: { rawBody: '{"usernames": ["\\ud800x"]}' }, status: 400, says: /invalid username/i },
  { method: 'POST', path: '/users', opts: { body: { usernames: [long] } }, status: 400 },
  { method: 'POST', path: '/users', opts: { body: { usernames: ['ok1', ' spaced '] } }, status: 400, says: /invalid username/i },
  { method: 'POST', path: '/users', opts: { rawBody: `{"usernames": ["${'y'.repeat(2 * 1024 * 1024)}"]}` }, status: 413, says: /larger than/ },
  { method: 'POST', path: '/users/a%00b', status: 400 },
  { method: 'POST', path: '/users/a%2Fb', status: 400, says: /'\/'/ },
  { method: 'POST', path: `/users/${long}`, status: 400, says: /longer than 255/ },
  { method: 'POST', path: '/users/%ED%A0%80', status: 400 },
  { method: 'GET', path: '/users/%E0%A4%A', status: 400 },
  { method: 'GET', path: '/users/..%2F..%2Fetc%2Fpasswd', status: 404 },
  { method: 'DELETE', path: '/users/ann%2F..%2Fbob', status: 404 },
  { method: 'PATCH', path: '/users/ann', opts: { rawBody: '{"name": 5}' }, status: 400, says: /name must be/ },
  { method: 'PATCH', path: '/users/ann', opts: { body: { name: '' } }, status: 400 },
  { method: 'PATCH', path: '/users/ann', opts: { body: { name: long } }, status: 400 },
  { method: 'PATCH', path: '/users/ann', opts: { body: { name: 'x/y' } }, status: 400 },
  { method: 'PATCH', path: '/users/ann', opts: { body: { admin: null } }, status: 400 },
  { method: 'PATCH', path: '/users/ann', opts: { body: { groups: ['g'] } }, status: 400 },
  { method: 'PATCH', path: '/users/ann', opts: { body: { auth_state: { secret: 1 } } }, status: 400 },
  { method: 'POST', path: '/groups/%00', status: 400 },
  { method: 'POST', path: `/groups/${long}`, status: 400 },
  { method: 'POST', path: '/groups', opts: { body: { groups: [null] } }, status: 400 },
  { method: 'POST', path: '/groups', opts: { body: { groups: ['new'], users: 'ann' } }, status: 400 },
  { method: 'POST', path: '/groups/crew/users', opts: { body: { users: 'ann' } }, status: 400 },
  { method: 'POST', path: '/groups/crew/users', opts: { body: { users: [5] } }, status: 400 },
  { method: 'POST', path: '/groups/crew/users', opts: { body: { users: ['ann'], extra: 1 } }, status: 400, says: /Invalid JSON keys/ },
  { method: 'PUT', path: '/groups/crew/properties', opts: { rawBody: '5' }, status: 400 },
  { method: 'POST', path: '/users/ann/tokens', opts: { body: { expires_in: 1e300 } }, status: 400 },
  { method: 'POST', path: '/users/ann/tokens', opts: { body: { expires_in: true } }, status: 400 },
  { method: 'POST', path: '/users/ann/tokens', opts: { body: { scopes: [5] } }, status: 400 },
  { method: 'POST', path: '/users/ann/tokens', opts: { body: { scopes: ['read:users!user'] , roles: null, note: 'x'.repeat(2000) } }, status: 400 },
  { method: 'POST', path: '/users/ann/tokens', opts: { body: { scopes: ['\u0000'] } }, status: 400 },
  { method: 'GET', path: '/users/ann/tokens/a99999999999999999999999', status: 404 },
  { method: 'POST', path: '/users/ann/activity', opts: { body: { last_activity: 12345 } }, status: 400 },
  { method: 'POST', path: '/users/ann/activity', opts: { body: { last_activity: '9999-99-99T99:99:99Z' } }, status: 400 },
  { method: 'POST', path: '/users/ann/activity', opts: { body: { servers: { '': 'now' } } }, status: 400 },
  { method: 'POST', path: '/users/ann/activity', opts: { rawBody: '[]' }, status: 400 },
  { method: 'GET', path: '/users?offset=1e99', status: 400 },
  { method: 'GET', path: '/users?state=x%00', status: 400 },
  { method: 'GET', path: '/users?sort=--name', status: 400 },
  { method: 'POST', path: '/users/ann/servers/x', status: 400 },
  { method: 'DELETE', path: '/users/ann/server', opts: { rawBody: '[1]' }, status: 400 },
  { method: 'POST', path: '/users/ann/server', opts: { rawBody: '"options"' }, status: 400 },
  { method: 'POST', path: '/shutdown', opts: { rawBody: '{' }, status: 400 },
  { method: 'PATCH', path: '/proxy', opts: { rawBody: '{' }, status: 400 },
  { method: 'PATCH', path: '/proxy', opts: { body: { api_url: 'javascript:alert(1)' } }, status: 400 },
  { method: 'GET', path: '/users', opts: { token: 'x'.repeat(8000) }, status: 403 },
];

describe('bad input: a 4xx that says what was wrong, and the database unchanged', () => {
  let h: ApiTestHub;
  before(async () => {
    h = await startApiTestHub();
    h.deps.proxy = { getRoutes: async () => ({}), sync: async () => undefined, reconfigure: async () => undefined };
    await h.api('POST', '/users', { body: { usernames: ['ann', 'bob'] } });
    await h.api('POST', '/groups/crew', { body: { users: ['ann'] } });
  });
  after(async () => h.stop());

  /** Every table the API writes, without columns that token use touches on its own. */
  async function snapshot(): Promise<string> {
    const out: Record<string, unknown> = {};
    for (const table of ['users', 'groups', 'user_group_map', 'roles', 'user_role_map', 'group_role_map', 'spawners', 'servers', 'services', 'oauth_clients']) {
      out[table] = (await h.db(table).select('*')).map((r: Record<string, unknown>) => ({ ...r, last_activity: undefined }));
    }
    out.api_tokens = await h.db('api_tokens').select('id', 'user_id', 'service_id', 'scopes', 'note', 'expires_at').orderBy('id');
    return JSON.stringify(out);
  }

  for (const c of CASES) {
    it(`${c.method} ${c.path.slice(0, 60)} ${c.opts?.rawBody !== undefined ? String(c.opts.rawBody).slice(0, 30) : JSON.stringify(c.opts?.body ?? '').slice(0, 50)} -> ${c.status}`, async () => {
      const before = await snapshot();
      const r = await h.api(c.method, c.path, c.opts ?? {});
      assert.equal(r.status, c.status, JSON.stringify(r.body));
      const message = String((r.body as { message?: unknown }).message);
      if (c.says) assert.match(message, c.says);
      assert.equal(await snapshot(), before, 'the database changed');
    });
  }

  it('odd but valid unicode names round-trip (emoji, right-to-left, combining marks)', async () => {
    for (const name of ['😀', 'مرحبا', 'e\u0301', 'ß-ü']) {
      const made = await h.api('POST', `/users/${encodeURIComponent(name)}`);
      assert.equal(made.status, 201, name);
      const got = await h.api('GET', `/users/${encodeURIComponent(name)}`);
      assert.equal((got.body as { name: string }).name, name);
    }
  });
});
