import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { FakeServerManager, startApiTestHub, validateResponse, type ApiTestHub } from '../helpers/openapi.js';
import { ServerError } from '../../src/daemon/spawner/server-manager.js';

type Model = Record<string, unknown>;

/** Reads an event stream to its end: the raw text and the parsed `data:` events. */
function readStream(url: string, token: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string; events: Model[] }> {
  return new Promise((resolve, reject) => {
    http.get(url, { headers: { authorization: `token ${token}` } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => {
        const events = text.split('\n\n').filter((c) => c.startsWith('data: ')).map((c) => JSON.parse(c.slice(6)) as Model);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, events });
      });
    }).on('error', reject);
  });
}

describe('servers API', () => {
  let h: ApiTestHub;
  let fake: FakeServerManager;
  before(async () => {
    h = await startApiTestHub(['JupyterHub.allow_named_servers=true', 'JupyterHub.named_server_limit_per_user=2']);
    fake = new FakeServerManager();
    h.deps.servers = fake;
    await h.api('POST', '/users', { body: { usernames: ['ann', 'bob'] } });
  });
  after(async () => h.stop());

  it('starts: 201 when ready, 202 when pending, user_options from the body, text/plain', async () => {
    const r = await h.api('POST', '/users/ann/server', { body: { image: 'x' } });
    assert.equal(r.status, 201);
    assert.equal(r.headers['content-type'], 'text/plain');
    assert.equal(fake.calls.at(-1), 'start ann/ {"image":"x"}');
    assert.equal((await h.api('POST', '/users/ann/server')).status, 400, 'already running');
    fake.startOutcome = 'pending';
    assert.equal((await h.api('POST', '/users/bob/server')).status, 202);
    assert.equal((await h.api('POST', '/users/bob/server')).status, 202, 'pending spawn: 202 again, no second start');
    assert.equal(fake.calls.filter((c) => c.startsWith('start bob')).length, 1);
    assert.equal((await h.api('POST', '/users/bob/servers/x', { body: [1] })).status, 400, 'options must be a dict');
    fake.startOutcome = 'ready';
  });

  it("passes the manager's 429 and Retry-After through", async () => {
    fake.startOutcome = new ServerError(429, 'Too many users trying to log in right now. Try again in 30 seconds.', { 'Retry-After': '30' });
    const r = await h.api('POST', '/users/ann/servers/busy');
    assert.equal(r.status, 429);
    assert.equal(r.headers['retry-after'], '30');
    fake.startOutcome = 'ready';
  });

  it('named servers: names checked, limit per user, remove deletes the row, 404 for unknown ones', async () => {
    assert.equal((await h.api('POST', '/users/bob/servers/a%2Fb')).status, 400, "'/' in a server name");
    assert.equal((await h.api('POST', `/users/bob/servers/${'n'.repeat(300)}`)).status, 400);
    await h.db('spawners').insert([{ user_id: await idOf(h, 'bob'), name: 'one' }, { user_id: await idOf(h, 'bob'), name: 'two' }]);
    const over = await h.api('POST', '/users/bob/servers/three');
    assert.equal(over.status, 400);
    assert.match(String((over.body as Model).message), /maximum of 2 named servers/);
    assert.equal((await h.api('POST', '/users/bob/servers/one')).status, 201, 'an existing one may start');
    assert.equal((await h.api('DELETE', '/users/bob/servers/one', { body: { remove: true } })).status, 204);
    assert.ok(!(await h.db('spawners').where({ name: 'one' }).first()), 'row removed');
    assert.equal((await h.api('DELETE', '/users/bob/servers/one')).status, 404);
    assert.equal((await h.api('DELETE', '/users/bob/server', { body: { remove: true } })).status, 400);
  });

  it('stops: 204, 202 while a slow stop goes on, 400 while a spawn is pending', async () => {
    fake.set('ann', '', { ready: true });
    assert.equal((await h.api('DELETE', '/users/ann/server')).status, 204);
    fake.set('ann', '', { ready: true });
    fake.stopOutcome = 'pending';
    assert.equal((await h.api('DELETE', '/users/ann/server')).status, 202);
    assert.equal((await h.api('DELETE', '/users/ann/server')).status, 202, 'still stopping');
    fake.stopOutcome = 'stopped';
    fake.set('ann', '', { pending: 'spawn' });
    assert.equal((await h.api('DELETE', '/users/ann/server')).status, 400);
    fake.set('ann', '', null);
  });

  it('named servers off: 400 for every named-server call', async () => {
    const off = await startApiTestHub();
    try {
      off.deps.servers = new FakeServerManager();
      await off.api('POST', '/users/zed');
      assert.equal((await off.api('POST', '/users/zed/servers/x')).status, 400);
      assert.equal((await off.api('DELETE', '/users/zed/servers/x')).status, 400);
      assert.equal((await off.api('POST', '/users/nobody/server')).status, 404);
    } finally {
      await off.stop();
    }
  });

  it('progress: an event stream of the spawn, ending with the ready event; 400 when not starting', async () => {
    fake.set('ann', 'nb', { pending: 'spawn' });
    await h.db('spawners').insert({ user_id: await idOf(h, 'ann'), name: 'nb' });
    fake.events = [
      { progress: 0, message: 'Server requested' },
      { progress: 50, message: 'Spawning server...', ready: true },
      { progress: 100, ready: true, message: 'Server ready at /user/ann/nb/', url: '/user/ann/nb/' },
    ];
    const s = await readStream(`${h.apiUrl}/users/ann/servers/nb/progress`, await h.tokenWith(['read:servers']));
    assert.equal(s.status, 200);
    assert.equal(s.headers['content-type'], 'text/event-stream');
    assert.equal(s.headers['cache-control'], 'no-cache');
    assert.ok(s.text.startsWith('\n\n'), 'keepalive first');
    assert.deepEqual(s.events, [
      { progress: 0, message: 'Server requested' },
      { progress: 50, message: 'Spawning server...' },
      { progress: 100, ready: true, message: 'Server ready at /user/ann/nb/', html_message: 'Server ready at <a href="/user/ann/nb/">/user/ann/nb/</a>', url: '/user/ann/nb/' },
    ]);
    fake.set('ann', 'nb', { pending: 'spawn' });
    fake.events = [{ progress: 0, message: 'Server requested' }, { progress: 100, failed: true, message: 'Spawn failed: boom' }];
    const failed = await readStream(`${h.apiUrl}/users/ann/servers/nb/progress`, await h.tokenWith(['read:servers']));
    assert.deepEqual(failed.events.at(-1), { progress: 100, failed: true, message: 'Spawn failed: boom' });
    fake.set('ann', 'nb', { ready: true });
    const ready = await readStream(`${h.apiUrl}/users/ann/servers/nb/progress`, await h.tokenWith(['read:servers']));
    assert.equal(ready.events.length, 1);
    assert.equal(ready.events[0]?.ready, true);
    fake.set('ann', 'nb', null);
    const idle = await h.api('GET', '/users/ann/servers/nb/progress');
    assert.equal(idle.status, 400);
    assert.equal((await h.api('GET', '/users/ann/servers/nope/progress')).status, 404);
    assert.equal((await h.api('GET', '/users/nobody/server/progress')).status, 404);
    validateResponse('GET', '/users/ann/servers/nb/progress', 200, undefined);
  });

  it('admin-access: deprecated; 403 unless admin_access, then a 200 no-op', async () => {
    assert.equal((await h.api('POST', '/users/ann/admin-access')).status, 403);
    const on = await startApiTestHub(['JupyterHub.admin_access=true']);
    try {
      await on.api('POST', '/users/zed');
      assert.equal((await on.api('POST', '/users/zed/admin-access')).status, 200);
      assert.equal((await on.api('POST', '/users/nobody/admin-access')).status, 404);
    } finally {
      await on.stop();
    }
  });
});

async function idOf(h: ApiTestHub, name: string): Promise<number> {
  const row = await h.db('users').where({ name }).first('id') as { id: number } | undefined;
  if (!row) throw new Error(`no user ${name}`);
  return row.id;
}
