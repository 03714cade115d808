import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createToken, listTokens } from '../../src/daemon/db/tokens-repo.js';
import { upsertOAuthClient } from '../../src/daemon/db/oauth-clients-repo.js';
import { getUserByName } from '../../src/daemon/db/users-repo.js';
import { getGroupAggregate } from '../../src/daemon/db/groups-repo.js';
import { ensureSpawner, getSpawner, setServer } from '../../src/daemon/db/spawners-repo.js';
import type { ServerManager, ServerRuntime } from '../../src/daemon/spawner/server-manager.js';
import { HttpBrowser, xsrfFrom } from '../helpers/browser.js';
import { tempDir } from '../helpers/cli.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';

async function withHub(overrides: string[], fn: (t: TestHub, origin: string) => Promise<void>, dir?: string): Promise<void> {
  const t = await startTestHub({ overrides: ['JupyterHub.authenticator_class=dummy', ...overrides], ...(dir === undefined ? {} : { dir }) });
  try {
    await fn(t, new URL(t.status.hub_url).origin);
  } finally {
    await t.stop();
  }
}

/** The XSRF token of a page without forms (every page carries it in a meta tag for scripts). */
function metaXsrf(html: string): string {
  const m = /<meta name="hub-xsrf-token" content="([^"]+)">/.exec(html);
  if (!m?.[1]) throw new Error('no hub-xsrf-token meta tag');
  return m[1];
}

function servers(running: Set<string>, calls: string[]): ServerManager {
  const rt = (u: string, s: string): ServerRuntime => ({ pending: null, ready: running.has(`${u}/${s}`), stopped: !running.has(`${u}/${s}`), state: {} });
  return {
    runtime: rt,
    start: async (u, s) => { calls.push(`start ${u.name}/${s}`); running.add(`${u.name}/${s}`); return 'ready'; },
    stop: async (u, s) => { calls.push(`stop ${u.name}/${s}`); running.delete(`${u.name}/${s}`); return 'stopped'; },
    progress: async function* () { /* none */ },
    stopAll: async (u) => { calls.push(`stopAll ${u.name}`); },
  };
}

test('token page: a new token is shown once, works on the API, and stops working the moment it is revoked', async () => {
  await withHub([], async (t, origin) => {
    const b = new HttpBrowser(origin);
    await b.login('/hub/', 'tia', 'pw');
    const page = await b.get('/hub/token');
    assert.equal(page.status, 200);
    assert.match(page.text, /You have no API tokens/);
    const made = await b.post('/hub/token', { _xsrf: xsrfFrom(page.text), note: 'for my laptop', expires_in: '3600' });
    assert.equal(made.status, 200);
    assert.match(String(made.headers['cache-control']), /no-store/);
    const token = /<code id="token-result">([0-9a-f]{32})<\/code>/.exec(made.text)?.[1];
    assert.ok(token, 'the token is in the answer');
    assert.ok(!(await b.get('/hub/token')).text.includes(token), 'and never again');
    const tia = await getUserByName(t.hub.db!, 'tia');
    const [row] = await listTokens(t.hub.db!, { userId: tia!.id });
    assert.equal(row?.note, 'for my laptop');
    const ttl = (row!.expires_at!.getTime() - Date.now()) / 1000;
    assert.ok(ttl > 3500 && ttl <= 3600, String(ttl));

    const api = new HttpBrowser(origin);
    assert.equal((await api.get('/hub/api/users/tia', { authorization: `token ${token}` })).status, 200);
    const listed = await b.get('/hub/token');
    assert.match(listed.text, new RegExp(`data-token-id="a${row!.id}"`));
    const revoked = await b.post('/hub/token/revoke', { _xsrf: xsrfFrom(listed.text), token_id: `a${row!.id}` });
    assert.equal(revoked.status, 302);
    assert.equal(revoked.headers.location, '/hub/token');
    assert.equal((await api.get('/hub/api/users/tia', { authorization: `token ${token}` })).status, 403, 'no grace period from the token cache');
    assert.equal((await b.post('/hub/token/revoke', { _xsrf: xsrfFrom(listed.text), token_id: `a${row!.id}` })).status, 404);

    const narrow = await b.post('/hub/token', { _xsrf: xsrfFrom(listed.text), note: 'read only', scopes: 'read:users:name!user=tia' });
    assert.equal(narrow.status, 200);
    const [n] = await listTokens(t.hub.db!, { userId: tia!.id });
    assert.deepEqual(n?.scopes, ['read:users:name!user=tia']);
    assert.equal((await b.post('/hub/token', { _xsrf: xsrfFrom(listed.text), expires_in: '-5' })).status, 400);
  });
});

