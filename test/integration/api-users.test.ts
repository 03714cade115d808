import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeServerManager, startApiTestHub, type ApiTestHub } from '../helpers/openapi.js';

type Model = Record<string, unknown>;
const PAGED = { accept: 'application/jupyterhub-pagination+json' };
const names = (body: unknown): string[] => (body as Model[]).map((u) => String(u.name));

describe('users API', () => {
  let h: ApiTestHub;
  let fake: FakeServerManager;
  before(async () => {
    h = await startApiTestHub(['JupyterHub.allow_named_servers=true', 'JupyterHub.api_page_default_limit=3', 'JupyterHub.api_page_max_limit=5']);
    fake = new FakeServerManager();
    h.deps.servers = fake;
    const made = await h.api('POST', '/users', { body: { usernames: ['ann', 'Ben', 'cy', 'dee', 'eve', 'fay', 'gus'] } });
    assert.equal(made.status, 201);
  });
  after(async () => h.stop());

  it('creates many, normalizing names; 409 only when all exist; invalid names are a 400 that creates nothing', async () => {
    const made = await h.api('POST', '/users', { body: { usernames: ['Hal', 'ann'], admin: true } });
    assert.equal(made.status, 201);
    assert.deepEqual(names(made.body), ['hal']);
    assert.deepEqual((made.body as Model[])[0]?.roles, ['user', 'admin']);
    assert.equal((await h.api('POST', '/users', { body: { usernames: ['hal', 'ann'] } })).status, 409);
    const bad = await h.api('POST', '/users', { body: { usernames: ['ok-name', 'bad/name', ' lead'] } });
    assert.equal(bad.status, 400);
    assert.match(String((bad.body as Model).message), /Invalid usernames: bad\/name, {2}lead/);
    assert.equal((await h.api('GET', '/users/ok-name')).status, 404, 'nothing was created');
  });

  it('honours Authenticator.username_pattern', async () => {
    const p = await startApiTestHub(['Authenticator.username_pattern=^[a-z]+$']);
    try {
      assert.equal((await p.api('POST', '/users', { body: { usernames: ['abc'] } })).status, 201);
      assert.equal((await p.api('POST', '/users', { body: { usernames: ['a1'] } })).status, 400);
      assert.equal((await p.api('POST', '/users/a2')).status, 400);
    } finally {
      await p.stop();
    }
  });

  it('pages with api_page_default_limit/max_limit, offset and the envelope', async () => {
    const bare = await h.api('GET', '/users');
    assert.equal((bare.body as Model[]).length, 5, 'bare list: limit defaults to the max');
    const env = await h.api('GET', '/users?limit=2&offset=1', { headers: PAGED });
    const page = env.body as { items: Model[]; _pagination: Model };
    assert.equal(page.items.length, 2);
    assert.equal(page._pagination.offset, 1);
    assert.equal(page._pagination.limit, 2);
    assert.ok(Number(page._pagination.total) >= 9);
    assert.match(String((page._pagination.next as Model).url), /\/hub\/api\/users\?limit=2&offset=3$/);
    const dflt = await h.api('GET', '/users', { headers: PAGED });
    assert.equal((dflt.body as { items: unknown[] }).items.length, 3, 'envelope: api_page_default_limit');
    const capped = await h.api('GET', '/users?limit=500', { headers: PAGED });
    assert.equal((capped.body as { _pagination: Model })._pagination.limit, 5);
    assert.equal((await h.api('GET', '/users?offset=x')).status, 400);
  });

  it('lists reflect every committed write at once, including writes the API did not make', async () => {
    const before = (await h.api('GET', '/users?limit=1', { headers: PAGED })).body as { _pagination: Model };
    await h.db('users').insert({ name: 'zz-direct', admin: false, cookie_id: 'direct-cookie' });
    const after = (await h.api('GET', '/users?limit=1', { headers: PAGED })).body as { _pagination: Model };
    assert.equal(after._pagination.total, Number(before._pagination.total) + 1);
    await h.db('users').where({ name: 'zz-direct' }).update({ admin: true });
    const direct = ((await h.api('GET', '/users?name_filter=zz-direct')).body as Model[])[0];
    assert.equal(direct?.admin, true);
    await h.db('users').where({ name: 'zz-direct' }).delete();
    assert.deepEqual((await h.api('GET', '/users?name_filter=zz-direct')).body, []);
  });

  it('filters by name (case-insensitive substring), sorts by name/id/last_activity (5.x)', async () => {
    assert.deepEqual(names((await h.api('GET', '/users?name_filter=E')).body), ['ben', 'dee', 'eve']);
    assert.deepEqual(names((await h.api('GET', '/users?sort=-name&limit=3')).body), ['root', 'hal', 'gus']);
    const now = new Date(Date.now() - 1000).toISOString();
    assert.equal((await h.api('POST', '/users/gus/activity', { body: { last_activity: now } })).status, 200);
    const recent = names((await h.api('GET', '/users?sort=-last_activity&limit=1')).body);
    assert.deepEqual(recent, ['gus']);
    assert.equal((await h.api('GET', '/users?sort=created')).status, 400);
  });

  it('state=active/ready/inactive follow the servers; models show active servers, or all with include_stopped_servers', async () => {
    const ann = await h.api('GET', '/users/ann');
    await h.db('spawners').insert({ user_id: await idOf(h, 'ann'), name: '', state: '{}', user_options: '{}' });
    const [spawner] = await h.db('spawners').where({ name: '' }).select('id') as { id: number }[];
    const [server] = await h.db('servers').insert({ proto: 'http', ip: '127.0.0.1', port: 9, base_url: '/user/ann/' }, ['id']) as ({ id: number } | number)[];
    await h.db('spawners').where({ id: spawner?.id }).update({ server_id: typeof server === 'object' ? server.id : server });
    fake.set('ann', '', { ready: true, state: { pid: 7 } });
    assert.deepEqual(names((await h.api('GET', '/users?state=active')).body), ['ann']);
    assert.deepEqual(names((await h.api('GET', '/users?state=ready')).body), ['ann']);
    assert.ok(!names((await h.api('GET', '/users?state=inactive&limit=5')).body).includes('ann'));
    const running = (await h.api('GET', '/users/ann')).body as Model;
    assert.equal(running.server, '/user/ann/');
    assert.deepEqual(Object.keys(running.servers as Model), ['']);
    assert.deepEqual(((running.servers as Record<string, Model>)[''])?.state, { pid: 7 }, 'admin sees state');
    assert.deepEqual((ann.body as Model).servers, {}, 'nothing active before');
    const ben = (await h.api('GET', '/users/ben?include_stopped_servers')).body as Model;
    assert.deepEqual(Object.keys(ben.servers as Model), [''], 'the never-started default server');
    fake.set('ann', '', null);
  });

  it('filters models by scope: read:users:name shows kind, name, admin; list:users!group= lists members only', async () => {
    const nameOnly = await h.tokenWith(['read:users:name']);
    const m = (await h.api('GET', '/users/ben', { token: nameOnly })).body as Model;
    assert.deepEqual(Object.keys(m).sort(), ['admin', 'kind', 'name']);
    assert.equal((await h.api('POST', '/groups/crew', { body: { users: ['cy', 'dee'] } })).status, 201);
    const crew = await h.tokenWith(['list:users!group=crew', 'read:users!group=crew']);
    assert.deepEqual(names((await h.api('GET', '/users', { token: crew })).body), ['cy', 'dee']);
    assert.equal((await h.api('GET', '/users/cy', { token: crew })).status, 200);
    assert.equal((await h.api('GET', '/users/ben', { token: crew })).status, 404);
    const serverFiltered = await h.tokenWith(['list:users!server=ann/']);
    assert.equal((await h.api('GET', '/users', { token: serverFiltered })).status, 403, 'a !server filter must not widen list:users');
  });

  it('patches admin and name; refuses a taken name, an invalid one, and renaming with active servers', async () => {
    const up = await h.api('PATCH', '/users/fay', { body: { admin: true } });
    assert.equal(up.status, 200);
    assert.deepEqual((up.body as Model).roles, ['user', 'admin']);
    assert.equal((up.body as Model).auth_state, null);
    const down = await h.api('PATCH', '/users/fay', { body: { admin: false } });
    assert.deepEqual((down.body as Model).roles, ['user']);
    assert.equal((await h.api('PATCH', '/users/fay', { body: { name: 'eve' } })).status, 400);
    assert.equal((await h.api('PATCH', '/users/fay', { body: { name: 'a/b' } })).status, 400);
    fake.set('fay', '', { ready: true });
    assert.equal((await h.api('PATCH', '/users/fay', { body: { name: 'faye' } })).status, 400);
    fake.set('fay', '', null);
    const renamed = await h.api('PATCH', '/users/fay', { body: { name: 'faye' } });
    assert.equal((renamed.body as Model).name, 'faye');
    assert.equal((await h.api('GET', '/users/fay')).status, 404);
  });

  it('only admins grant admin or modify admins (JupyterHub 4.1 fix)', async () => {
    const manager = await h.tokenFor('ben');
    await h.db('roles').insert({ name: 'user-admin', scopes: JSON.stringify(['admin:users']) });
    const [role] = await h.db('roles').where({ name: 'user-admin' }).select('id') as { id: number }[];
    await h.db('user_role_map').insert({ user_id: await idOf(h, 'ben'), role_id: role?.id });
    h.deps.identity.invalidate();
    assert.equal((await h.api('PATCH', '/users/cy', { body: { admin: true }, token: manager })).status, 403);
    assert.equal((await h.api('PATCH', '/users/hal', { body: { name: 'hal2' }, token: manager })).status, 403, 'hal is an admin');
    assert.equal((await h.api('POST', '/users', { body: { usernames: ['newadmin'], admin: true }, token: manager })).status, 403);
    assert.equal((await h.api('PATCH', '/users/cy', { body: { name: 'cyd' }, token: manager })).status, 200);
  });

  it('deletes: stops every server first, takes tokens with it; refuses to delete oneself', async () => {
    const token = await h.tokenFor('eve');
    fake.set('eve', 'gpu', { ready: true });
    fake.calls.length = 0;
    assert.equal((await h.api('DELETE', '/users/eve')).status, 204);
    assert.deepEqual(fake.calls, ['stopAll eve']);
    assert.equal((await h.api('GET', '/users/eve')).status, 404);
    assert.equal((await h.api('GET', '/users/gus', { token })).status, 403, 'the token went with its user');
    const self = await h.tokenFor('root');
    assert.equal((await h.api('DELETE', '/users/root', { token: self })).status, 400);
  });

  it('records activity: newer only, per server, 400 for unknown servers and the far future', async () => {
    const t1 = new Date(Date.now() - 3600_000).toISOString();
    const t0 = new Date(Date.now() - 7200_000).toISOString();
    await h.api('POST', '/users/dee/activity', { body: { last_activity: t1 } });
    await h.api('POST', '/users/dee/activity', { body: { last_activity: t0 } });
    const shown = String(((await h.api('GET', '/users/dee')).body as Model).last_activity);
    assert.match(shown, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/, 'JupyterHub\'s isoformat: microseconds and Z');
    assert.equal(Date.parse(shown), Date.parse(t1));
    assert.equal((await h.api('POST', '/users/dee/activity', { body: { servers: { x: { last_activity: t1 } } } })).status, 400);
    await h.db('spawners').insert({ user_id: await idOf(h, 'dee'), name: 'x' });
    assert.equal((await h.api('POST', '/users/dee/activity', { body: { servers: { x: { last_activity: t1 } } } })).status, 200);
    const dee = (await h.api('GET', '/users/dee?include_stopped_servers')).body as { servers: Record<string, Model> };
    assert.equal(Date.parse(String(dee.servers.x?.last_activity)), Date.parse(t1));
    // activity_resolution (30 s) does not apply to these reports in JupyterHub 3.0: one second newer is written.
    const t2 = new Date(Date.parse(t1) + 1000).toISOString();
    await h.api('POST', '/users/dee/activity', { body: { last_activity: t2, servers: { x: { last_activity: t2 } } } });
    const after = (await h.api('GET', '/users/dee?include_stopped_servers')).body as { last_activity: string; servers: Record<string, Model> };
    assert.deepEqual([Date.parse(after.last_activity), Date.parse(String(after.servers.x?.last_activity))], [Date.parse(t2), Date.parse(t2)]);
    const soon = new Date(Date.now() + 30 * 60_000).toISOString();
    assert.equal((await h.api('POST', '/users/dee/activity', { body: { last_activity: soon } })).status, 200, '30 min ahead is fine');
    const late = new Date(Date.now() + 61 * 60_000).toISOString();
    assert.equal((await h.api('POST', '/users/dee/activity', { body: { last_activity: late } })).status, 400);
    assert.equal((await h.api('POST', '/users/dee/activity', { body: { last_activity: '2026-02-30T00:00:00Z' } })).status, 400);
  });
});

async function idOf(h: ApiTestHub, name: string): Promise<number> {
  const row = await h.db('users').where({ name }).first('id') as { id: number } | undefined;
  if (!row) throw new Error(`no user ${name}`);
  return row.id;
}
