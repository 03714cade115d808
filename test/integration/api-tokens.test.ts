import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startApiTestHub, type ApiTestHub } from '../helpers/openapi.js';
import { readNullableDate, toDbTimestamp } from '../../src/daemon/db/timestamps.js';
import { createToken } from '../../src/daemon/db/tokens-repo.js';

type Model = Record<string, unknown>;

describe('tokens API', () => {
  let h: ApiTestHub;
  before(async () => {
    h = await startApiTestHub();
    await h.api('POST', '/users', { body: { usernames: ['ann', 'bob'] } });
  });
  after(async () => h.stop());

  it('creates a token (201, with the secret once) that works, with its expanded scopes in the model', async () => {
    const r = await h.api('POST', '/users/ann/tokens', { body: { note: 'ci', expires_in: 600, scopes: ['read:users!user=ann'] } });
    assert.equal(r.status, 201);
    const m = r.body as Model;
    assert.match(String(m.token), /^[0-9a-f]{32}$/);
    assert.match(String(m.id), /^a\d+$/);
    assert.equal(m.note, 'ci');
    assert.equal(m.user, 'ann');
    assert.ok(m.expires_at !== null);
    assert.deepEqual(m.scopes, ['read:users!user=ann', 'read:users:activity!user=ann', 'read:users:groups!user=ann', 'read:users:name!user=ann']);
    assert.equal(m.oauth_client, 'JupyterHub');
    const self = await h.api('GET', '/users/ann', { token: String(m.token) });
    assert.equal(self.status, 200);
    const listed = (await h.api('GET', '/users/ann/tokens')).body as { api_tokens: Model[] };
    assert.ok(listed.api_tokens.every((t) => !('token' in t)), 'the secret is never listed');
    assert.equal((await h.api('GET', `/users/ann/tokens/${String(m.id)}`)).status, 200);
  });

  it('default note and inherit scopes; roles resolve to scopes; the requester is named in the note', async () => {
    const own = await h.tokenFor('ann');
    const made = (await h.api('POST', '/users/ann/tokens', { body: {}, token: own })).body as Model;
    assert.equal(made.note, 'Requested via api');
    assert.ok((made.scopes as string[]).includes('access:servers!user=ann'), 'inherit = the owner\'s scopes');
    const byAdmin = (await h.api('POST', '/users/ann/tokens', { body: { roles: ['server'] } })).body as Model;
    assert.equal(byAdmin.note, 'Requested via api by service admin-svc');
    assert.deepEqual(byAdmin.scopes, ['access:servers!user=ann', 'read:users:activity!user=ann', 'read:users:groups!user=ann', 'read:users:name!user=ann', 'users:activity!user=ann']);
  });

  it('refuses: scopes the owner lacks, unknown scopes, unknown roles, both, bad types (400); others\' tokens (403)', async () => {
    const bad = async (body: unknown): Promise<number> => (await h.api('POST', '/users/ann/tokens', { body })).status;
    assert.equal(await bad({ scopes: ['admin:users'] }), 400);
    assert.equal(await bad({ scopes: ['no-such-scope'] }), 400);
    assert.equal(await bad({ scopes: ['read:users!nope=x'] }), 400);
    assert.equal(await bad({ roles: ['no-such-role'] }), 400);
    assert.equal(await bad({ roles: ['user'], scopes: ['read:users!user=ann'] }), 400);
    assert.equal(await bad({ scopes: 'read:users' }), 400);
    assert.equal(await bad({ expires_in: 'soon' }), 400);
    assert.equal(await bad({ expires_in: -5 }), 400);
    assert.equal(await bad({ note: 5 }), 400);
    assert.equal(await bad([1, 2]), 400);
    const bobs = await h.tokenFor('bob');
    assert.equal((await h.api('POST', '/users/ann/tokens', { body: {}, token: bobs })).status, 403);
    assert.equal((await h.api('POST', '/users/ann/tokens', { body: {}, token: null })).status, 403);
    assert.equal((await h.api('POST', '/users/nobody/tokens', { body: {} })).status, 403);
    const before = (await h.db('api_tokens').count({ n: '*' }).first()) as { n: number };
    assert.ok(before.n > 0);
  });

  it('lists oldest use first and deletes expired tokens on sight', async () => {
    const ann = await h.db('users').where({ name: 'ann' }).first('id') as { id: number };
    const made = (await h.api('POST', '/users/ann/tokens', { body: { note: 'short' } })).body as Model;
    await h.db('api_tokens').where({ id: Number(String(made.id).slice(1)) }).update({ expires_at: toDbTimestamp(new Date(Date.now() - 1000)) });
    const list = (await h.api('GET', '/users/ann/tokens')).body as { api_tokens: Model[] };
    assert.ok(!list.api_tokens.some((t) => t.id === made.id));
    assert.equal((await h.db('api_tokens').where({ id: Number(String(made.id).slice(1)), user_id: ann.id }).first()), undefined, 'deleted');
  });

  it('reads and revokes by id only for the owner; an OAuth token takes its siblings of the same client', async () => {
    const bobs = (await h.api('POST', '/users/bob/tokens', { body: {} })).body as Model;
    assert.equal((await h.api('GET', `/users/ann/tokens/${String(bobs.id)}`)).status, 404, "bob's id under ann");
    assert.equal((await h.api('DELETE', `/users/ann/tokens/${String(bobs.id)}`)).status, 404);
    for (const id of ['xyz', 'a', 'a-1', 'b1']) assert.equal((await h.api('GET', `/users/bob/tokens/${id}`)).status, 404, id);
    const del = await h.api('DELETE', `/users/bob/tokens/${String(bobs.id)}`);
    assert.equal(del.status, 204);
    assert.equal((await h.api('GET', '/users/bob', { token: String(bobs.token) })).status, 403, 'revoked at once');
    const bob = await h.db('users').where({ name: 'bob' }).first('id') as { id: number };
    await h.db('oauth_clients').insert({ identifier: 'service-x', secret: '', redirect_uri: '', description: '' });
    await h.db('api_tokens').insert([1, 2].map((i) => ({ user_id: bob.id, hashed: `h${i}`, prefix: 'zzzz', client_id: 'service-x', scopes: '[]', note: '', created: toDbTimestamp(new Date()) })));
    const oauth = (await h.api('GET', '/users/bob/tokens')).body as { api_tokens: Model[] };
    const first = oauth.api_tokens.find((t) => t.oauth_client === 'service-x');
    assert.ok(first);
    assert.equal((await h.api('DELETE', `/users/bob/tokens/${String(first.id)}`)).status, 204);
    assert.equal((await h.db('api_tokens').where({ client_id: 'service-x' })).length, 0);
  });

  it('token use records the token\'s and the user\'s last_activity each by its own activity_resolution (base.py _record_activity for both)', async () => {
    const at = async (table: string, where: Record<string, unknown>): Promise<number> => {
      const row = (await h.db(table).where(where).first()) as Record<string, unknown>;
      return readNullableDate(row, 'last_activity')?.getTime() ?? 0;
    };
    const hourAgo = Date.now() - 3_600_000;
    const secondAgo = Date.now() - 1000;
    // The token was used a second ago (within the default 30 s), the user not for an hour: the user is recorded.
    const token = await h.tokenFor('ann');
    const tokenId = ((await h.db('api_tokens').orderBy('id', 'desc').first()) as { id: number }).id;
    await h.db('api_tokens').where({ id: tokenId }).update({ last_activity: toDbTimestamp(new Date(secondAgo)) });
    await h.db('users').where({ name: 'ann' }).update({ last_activity: toDbTimestamp(new Date(hourAgo)) });
    assert.equal((await h.api('GET', '/users/ann', { token })).status, 200);
    const deadline = Date.now() + 5000;
    while ((await at('users', { name: 'ann' })) < secondAgo && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.ok((await at('users', { name: 'ann' })) >= secondAgo, 'the user\'s last_activity moved though the token\'s is recent');
    assert.ok(Math.abs((await at('api_tokens', { id: tokenId })) - secondAgo) < 1000, 'the token\'s own is left within activity_resolution');
    // A server's token (note "Server at ...") is the server's activity, not the user's: only the token is recorded.
    const serverToken = (await createToken(h.db, { userId: ((await h.db('users').where({ name: 'bob' }).first()) as { id: number }).id }, { note: 'Server at /user/bob/', scopes: ['inherit'] })).token;
    await h.db('users').where({ name: 'bob' }).update({ last_activity: toDbTimestamp(new Date(hourAgo)) });
    assert.equal((await h.api('GET', '/users/bob', { token: serverToken })).status, 200);
    const serverTokenId = ((await h.db('api_tokens').orderBy('id', 'desc').first()) as { id: number }).id;
    while ((await at('api_tokens', { id: serverTokenId })) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.ok((await at('api_tokens', { id: serverTokenId })) > secondAgo, 'the server token\'s use is recorded');
    // A request queued after the activity writes: any write to bob would be visible by now.
    assert.equal((await h.api('GET', '/users/bob')).status, 200);
    assert.ok(Math.abs((await at('users', { name: 'bob' })) - hourAgo) < 1000, 'the user\'s last_activity is not moved by a server token');
  });
});