test('someone else\'s token cannot be revoked from your token page', async () => {
  await withHub([], async (t, origin) => {
    const owner = new HttpBrowser(origin);
    await owner.login('/hub/', 'ola', 'pw');
    await owner.post('/hub/token', { _xsrf: xsrfFrom((await owner.get('/hub/token')).text), note: 'mine' });
    const ola = await getUserByName(t.hub.db!, 'ola');
    const [row] = await listTokens(t.hub.db!, { userId: ola!.id });
    const thief = new HttpBrowser(origin);
    await thief.login('/hub/', 'tom', 'pw');
    const r = await thief.post('/hub/token/revoke', { _xsrf: xsrfFrom((await thief.get('/hub/token')).text), token_id: `a${row!.id}` });
    assert.equal(r.status, 404);
    assert.equal((await listTokens(t.hub.db!, { userId: ola!.id })).length, 1);
  });
});

test('home page: start links to /hub/spawn, stop is a form; named servers when allowed', async () => {
  const running = new Set<string>();
  const calls: string[] = [];
  await withHub(['JupyterHub.allow_named_servers=true'], async (t, origin) => {
    t.hub.servers = servers(running, calls);
    const b = new HttpBrowser(origin);
    await b.login('/hub/', 'hu', 'pw');
    let home = await b.get('/hub/home');
    assert.match(home.text, /id="start"[^>]*href="\/hub\/spawn\/hu"/);
    assert.doesNotMatch(home.text, /services-menu/, 'no Services menu without services (an empty list is true in Nunjucks)');
    running.add('hu/');
    home = await b.get('/hub/home');
    assert.match(home.text, /href="\/user\/hu\/"/);
    const stop = await b.post('/hub/home/stop', { _xsrf: xsrfFrom(home.text), server: '' });
    assert.equal(stop.headers.location, '/hub/home');
    assert.deepEqual(calls, ['stop hu/']);
    const named = await b.post('/hub/home/named', { _xsrf: xsrfFrom(home.text), server_name: 'gpu box' });
    assert.equal(named.headers.location, '/hub/spawn/hu/gpu%20box');
    assert.equal((await b.post('/hub/home/named', { _xsrf: xsrfFrom(home.text), server_name: 'a/b' })).status, 400);
  });
});

