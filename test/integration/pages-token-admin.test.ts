import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { listTokens } from '../../src/daemon/db/tokens-repo.js';
import { getUserByName } from '../../src/daemon/db/users-repo.js';
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
