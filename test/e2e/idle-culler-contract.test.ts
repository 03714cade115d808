/**
 * The contract jupyterhub-idle-culler relies on, against the real daemon (`bin/run.js start`): the culler's exact
 * sequence of requests (test/helpers/idle-culler-client.ts) made with the token a hub-managed service gets from
 * `load_roles`, holding only the scopes the culler's README asks for. Servers are stand-ins (bench/standin) run by
 * the simple spawner; a wrapper keeps one spawn pending forever and makes one server ignore SIGINT/SIGTERM, so its
 * stop is slow (202). The culler's clock is moved forward instead of sleeping, as the culler's own tests do.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildStandin } from '../../bench/standin/standin.js';
import { startDaemon, tempDir, type RunningDaemon } from '../helpers/cli.js';
import { request, type SimpleResponse } from '../helpers/hub.js';
import { cullPass, type CullPass, type Exchange } from '../helpers/idle-culler-client.js';
import { pidAlive } from '../../src/daemon/spawner/kill-sequence.js';

type Model = Record<string, unknown>;
type UserModel = { name: string; servers: Record<string, { ready: boolean; pending: string | null; started: string | null }> };

const CULLER_SCOPES = ['list:users', 'read:users:activity', 'read:servers', 'delete:servers', 'admin:users'];
const EXPANDED_SCOPES = ['admin:auth_state', 'admin:users', 'delete:servers', 'delete:users', 'list:users', 'read:roles:users', 'read:servers',
  'read:users', 'read:users:activity', 'read:users:groups', 'read:users:name', 'users', 'users:activity'];
const PAGINATION = 'application/jupyterhub-pagination+json';

/** What a managed service sees: the recorder writes its JUPYTERHUB_API_URL and JUPYTERHUB_API_TOKEN, then idles. */
const RECORDER = `import { renameSync, writeFileSync } from 'node:fs';
writeFileSync('env.json.tmp', JSON.stringify({ url: process.env.JUPYTERHUB_API_URL, token: process.env.JUPYTERHUB_API_TOKEN }));
renameSync('env.json.tmp', 'env.json');
setInterval(() => undefined, 1 << 30);
`;

let dir = '';
let daemon: RunningDaemon | undefined;

async function operator(method: string, p: string, body?: unknown): Promise<SimpleResponse> {
  return request({ socketPath: path.join(dir, '.hub', 'hub.sock'), path: `/hub/api${p}`, method, body: body === undefined ? undefined : JSON.stringify(body) });
}

async function users(): Promise<Map<string, UserModel>> {
  const r = await operator('GET', '/users?include_stopped_servers');
  assert.equal(r.status, 200);
  return new Map((r.body as UserModel[]).map((u) => [u.name, u]));
}

/** The managed service's environment, once it has written it (bounded wait for a process we do not control). */
async function serviceEnv(): Promise<{ url: string; token: string }> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const text = await readFile(path.join(dir, 'env.json'), 'utf8').catch(() => '');
    if (text) return JSON.parse(text) as { url: string; token: string };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the managed service never wrote its environment:\n${daemon?.output() ?? ''}`);
}

/** "DELETE /users/x/server 204" lines of the requests that changed something, in order. */
function deletes(pass: CullPass, api: string): string[] {
  return pass.exchanges.filter((e) => e.method === 'DELETE').map((e) => `DELETE ${e.url.slice(api.length)}${e.body ? ` ${e.body}` : ''} ${e.status}`);
}

describe('jupyterhub-idle-culler against the running daemon', () => {
  let api = '';
  let token = '';
  let publicUrl = '';
  let busyStarted = 0;
  let pendingStart: Promise<SimpleResponse> | undefined;
  let pendingPid = 0;

  before(async () => {
    dir = await tempDir('hub-culler-');
    const standin = await buildStandin();
    await writeFile(path.join(dir, 'spawn.sh'), `#!/bin/sh
case "$JUPYTERHUB_USER" in
  pending*) echo $$ > ${dir}/pending.pid; exec sleep 600;;
  stubborn*) trap '' INT TERM; exec ${standin};;
  *) exec ${standin};;