test('admin page: needs admin-ui; lists users with server state; adds, starts, stops, makes admin, deletes', async () => {
  const running = new Set<string>(['u1/']);
  const calls: string[] = [];
  await withHub(['Authenticator.admin_users=["boss"]', 'Authenticator.allowed_users=["u1","u2"]'], async (t, origin) => {
    t.hub.servers = servers(running, calls);
    const user = new HttpBrowser(origin);
    await user.login('/hub/', 'u1', 'pw');
    const denied = await user.get('/hub/admin');
    assert.equal(denied.status, 403);
    assert.match(denied.text, /admin-ui/);

    const b = new HttpBrowser(origin);
    await b.login('/hub/', 'boss', 'pw');
    let page = await b.get('/hub/admin');
    assert.equal(page.status, 200);
    for (const n of ['boss', 'u1', 'u2']) assert.ok(page.text.includes(`data-user="${n}"`), n);
    assert.match(page.text, /data-user="u1"[\s\S]*?badge-ok">running/);
    const x = xsrfFrom(page.text);
    const added = await b.post('/hub/admin/users', { _xsrf: x, usernames: 'New1\nnew2, new1' });
    assert.equal(added.headers.location, '/hub/admin?done=added&count=2');
    assert.match((await b.get(added.headers.location!)).text, /Added 2 user\(s\)\./);
    assert.ok(await getUserByName(t.hub.db!, 'new1'), 'names are normalised');
    assert.equal((await b.post('/hub/admin/users', { _xsrf: x, usernames: 'new1' })).status, 409);
    assert.equal((await b.post('/hub/admin/users', { _xsrf: x, usernames: 'bad/name' })).status, 400);

    assert.equal((await b.post('/hub/admin/users/u2/start', { _xsrf: x, server: '' })).status, 302);
    assert.equal((await b.post('/hub/admin/users/u1/stop', { _xsrf: x, server: '', offset: '0' })).headers.location, '/hub/admin?done=stopped');
    assert.deepEqual(calls, ['start u2/', 'stop u1/']);
    assert.equal((await b.post('/hub/admin/users/u2/admin', { _xsrf: x, admin: 'true' })).status, 302);
    assert.equal((await getUserByName(t.hub.db!, 'u2'))!.admin, true);
    assert.equal((await b.post('/hub/admin/users/boss/delete', { _xsrf: x })).status, 400, 'not yourself');
    assert.equal((await b.post('/hub/admin/users/new2/delete', { _xsrf: x, name_filter: 'n' })).headers.location, '/hub/admin?name_filter=n&done=deleted');
    assert.equal(await getUserByName(t.hub.db!, 'new2'), null);
    assert.deepEqual(calls.at(-1), 'stopAll new2');
    // The search is JupyterHub 3.0 admin's: GET /users?name_filter=, names containing the text in any case.
    const shown = (html: string): string[] => [...html.matchAll(/class="user-row" data-user="([^"]+)"/g)].map((m) => m[1] ?? '');
    assert.deepEqual(shown((await b.get('/hub/admin?name_filter=U')).text), ['u1', 'u2']);
    assert.deepEqual(shown((await b.get('/hub/admin?name_filter=ew')).text), ['new1'], 'inside the name, not only its start');
    assert.deepEqual(shown((await b.get('/hub/admin?name_filter=b_ss')).text), ['boss'], 'LIKE wildcards act');
    assert.match((await b.get('/hub/admin?name_filter=zz')).text, /No users whose names contain “zz”/);
    page = await b.get('/hub/admin?limit=1&offset=1');
    assert.equal([...page.text.matchAll(/data-user="/g)].length, 1);
    assert.match(page.text, /href="\/hub\/admin\?offset=0&amp;limit=1"/);
  });
});

test('templates: template_paths first (extending "templates/..."), template_vars, logo_file, jinja_environment_options', async () => {
  const dir = await tempDir();
  const custom = path.join(dir, 'my-templates');
  await mkdir(custom);
  await writeFile(path.join(custom, 'login.html'), '{% extends "templates/login.html" %}{% block title %}Welcome to {{ org_name }}{% endblock %}');
  await writeFile(path.join(custom, '404.html'), '{% extends "error.html" %}{% block error_detail %}<p class="custom-404">Lost? {{ message }}</p>{% endblock %}');
  await writeFile(path.join(dir, 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  const overrides = [
    'JupyterHub.template_paths=["my-templates"]',
    'JupyterHub.template_vars={"org_name":"Example <Lab>","announcement_login":"<b>Maintenance tonight</b>"}',
    `JupyterHub.logo_file=${path.join(dir, 'logo.png')}`,
    'JupyterHub.jinja_environment_options={"trim_blocks":true,"lstrip_blocks":true,"extensions":["jinja2.ext.do"]}',
  ];
  await withHub(overrides, async (t, origin) => {
    const b = new HttpBrowser(origin);
    const login = await b.get('/hub/login');
    assert.match(login.text, /<title>Welcome to Example &lt;Lab&gt;<\/title>/, 'template var, autoescaped');
    assert.match(login.text, /<div class="announcement"><b>Maintenance tonight<\/b><\/div>/, 'announcement_login, trusted HTML from the config');
    assert.match(login.text, /id="username_input"/, 'the rest of the default login page is there');
    const missing = await b.get('/hub/error/404');
    assert.match(missing.text, /class="custom-404"/);
    const logo = await b.get('/hub/logo');
    assert.equal(logo.status, 200);
    assert.equal(logo.headers['content-type'], 'image/png');
    assert.ok(t.logs.some((l) => /jinja_environment_options not supported .*extensions/.test(l)));
    const css = await b.get('/hub/static/css/hub.css?v=1');
    assert.equal(css.status, 200);
    assert.match(String(css.headers['cache-control']), /max-age=31536000/);
    for (const p of ['/hub/static/..%2Fpackage.json', '/hub/static/css/..%2F..%2Fpackage.json', '/hub/static/.hidden', '/hub/static/nope.css']) {
      assert.equal((await b.get(p)).status, 404, p);
    }
  }, dir);
});

test('data_files_path and template_paths that cannot serve hub\'s pages stop the start with a config error naming the option (not a 500 on every page)', async () => {
  const dir = await tempDir();
  await mkdir(path.join(dir, 'jinja'));
  // Jinja-only syntax nunjucks cannot parse (JupyterHub's own templates have such lines).
  await writeFile(path.join(dir, 'jinja', 'page.html'), '{% block main %}{% set x = 1 if y else 2 %}{% endblock %}{% for a in b recursive %}{% endfor %}');
  const cases: [string, RegExp, RegExp][] = [
    [`JupyterHub.data_files_path=${path.join(dir, 'nothing-here')}`, /^JupyterHub\.data_files_path: the page template \S+\.html cannot be used: template not found/, /hub's own templates\/ and static\//],
    [`JupyterHub.template_paths=["${path.join(dir, 'jinja')}"]`, /^JupyterHub\.template_paths: the page template page\.html cannot be used/, /Fix page\.html in .*jinja/],
  ];
  for (const [override, message, hint] of cases) {
    await assert.rejects(startTestHub({ dir, overrides: [override] }), (e: unknown) => {
      const err = e as { code?: string; message?: string; hint?: string };
      assert.equal(err.code, 'CONFIG_INVALID');
      assert.match(err.message ?? '', message);
      assert.match(err.hint ?? '', hint);
      return true;
    });
  }
});

test('home page: named servers are deleted once stopped, the limit is said, display services are in the menu', async () => {
  const running = new Set<string>();
  const calls: string[] = [];
  const services = 'JupyterHub.services=[{"name":"grader","url":"http://127.0.0.1:1"},{"name":"hidden","url":"http://127.0.0.1:2","display":false},{"name":"nourl","api_token":"0123456789abcdef0123456789abcdef"}]';
  await withHub(['JupyterHub.allow_named_servers=true', 'JupyterHub.named_server_limit_per_user=1', services], async (t, origin) => {
    t.hub.servers = servers(running, calls);
    const b = new HttpBrowser(origin);
    await b.login('/hub/', 'nia', 'pw');
    let home = await b.get('/hub/home');
    assert.match(home.text, /<details class="dropdown" id="services-menu">[\s\S]*href="\/services\/grader\/"/);
    assert.doesNotMatch(home.text, /services\/hidden|services\/nourl/, 'only services with a url and display');
    assert.match(home.text, /id="new-server-name"/);
    const nia = await getUserByName(t.hub.db!, 'nia');
    await ensureSpawner(t.hub.db!, nia!.id, 'gpu');
    running.add('nia/gpu');
    home = await b.get('/hub/home');
    assert.doesNotMatch(home.text, /id="new-server-name"/, 'no add form at the limit');
    assert.match(home.text, /id="named-server-limit"[^>]*>You have reached the limit of 1 named servers/);
    assert.doesNotMatch(home.text, /delete-server/, 'a running server has no delete button');
    const over = await b.get('/hub/spawn/nia/second');
    assert.equal(over.status, 400, 'the spawn page keeps the limit too');
    assert.match(over.text, /nia already has the maximum of 1 named servers/);
    assert.equal(await getSpawner(t.hub.db!, nia!.id, 'second'), null);
    assert.ok(!calls.some((c) => c.startsWith('start')), String(calls));
    const x = xsrfFrom(home.text);
    const refused = await b.post('/hub/home/delete', { _xsrf: x, server: 'gpu' });
    assert.equal(refused.status, 400);
    assert.match(refused.text, /Stop the server gpu before deleting it/);
    assert.ok(await getSpawner(t.hub.db!, nia!.id, 'gpu'));
    running.delete('nia/gpu');
    home = await b.get('/hub/home');
    assert.match(home.text, /data-server-name="gpu"[\s\S]*class="btn btn-small btn-danger delete-server"/);
    const deleted = await b.post('/hub/home/delete', { _xsrf: x, server: 'gpu' });
    assert.equal(deleted.headers.location, '/hub/home');
    assert.equal(await getSpawner(t.hub.db!, nia!.id, 'gpu'), null);
    assert.equal((await b.post('/hub/home/delete', { _xsrf: x, server: 'gpu' })).status, 404);
    assert.equal((await b.post('/hub/home/delete', { _xsrf: x, server: '' })).status, 400, 'not the default server');
    assert.match((await b.get('/hub/home')).text, /id="new-server-name"/);
  });
});

test('admin page: refusals show on the page; edit renames and sets admin; start all / stop all; sort; access links; delete takes the server rows', async () => {
  const running = new Set<string>(['u1/']);
  const calls: string[] = [];
  await withHub(['Authenticator.admin_users=["boss"]', 'Authenticator.allowed_users=["u1","u2","u3"]', 'JupyterHub.allow_named_servers=true'], async (t, origin) => {
    t.hub.servers = servers(running, calls);
    const b = new HttpBrowser(origin);
    await b.login('/hub/', 'boss', 'pw');
    let page = await b.get('/hub/admin?offset=0&limit=2&sort=-name');
    const x = xsrfFrom(page.text);
    assert.deepEqual([...page.text.matchAll(/data-user="([^"]+)"/g)].map((m) => m[1]), ['u3', 'u2'], 'sorted by name, descending');
    assert.match(page.text, /<input type="hidden" name="sort" value="-name">/, 'forms keep the sort');
    assert.match(page.text, /aria-sort="descending"><a class="sort-link" href="\/hub\/admin\?offset=0&amp;limit=2&amp;sort=name"/);
    page = await b.get('/hub/admin');
    assert.match(page.text, /data-user="u1"[\s\S]*?class="btn btn-small access-server" href="\/user\/u1\/"/);
    assert.doesNotMatch(page.text, /data-user="u2"[\s\S]*?access-server[\s\S]*?data-user="u3"/, 'no access link for a stopped server');

    const dup = await b.post('/hub/admin/users', { _xsrf: x, usernames: 'u2', offset: '1', limit: '1', sort: 'name' });
    assert.equal(dup.status, 409);
    assert.match(dup.text, /class="flash flash-error" role="alert">User u2 already exists</);
    assert.deepEqual([...dup.text.matchAll(/data-user="([^"]+)"/g)].map((m) => m[1]), ['u1'], 'the same page of users, under the message');
    const bad = await b.post('/hub/admin/users', { _xsrf: x, usernames: 'ok bad/name' });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /role="alert">Invalid usernames: bad\/name</);

    assert.equal((await b.post('/hub/admin/users/u1/edit', { _xsrf: x, name: 'u1-renamed' })).status, 400, 'servers running');
    const edited = await b.post('/hub/admin/users/u2/edit', { _xsrf: x, name: 'U2-New', admin: 'on', sort: 'name' });
    assert.equal(edited.headers.location, '/hub/admin?sort=name&done=edited');
    assert.equal(await getUserByName(t.hub.db!, 'u2'), null);
    assert.equal((await getUserByName(t.hub.db!, 'u2-new'))?.admin, true, 'renamed (normalised) and made admin');
    const taken = await b.post('/hub/admin/users/u3/edit', { _xsrf: x, name: 'u1' });
    assert.equal(taken.status, 409);
    assert.match(taken.text, /role="alert">User u1 already exists, usernames must be unique\.</);

    calls.length = 0;
    const started = await b.post('/hub/admin/start-all', { _xsrf: x });
    assert.equal(started.headers.location, '/hub/admin?done=started-all&count=3');
    assert.deepEqual(calls.sort(), ['start boss/', 'start u2-new/', 'start u3/']);
    calls.length = 0;
    assert.equal((await b.post('/hub/admin/stop-all', { _xsrf: x, limit: '2' })).headers.location, '/hub/admin?limit=2&done=stopped-all&count=2');
    assert.deepEqual(calls.sort(), ['stop boss/', 'stop u1/'], 'only the users shown');

    const u3 = await getUserByName(t.hub.db!, 'u3');
    const spawner = await ensureSpawner(t.hub.db!, u3!.id, 'box');
    await setServer(t.hub.db!, spawner.id, { ip: '127.0.0.1', port: 9, base_url: '/user/u3/box/', cookie_name: 'c', proto: 'http' });
    assert.equal((await b.post('/hub/admin/users/u3/delete', { _xsrf: x })).status, 302);
    assert.equal((await t.hub.db!('servers').where({ port: 9 })).length, 0, 'the server rows go with the user');
  });
});

test('admin groups page: create, add and remove members, delete; refusals on the page; needs the scopes', async () => {
  await withHub(['Authenticator.admin_users=["boss"]', 'Authenticator.allowed_users=["g1","g2"]'], async (t, origin) => {
    const user = new HttpBrowser(origin);
    await user.login('/hub/', 'g1', 'pw');
    assert.equal((await user.get('/hub/admin/groups')).status, 403);
    const b = new HttpBrowser(origin);
    await b.login('/hub/', 'boss', 'pw');
    assert.match((await b.get('/hub/admin')).text, /id="groups-link"[^>]*href="\/hub\/admin\/groups"/);
    let page = await b.get('/hub/admin/groups');
    assert.equal(page.status, 200);
    assert.match(page.text, /No groups yet/);
    const x = xsrfFrom(page.text);
    assert.equal((await b.post('/hub/admin/groups', { _xsrf: x, name: 'staff' })).headers.location, '/hub/admin/groups?done=created');
    const dup = await b.post('/hub/admin/groups', { _xsrf: x, name: 'staff' });
    assert.equal(dup.status, 409);
    assert.match(dup.text, /role="alert">Group staff already exists</);
    assert.equal((await b.post('/hub/admin/groups/staff/add', { _xsrf: x, usernames: 'g1 G2' })).status, 302);
    assert.deepEqual((await getGroupAggregate(t.hub.db!, 'staff'))?.users, ['g1', 'g2']);
    const unknown = await b.post('/hub/admin/groups/staff/add', { _xsrf: x, usernames: 'nobody' });
    assert.equal(unknown.status, 400);
    assert.match(unknown.text, /role="alert">No such user\(s\): nobody</);
    page = await b.get('/hub/admin/groups');
    assert.match(page.text, /data-member="g2"[\s\S]*?remove-member/);
    assert.equal((await b.post('/hub/admin/groups/staff/remove', { _xsrf: x, username: 'g2' })).status, 302);
    assert.deepEqual((await getGroupAggregate(t.hub.db!, 'staff'))?.users, ['g1']);
    assert.match((await b.get('/hub/admin')).text, /data-user="g1"[\s\S]*?<div class="hint">staff<\/div>/);
    assert.equal((await user.post('/hub/admin/groups/staff/delete', { _xsrf: metaXsrf((await user.get('/hub/home')).text) })).status, 403);
    assert.equal((await b.post('/hub/admin/groups/staff/delete', { _xsrf: x })).headers.location, '/hub/admin/groups?done=deleted');
    assert.equal(await getGroupAggregate(t.hub.db!, 'staff'), null);
  });
});

test('admin groups page: a page of groups at a time (api_page_default_limit), forms answer back to their page, a filtered list:groups lists its groups only', async () => {
  const roles = JSON.stringify([{ name: 'g-lister', scopes: ['admin-ui', 'list:groups!group=c', 'groups!group=c'], users: ['lister'] }]);
  await withHub(['Authenticator.admin_users=["boss"]', 'Authenticator.allowed_users=["m1","lister"]', 'JupyterHub.api_page_default_limit=2', `JupyterHub.load_roles=${roles}`], async (_t, origin) => {
    const b = new HttpBrowser(origin);
    await b.login('/hub/', 'boss', 'pw');
    const x = xsrfFrom((await b.get('/hub/admin/groups')).text);
    for (const name of ['a', 'b', 'c']) assert.equal((await b.post('/hub/admin/groups', { _xsrf: x, name })).status, 302);
    const shown = (html: string): string[] => [...html.matchAll(/data-group="([^"]+)"/g)].map((m) => m[1] ?? '');
    const first = await b.get('/hub/admin/groups');
    assert.deepEqual(shown(first.text), ['a', 'b']);
    assert.match(first.text, /Groups <span class="count">\(3\)/);
    assert.match(first.text, /1–2 of 3/);
    assert.match(first.text, /href="\/hub\/admin\/groups\?offset=2"[^>]*>Next/);
    const second = await b.get('/hub/admin/groups?offset=2');
    assert.deepEqual(shown(second.text), ['c']);
    assert.match(second.text, /href="\/hub\/admin\/groups"[^>]*>‹ Previous/);
    assert.doesNotMatch(second.text, /Next ›/);
    assert.deepEqual(shown((await b.get('/hub/admin/groups?offset=1&limit=1')).text), ['b']);
    const added = await b.post('/hub/admin/groups/c/add', { _xsrf: x, usernames: 'm1', offset: '2', limit: '2' });
    assert.equal(added.headers.location, '/hub/admin/groups?offset=2&done=added');
    const refused = await b.post('/hub/admin/groups/c/add', { _xsrf: x, usernames: 'nobody', offset: '2', limit: '2' });
    assert.equal(refused.status, 400);
    assert.deepEqual(shown(refused.text), ['c'], 'a refusal shows the page it came from');

    const lister = new HttpBrowser(origin);
    await lister.login('/hub/', 'lister', 'pw');
    const own = await lister.get('/hub/admin/groups');
    assert.deepEqual(shown(own.text), ['c'], 'filtered in the query, so no page comes up short');
    assert.match(own.text, /Groups <span class="count">\(1\)/);
  });
});

test('admin page: shut the hub down with the chosen cleanup', async () => {
  await withHub(['Authenticator.admin_users=["boss"]'], async (t, origin) => {
    const seen: unknown[] = [];
    // The hub's own shutdown signals the process; the test keeps the call instead.
    Object.defineProperty(t.hub, 'requestShutdown', { value: (o: unknown) => void seen.push(o) });
    const b = new HttpBrowser(origin);
    await b.login('/hub/', 'boss', 'pw');
    const page = await b.get('/hub/admin');
    assert.match(page.text, /id="shutdown-hub"/);
    const r = await b.post('/hub/admin/shutdown', { _xsrf: xsrfFrom(page.text), servers: 'on' });
    assert.equal(r.status, 202);
    assert.match(r.text, /The hub is shutting down/);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(seen, [{ servers: true, proxy: false }]);
    const other = new HttpBrowser(origin);
    await other.login('/hub/', 'pleb', 'pw');
    const denied = await other.post('/hub/admin/shutdown', { _xsrf: metaXsrf((await other.get('/hub/home')).text) });
    assert.equal(denied.status, 403);
    assert.equal(seen.length, 1);
  });
});

test('token page: authorized applications are listed once each and revoking one ends all its tokens', async () => {
  await withHub([], async (t, origin) => {
    const b = new HttpBrowser(origin);
    await b.login('/hub/', 'oli', 'pw');
    const oli = await getUserByName(t.hub.db!, 'oli');
    await upsertOAuthClient(t.hub.db!, { identifier: 'jupyterhub-user-oli', secretHash: 'x', redirectUri: 'http://127.0.0.1:1/cb', description: 'Server at /user/oli/', allowedScopes: [] });
    const a = await createToken(t.hub.db!, { userId: oli!.id }, { clientId: 'jupyterhub-user-oli' });
    await createToken(t.hub.db!, { userId: oli!.id }, { clientId: 'jupyterhub-user-oli' });
    let page = await b.get('/hub/token');
    assert.equal([...page.text.matchAll(/data-client-id="jupyterhub-user-oli"/g)].length, 1);
    assert.match(page.text, /<td class="note-col">Server at \/user\/oli\/<\/td>/);
    assert.match(page.text, /You have no API tokens/, 'OAuth tokens are not listed as API tokens');
    const api = new HttpBrowser(origin);
    assert.equal((await api.get('/hub/api/user', { authorization: `token ${a.token}` })).status, 200);
    const r = await b.post('/hub/token/revoke', { _xsrf: xsrfFrom(page.text), client_id: 'jupyterhub-user-oli' });
    assert.equal(r.headers.location, '/hub/token');
    assert.equal((await listTokens(t.hub.db!, { userId: oli!.id })).length, 0);
    assert.equal((await api.get('/hub/api/user', { authorization: `token ${a.token}` })).status, 403);
    page = await b.get('/hub/token');
    assert.doesNotMatch(page.text, /data-client-id=/);
  });
});
