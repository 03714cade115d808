/**
 * The API's SQL on a real PostgreSQL server (Debian's postgresql 15): JSON aggregation of groups, roles and spawners,
 * ILIKE name filters (PostgreSQL's backslash escape, as JupyterHub's SQL has it), NULL ordering, transactions.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { FakeServerManager, startApiTestHub, type ApiTestHub } from '../helpers/openapi.js';

type Model = Record<string, unknown>;
const names = (b: unknown): string[] => (b as Model[]).map((u) => String(u.name));
const PG = (process.env.HUB_TEST_PG_BIN ?? '/usr/lib/postgresql/15/bin') + '/postgres';

describe('API on PostgreSQL', { skip: !existsSync(PG) && 'no PostgreSQL server binary' }, () => {
  let pg: TestPostgres;
  let h: ApiTestHub;
  before(async () => {
    pg = await startPostgres();
    h = await startApiTestHub([`JupyterHub.db_url=${pg.url}`, 'JupyterHub.allow_named_servers=true']);
    h.deps.servers = new FakeServerManager();
  });
  after(async () => {
    await h?.stop();
    await pg?.stop();
  });

  it('creates, filters, sorts and pages users in SQL', async () => {
    assert.equal((await h.api('POST', '/users', { body: { usernames: ['Ann', 'anna', 'bob', 'b\\ob'] } })).status, 201);
    assert.deepEqual(names((await h.api('GET', '/users?name_filter=ANN')).body), ['ann', 'anna']);
    // SQLAlchemy's ILIKE keeps PostgreSQL's escape character: a backslash escapes, two are one backslash, as in JupyterHub.
    assert.deepEqual(names((await h.api('GET', '/users?name_filter=b%5C%5C')).body), ['b\\ob']);
    assert.deepEqual(names((await h.api('GET', '/users?name_filter=b%5C')).body), [], 'b then an escaped %: no name ends in b%');
    assert.deepEqual(names((await h.api('GET', '/users?name_filter=b_o')).body), ['b\\ob'], '_ is any one character');
    await h.api('POST', '/users/bob/activity', { body: { last_activity: new Date(Date.now() - 1000).toISOString() } });
    assert.equal(names((await h.api('GET', '/users?sort=-last_activity')).body)[0], 'bob');
    assert.equal(names((await h.api('GET', '/users?sort=last_activity')).body).at(-1), 'bob', 'NULLs first ascending');
    const page = (await h.api('GET', '/users?limit=2&offset=1', { headers: { accept: 'application/jupyterhub-pagination+json' } })).body as { items: Model[]; _pagination: Model };
    assert.equal(page.items.length, 2);
    assert.equal(page._pagination.total, 5);
  });

  it('aggregates groups, roles and spawners into models', async () => {
    await h.api('POST', '/groups/crew', { body: { users: ['ann', 'bob'] } });
    await h.api('PATCH', '/users/ann', { body: { admin: true } });
    const ann = await h.db('users').where({ name: 'ann' }).first('id') as { id: number };
    await h.db('spawners').insert({ user_id: ann.id, name: 'gpu', state: '{"pid": 3}', user_options: '{"x": 1}' });
    const m = (await h.api('GET', '/users/ann?include_stopped_servers')).body as Model;
    assert.deepEqual(m.groups, ['crew']);
    assert.deepEqual(m.roles, ['user', 'admin']);
    const servers = m.servers as Record<string, Model>;
    assert.deepEqual(Object.keys(servers).sort(), ['', 'gpu']);
    assert.deepEqual(servers.gpu?.user_options, { x: 1 });
    assert.deepEqual(servers.gpu?.state, { pid: 3 });
    assert.deepEqual(((await h.api('GET', '/groups/crew')).body as Model).users, ['ann', 'bob']);
    assert.equal((await h.api('GET', '/users?state=inactive')).status, 200);
  });

  it('tokens and deletion', async () => {
    const t = (await h.api('POST', '/users/bob/tokens', { body: { expires_in: 60 } })).body as Model;
    assert.equal((await h.api('GET', '/users/bob', { token: String(t.token) })).status, 200);
    assert.equal((await h.api('DELETE', '/users/ann')).status, 204);
    assert.equal((await h.api('GET', '/users/ann')).status, 404);
    assert.equal((await h.db('spawners').where({ name: 'gpu' })).length, 0);
    assert.equal((await h.api('POST', '/users', { body: { usernames: ['x\u0000'] } })).status, 400, 'NUL never reaches PostgreSQL');
  });
});