esac
`);
    await chmod(path.join(dir, 'spawn.sh'), 0o755);
    await writeFile(path.join(dir, 'recorder.mjs'), RECORDER);
    // JSON is YAML: the config file is the admin's, written as they would.
    await writeFile(path.join(dir, 'hub.yml'), JSON.stringify({
      ConfigurableHTTPProxy: { api_url: 'http://127.0.0.1:0' },
      JupyterHub: {
        hub_ip: '127.0.0.1', hub_port: 0, ip: '127.0.0.1', port: 0, db_url: 'sqlite:///hub.sqlite',
        spawner_class: 'simple', allow_named_servers: true, authenticator_class: 'dummy',
        tornado_settings: { slow_stop_timeout: 1 },
        services: [{ name: 'idle-culler', command: [process.execPath, path.join(dir, 'recorder.mjs')], cwd: dir }],
        load_roles: [{ name: 'idle-culler-role', scopes: CULLER_SCOPES, services: ['idle-culler'] }],
      },
      Spawner: { cmd: [path.join(dir, 'spawn.sh')], start_timeout: 600, http_timeout: 600 },
      LocalProcessSpawner: { interrupt_timeout: 10, term_timeout: 10 },
      SimpleLocalProcessSpawner: { home_dir_template: path.join(dir, 'home', '{username}') },
    }));
    daemon = await startDaemon([], { cwd: dir });
    ({ url: api, token } = await serviceEnv());
    publicUrl = String(((await request({ socketPath: path.join(dir, '.hub', 'hub.sock'), path: '/hub/ext/status' })).body as Model).public_url);

    assert.equal((await operator('POST', '/users', { usernames: ['idle1', 'named1', 'admin1', 'stubborn1', 'pending1', 'never1'] })).status, 201);
    for (const admin of ['named1', 'admin1']) assert.equal((await operator('PATCH', `/users/${admin}`, { admin: true })).status, 200);
    // The pending spawn answers 202 only after slow_spawn_timeout (10 s): let it run beside the others.
    pendingStart = operator('POST', '/users/pending1/server');
    for (const p of ['/users/idle1/server', '/users/named1/server', '/users/named1/servers/nb', '/users/named1/servers/nb2', '/users/admin1/server', '/users/stubborn1/server']) {
      assert.equal((await operator('POST', p)).status, 201, p);
    }
    assert.equal((await pendingStart).status, 202);
    pendingPid = Number(await readFile(path.join(dir, 'pending.pid'), 'utf8'));
    assert.ok(pidAlive(pendingPid), 'the pending spawn has a process');
    // busy1 starts last, so every other server is at least as idle as it; it then reports activity 15 s after its
    // start, as jupyterhub-singleuser does (less than activity_resolution: JupyterHub 3.0 writes it all the same).
    assert.equal((await operator('POST', '/users', { usernames: ['busy1'] })).status, 201);
    assert.equal((await operator('POST', '/users/busy1/server')).status, 201);
    busyStarted = Date.parse(String((await users()).get('busy1')?.servers['']?.started));
    const reported = new Date(busyStarted + 15_000).toISOString();
    assert.equal((await operator('POST', '/users/busy1/activity', { last_activity: reported, servers: { '': { last_activity: reported } } })).status, 200);
  });

  // The stop is bounded: a shutdown that waited for the pending spawn would take its start_timeout (600 s).
  after(async () => {
    const guard = setTimeout(() => daemon?.proc.kill('SIGKILL'), 60_000);
    const end = await daemon?.stop();
    clearTimeout(guard);
    const leftover = pidAlive(pendingPid);
    if (leftover) process.kill(pendingPid, 'SIGKILL');
    assert.equal(end?.code, 0, `the hub did not stop cleanly within 60 s (${end?.signal ?? ''}):\n${end?.stderr ?? ''}`);
    assert.ok(!leftover, `the pending spawn (pid ${pendingPid}) is stopped with the hub, as JupyterHub's cleanup does`);
  });

  it('gives the managed service a hub API URL and a token with exactly its role (the culler needs no read:hub)', async () => {
    assert.match(api, /^http:\/\/127\.0\.0\.1:\d+\/hub\/api$/);
    const me = await fetch(`${api}/user`, { headers: { Authorization: `token ${token}` } });
    const model = (await me.json()) as Model;
    // JupyterHub 3.0's expansion of the role's scopes (admin:users holds users, delete:users, ...), nothing more.
    assert.deepEqual([model.kind, model.name, [...(model.scopes as string[])].sort()], ['service', 'idle-culler', EXPANDED_SCOPES]);
    // jupyterhub-idle-culler 1.2.0 read the version from /info; 1.2.1 on read it from the API root, as below.
    assert.equal((await fetch(`${api}/info`, { headers: { Authorization: `token ${token}` } })).status, 403);
  });

  it('pages through the proxy keep the public address in next.url', async () => {
    const r = await fetch(`${publicUrl}hub/api/users?limit=1&state=ready`, { headers: { Authorization: `token ${token}`, Accept: PAGINATION } });
    assert.equal(r.status, 200);
    const next = ((await r.json()) as { _pagination: { next: { url: string } | null } })._pagination.next;
    assert.ok(next, 'five ready users, one a page');
    assert.ok(next.url.startsWith(`${publicUrl}hub/api/users?`), next.url);
    assert.match(next.url, /[?&]state=ready(&|$)/);
  });

  it('culls idle servers and users, keeps the busy, the admins, the pending and the slow to stop', async () => {
    const pass = await cullPass(api, token, { now: busyStarted + 600_000, timeout: 590, cullUsers: true, removeNamedServers: true, cullAdminUsers: false, apiPageSize: 2 });
    const gets = pass.exchanges.filter((e: Exchange) => e.method === 'GET');
    assert.deepEqual([gets[0]?.url, gets[0]?.status, (gets[0]?.reply as Model).version], [`${api}/`, 200, '3.0.0']);
    assert.deepEqual([gets[1]?.url, gets[1]?.accept, gets[1]?.status], [`${api}/users?state=inactive&limit=2`, PAGINATION, 200]);
    const ready = gets.filter((e) => e.url.includes('state=ready'));
    assert.equal(ready[0]?.url, `${api}/users?limit=2&state=ready`);
    assert.ok(ready.length >= 3, `five ready users in pages of two: ${ready.map((e) => e.url).join(', ')}`);
    assert.ok(ready.every((e) => e.status === 200 && e.accept === PAGINATION));
    const listed = ready.flatMap((e) => (e.reply as { items: UserModel[] }).items.map((u) => u.name));
    assert.deepEqual([...listed].sort(), ['admin1', 'busy1', 'idle1', 'named1', 'stubborn1'], 'each ready user once; the pending spawn in no list');

    assert.deepEqual(deletes(pass, api), [
      'DELETE /users/never1 204',
      'DELETE /users/idle1/server 204',
      'DELETE /users/idle1 204',
      'DELETE /users/named1/server 204',
      'DELETE /users/named1/servers/nb {"remove":true} 204',
      'DELETE /users/named1/servers/nb2 {"remove":true} 204',
      'DELETE /users/admin1/server 204',
      'DELETE /users/stubborn1/server 202',
    ]);
    assert.ok(pass.log.includes('not culling server busy1'), pass.log.join('\n'));
    assert.ok(pass.log.includes('slow server stubborn1'));
    assert.ok(pass.log.includes('not culling user named1') && pass.log.includes('not culling user admin1'), '--cull-admin-users=false');
    assert.deepEqual(pass.log.filter((l) => l.startsWith('error')), []);

    const after = await users();
    assert.deepEqual([...after.keys()].sort(), ['admin1', 'busy1', 'named1', 'pending1', 'stubborn1']);
    assert.deepEqual(Object.keys(after.get('named1')?.servers ?? {}), [''], '{"remove": true} deleted the named servers');
    assert.equal(after.get('busy1')?.servers['']?.ready, true);
    assert.equal(after.get('pending1')?.servers['']?.pending, 'spawn');
    assert.equal(after.get('stubborn1')?.servers['']?.pending, 'stop');
  });

  it('answers what a second culler (or the next pass) meets: 202 while stopping, 400 while pending, 404 when gone', async () => {
    const del = async (p: string): Promise<number> => (await fetch(`${api}${p}`, { method: 'DELETE', headers: { Authorization: `token ${token}` } })).status;
    assert.equal(await del('/users/stubborn1/server'), 202, 'still stopping');
    assert.equal(await del('/users/stubborn1'), 400, 'a user whose server is stopping is not deleted');
    assert.equal(await del('/users/pending1/server'), 400, 'a pending spawn is not stopped');
    assert.equal(await del('/users/idle1/server'), 404);
    assert.equal(await del('/users/idle1'), 404);
    assert.equal(await del('/users/named1/servers/nb'), 404);
    assert.equal(await del('/users/admin1/server'), 204, 'stopping a stopped server is a no-op');
  });

  it('--max-age culls a busy server by its age; the pre-1.3 unfiltered list shows the pending spawn as pending', async () => {
    const pass = await cullPass(api, token, { now: busyStarted + 600_000, timeout: 100_000, maxAge: 300 });
    assert.deepEqual(deletes(pass, api), ['DELETE /users/busy1/server 204']);
    assert.deepEqual(pass.log.filter((l) => l.startsWith('error')), []);

    const plain = await fetch(`${api}/users`, { headers: { Authorization: `token ${token}` } });
    const list = (await plain.json()) as UserModel[];
    assert.ok(Array.isArray(list), 'without the pagination Accept header the list is a plain array (culler 1.0/1.1)');
    const pending = list.find((u) => u.name === 'pending1')?.servers[''];
    assert.deepEqual([pending?.pending, pending?.ready], ['spawn', false]);
  });
});
