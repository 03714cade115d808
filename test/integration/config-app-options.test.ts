/**
 * JupyterHub options that act once at start or on one request: load_groups, default_server_name (user-redirect),
 * trust_user_provided_tokens, config_file, generate_config and answer_yes, activity_resolution, active_server_limit,
 * active_user_window, and more below. Real hubs, a real SQLite file, the real CLI, real spawns of a stand-in server.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { listGroupMembers, getGroupByName } from '../../src/daemon/db/groups-repo.js';
import { createUsers, getUserByName } from '../../src/daemon/db/users-repo.js';
import { toDbTimestamp } from '../../src/daemon/db/timestamps.js';
import { isHubError } from '../../src/lib/errors.js';
import { loadConfig } from '../../src/lib/config/index.js';
import { buildStandin } from '../../bench/standin/standin.js';
import { HttpBrowser } from '../helpers/browser.js';
import { cleanEnv, runCli, tempDir } from '../helpers/cli.js';
import { request, startTestHub } from '../helpers/hub.js';

const DUMMY = 'JupyterHub.authenticator_class=dummy';

async function members(t: { hub: { db?: unknown } }, group: string): Promise<string[] | null> {
  const db = t.hub.db as Parameters<typeof getGroupByName>[0];
  const g = await getGroupByName(db, group);
  return g === null ? null : listGroupMembers(db, g.id);
}

test('load_groups creates groups and users (normalised), and only ever adds: a second start with other groups keeps the first', async () => {
  const dir = await tempDir();
  const first = await startTestHub({ dir, overrides: [DUMMY, 'JupyterHub.load_groups={"teachers":["Ada","bob"],"empty":[]}'] });
  try {
    assert.deepEqual(await members(first, 'teachers'), ['ada', 'bob']);
    assert.deepEqual(await members(first, 'empty'), []);
    assert.ok(await getUserByName(first.hub.db!, 'ada'), 'Ada was created as ada');
    assert.equal(await getUserByName(first.hub.db!, 'Ada'), null);
    assert.ok(first.logs.some((l) => /Creating group teachers/.test(l)), first.logs.join('\n'));
  } finally {
    await first.stop();
  }
  const second = await startTestHub({ dir, overrides: [DUMMY, 'JupyterHub.load_groups={"teachers":["cy"],"tas":["bob"]}'] });
  try {
    assert.deepEqual(await members(second, 'teachers'), ['ada', 'bob', 'cy'], 'strictly additive, as JupyterHub');
    assert.deepEqual(await members(second, 'tas'), ['bob']);
    assert.deepEqual(await members(second, 'empty'), [], 'a group gone from the config stays');
    // The REST API sees the same groups.
    const token = 'load-groups-admin-token-0123456789';
    await second.stop();
    const third = await startTestHub({ dir, overrides: [DUMMY, `JupyterHub.api_tokens={"${token}":"root"}`, 'Authenticator.admin_users=["root"]'] });
    try {
      const r = await request({ url: `${third.status.hub_url}api/groups/teachers`, headers: { authorization: `token ${token}` } });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.deepEqual((r.body as { users: string[] }).users.sort(), ['ada', 'bob', 'cy']);
    } finally {
      await third.stop();
    }
  } finally {
    await second.stop().catch(() => undefined);
  }
});

test('load_groups refuses users outside allowed_users and bad names, all at once, and clashes with manage_groups', async () => {
  await assert.rejects(
    startTestHub({ overrides: [DUMMY, 'Authenticator.allowed_users=["ada"]', 'JupyterHub.load_groups={"g":["ada","zed","bad name/x"]}'] }),
    (err: unknown) => {
      assert.ok(isHubError(err), String(err));
      assert.equal(err.code, 'CONFIG_INVALID');
      assert.match(err.message, /load_groups\['g'\]: user 'zed' is not in Authenticator.allowed_users/);
      assert.match(err.message, /'bad name\/x'/);
      assert.doesNotMatch(err.message, /'ada'/);
      return true;
    },
  );
  await assert.rejects(
    startTestHub({ overrides: [DUMMY, 'Authenticator.manage_groups=true', 'JupyterHub.load_groups={"g":["ada"]}'] }),
    (err: unknown) => isHubError(err) && err.code === 'CONFIG_INVALID' && /manage_groups/.test(err.message),
  );
});

async function userRedirect(overrides: string[], target: string): Promise<string | undefined> {
  const t = await startTestHub({ overrides: [DUMMY, ...overrides] });
  try {
    const b = new HttpBrowser(new URL(t.status.hub_url).origin);
    await b.login('/hub/', 'ada', 'pw');
    // Outside /hub/ the login cookie is not sent: the hub moves the request under /hub/ first, as JupyterHub.
    const outside = await b.get(target);
    assert.equal(outside.status, 302, outside.text);
    assert.equal(outside.headers.location, `/hub${target}`);
    const r = await b.get(`/hub${target}`);
    assert.equal(r.status, 302, r.text);
    return r.headers.location as string | undefined;
  } finally {
    await t.stop();
  }
}

test('user-redirect goes through the spawn page to the user\'s server; default_server_name picks a named server only when named servers are on', async () => {
  assert.equal(await userRedirect([], '/user-redirect/tree/x.ipynb?a=1'), `/hub/spawn/ada?next=${encodeURIComponent('/user/ada/tree/x.ipynb?a=1')}`);
  assert.equal(await userRedirect(['JupyterHub.allow_named_servers=true', 'JupyterHub.default_server_name=lab'], '/user-redirect/tree/'),
    `/hub/spawn/ada/lab?next=${encodeURIComponent('/user/ada/lab/tree/')}`);
  assert.equal(await userRedirect(['JupyterHub.default_server_name=lab'], '/user-redirect/'), `/hub/spawn/ada?next=${encodeURIComponent('/user/ada/')}`,
    'without allow_named_servers default_server_name does nothing');
});

test('user_redirect_hook from a JS config decides the target; returning nothing keeps the default', async () => {
  const dir = await tempDir();
  await writeFile(path.join(dir, 'hub.config.mjs'), `export default { JupyterHub: {
    user_redirect_hook: (p, req, user, base) => p.startsWith('docs/') ? base + 'services/docs/' + user.name + '/' + p.slice(5) : null,
  } };\n`);
  const t = await startTestHub({ dir, overrides: [DUMMY] });
  try {
    const b = new HttpBrowser(new URL(t.status.hub_url).origin);
    await b.login('/hub/', 'ada', 'pw');
    assert.equal((await b.get('/hub/user-redirect/docs/intro')).headers.location, '/services/docs/ada/intro');
    assert.equal((await b.get('/hub/user-redirect/lab')).headers.location, `/hub/spawn/ada?next=${encodeURIComponent('/user/ada/lab')}`);
  } finally {
    await t.stop();
  }
});

test('trust_user_provided_tokens: configured tokens are hashed once, as generated ones, instead of 16384 rounds; both work', async () => {
  for (const [trusted, rounds] of [[false, '16384'], [true, '1']] as const) {
    const token = `configured-token-${trusted ? 'trusted' : 'plain'}-0123456789abcdef`;
    const t = await startTestHub({ overrides: [DUMMY, `JupyterHub.api_tokens={"${token}":"ada"}`, `JupyterHub.trust_user_provided_tokens=${trusted}`] });
    try {
      const rows = (await t.hub.db!('api_tokens').select('hashed', 'note')) as { hashed: string; note: string }[];
      const fromConfig = rows.filter((r) => r.note === 'from config');
      assert.equal(fromConfig.length, 1);
      assert.equal(fromConfig[0]!.hashed.split(':')[1], rounds, fromConfig[0]!.hashed);
      const r = await request({ url: `${t.status.hub_url}api/user`, headers: { authorization: `token ${token}` } });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal((r.body as { name: string }).name, 'ada');
    } finally {
      await t.stop();
    }
  }
});

test('JupyterHub.config_file given as an override names the file to load; --config wins over it', async () => {
  const dir = await tempDir();
  await writeFile(path.join(dir, 'elsewhere.yml'), 'JupyterHub:\n  port: 8123\n');
  await writeFile(path.join(dir, 'other.yml'), 'JupyterHub:\n  port: 8124\n');
  const viaOption = await loadConfig({ cwd: dir, env: {}, overrides: ['JupyterHub.config_file=elsewhere.yml'] });
  assert.equal(viaOption.filepath, path.join(dir, 'elsewhere.yml'));
  assert.equal(viaOption.config.JupyterHub.port, 8123);
  const quoted = await loadConfig({ cwd: dir, env: {}, overrides: ['JupyterHub.config_file="elsewhere.yml"'] });
  assert.equal(quoted.config.JupyterHub.port, 8123);
  const both = await loadConfig({ path: 'other.yml', cwd: dir, env: {}, overrides: ['JupyterHub.config_file=elsewhere.yml'] });
  assert.equal(both.config.JupyterHub.port, 8124);
  await assert.rejects(loadConfig({ cwd: dir, env: {}, overrides: ['JupyterHub.config_file=missing.yml'] }), (e: unknown) => isHubError(e) && /missing\.yml/.test(e.message));
});

test('generate_config: hub start writes the default config to config_file and exits without starting; overwriting needs --answer-yes', async () => {
  const dir = await tempDir();
  const target = path.join(dir, 'etc', 'hub.yml');
  const env = cleanEnv();
  // The destination directory must exist, as in JupyterHub.
  const noDir = await runCli(['start', '--set', 'JupyterHub.generate_config=true', '--set', `JupyterHub.config_file=${target}`], { cwd: dir, env });
  assert.notEqual(noDir.code, 0);
  assert.match(noDir.stderr, /does not exist/);
  assert.doesNotMatch(noDir.stderr, /\n\s+at /, 'no stack trace');

  await import('node:fs/promises').then((fs) => fs.mkdir(path.dirname(target)));
  const ok = await runCli(['start', '--set', 'JupyterHub.generate_config=true', '--set', `JupyterHub.config_file=${target}`], { cwd: dir, env });
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stderr, new RegExp(`Writing default config to: ${target}`));
  const text = await readFile(target, 'utf8');
  assert.match(text, /^JupyterHub:/m);
  assert.match(text, /#\s*generate_config:/);
  assert.equal((await stat(target)).mode & 0o777, 0o600);
  await assert.rejects(stat(path.join(dir, 'hub.sqlite')), 'no database: the hub did not start');

  await writeFile(target, 'JupyterHub: {port: 9}\n');
  const again = await runCli(['start', '--set', 'JupyterHub.generate_config=true', '--set', `JupyterHub.config_file=${target}`], { cwd: dir, env });
  assert.notEqual(again.code, 0);
  assert.match(again.stderr, /--answer-yes/);
  assert.equal(await readFile(target, 'utf8'), 'JupyterHub: {port: 9}\n', 'not overwritten without confirmation');
  // JupyterHub.answer_yes is the option behind -y/--answer-yes.
  const viaOption = await runCli(['start', '--set', 'JupyterHub.answer_yes=true', '--set', 'JupyterHub.generate_config=true', '-c', target], { cwd: dir, env });
  assert.equal(viaOption.code, 0, viaOption.stderr);
  assert.match(await readFile(target, 'utf8'), /#\s*generate_config:/);
  await writeFile(target, 'JupyterHub: {port: 9}\n');
  const yes = await runCli(['start', '--answer-yes', '--set', 'JupyterHub.generate_config=true', '-c', target], { cwd: dir, env });
  assert.equal(yes.code, 0, yes.stderr);
  assert.match(await readFile(target, 'utf8'), /#\s*generate_config:/);

  // Set in the file itself: the file is the one rewritten.
  const inFile = path.join(dir, 'hub.yml');
  await writeFile(inFile, 'JupyterHub:\n  generate_config: true\n');
  const fromFile = await runCli(['start', '-y'], { cwd: dir, env });
  assert.equal(fromFile.code, 0, fromFile.stderr);
  assert.match(await readFile(inFile, 'utf8'), /#\s*generate_config:/);
});

test('configured names pass through the authenticator as at login: admin_users, allowed_users, load_roles users and api_tokens owners are normalised', async () => {
  const token = 'normalised-owner-token-0123456789abcdef';
  const t = await startTestHub({ overrides: [DUMMY, 'Authenticator.admin_users=["Alice"]', 'Authenticator.allowed_users=["Bob","Cy"]',
    'JupyterHub.load_roles=[{"name":"readers","scopes":["read:users"],"users":["CY"]}]', `JupyterHub.api_tokens={"${token}":"Bob"}`] });
  try {
    const db = t.hub.db!;
    assert.equal((await getUserByName(db, 'alice'))?.admin, true);
    for (const raw of ['Alice', 'Bob', 'Cy', 'CY']) assert.equal(await getUserByName(db, raw), null, `${raw} was stored normalised`);
    const r = await request({ url: `${t.status.hub_url}api/user`, headers: { authorization: `token ${token}` } });
    assert.equal((r.body as { name: string }).name, 'bob');
    const cy = await request({ url: `${t.status.hub_url}api/users/cy`, headers: { authorization: `token ${token}` } });
    assert.equal(cy.status, 404, 'bob cannot read other users');
    // allowed_users ["Bob"] admits the login of "BOB" (normalised to bob), as JupyterHub; "dan" is refused.
    const b = new HttpBrowser(new URL(t.status.hub_url).origin);
    const bob = await b.login('/hub/', 'BOB', 'pw');
    assert.equal(bob.status, 302);
    assert.ok(b.cookie('jupyterhub-hub-login'), 'logged in');
    const dan = new HttpBrowser(new URL(t.status.hub_url).origin);
    const refused = await dan.login('/hub/', 'dan', 'pw');
    assert.equal(refused.status, 200, 'the login page again, as JupyterHub 3.0');
    assert.match(refused.text, /Invalid username or password/);
    assert.equal(dan.cookie('jupyterhub-hub-login'), undefined);
    const roles = (await db('roles').join('user_role_map', 'roles.id', 'user_role_map.role_id').join('users', 'users.id', 'user_role_map.user_id')
      .where('roles.name', 'readers').select('users.name')) as { name: string }[];
    assert.deepEqual(roles.map((x) => x.name), ['cy']);
  } finally {
    await t.stop();
  }
  await assert.rejects(startTestHub({ overrides: [DUMMY, 'Authenticator.allowed_users=["ada"]', `JupyterHub.api_tokens={"${token}":"eve"}`] }),
    (e: unknown) => isHubError(e) && e.code === 'CONFIG_INVALID' && /'eve' is not in Authenticator.allowed_users/.test(e.message));
  await assert.rejects(startTestHub({ overrides: [DUMMY, 'Authenticator.allowed_users=["ada"]', 'JupyterHub.load_roles=[{"name":"readers","scopes":[],"users":["eve"]}]'] }),
    (e: unknown) => isHubError(e) && e.code === 'CONFIG_INVALID' && /role 'readers'.*'eve'/.test(e.message));
});

test('the login cookie works on the API only from this hub\'s own pages (check_referer); forwarded_host_header names the host behind a proxy', async () => {
  for (const forwarded of [false, true]) {
    const t = await startTestHub({ overrides: [DUMMY, ...(forwarded ? ['JupyterHub.forwarded_host_header=X-Forwarded-Host'] : [])] });
    try {
      const origin = new URL(t.status.hub_url).origin;
      const b = new HttpBrowser(origin);
      await b.login('/hub/', 'ada', 'pw');
      const self = forwarded ? 'https://hub.example.org' : origin;
      const headers = (referer?: string): Record<string, string> => ({
        ...(referer === undefined ? {} : { referer }),
        ...(forwarded ? { 'x-forwarded-host': 'hub.example.org', 'x-forwarded-proto': 'https' } : {}),
      });
      const own = await b.request('GET', '/hub/api/user', { headers: headers(`${self}/hub/home`) });
      assert.equal(own.status, 200, own.text);
      assert.equal((JSON.parse(own.text) as { name: string }).name, 'ada');
      assert.equal((await b.request('GET', '/hub/api/user', { headers: headers() })).status, 200, 'a script sends no Referer');
      for (const foreign of ['http://evil.example/hub/home', `${self.replace(/^https?/, (p) => (p === 'http' ? 'https' : 'http'))}/hub/home`]) {
        const r = await b.request('GET', '/hub/api/user', { headers: headers(foreign) });
        assert.equal(r.status, 403, `${foreign}: ${r.text}`);
      }
      assert.ok(t.logs.some((l) => /Blocking Cross Origin API request/.test(l)));
      if (forwarded) {
        // Behind the proxy the Host header is the hub's own address: it is not what the browser asked for.
        const r = await b.request('GET', '/hub/api/user', { headers: { referer: `${origin}/hub/home`, 'x-forwarded-host': 'hub.example.org', 'x-forwarded-proto': 'https' } });
        assert.equal(r.status, 403);
      }
    } finally {
      await t.stop();
    }
  }
});

test('a request for a server that is not running: 424 (JSON for API paths, with JupyterHub\'s message), or 503 with use_legacy_stopped_server_status_code', async () => {
  const token = 'not-running-token-0123456789abcdef';
  for (const legacy of [false, true]) {
    const t = await startTestHub({ overrides: [DUMMY, `JupyterHub.api_tokens={"${token}":"ada"}`, `JupyterHub.use_legacy_stopped_server_status_code=${legacy}`] });
    try {
      const status = legacy ? 503 : 424;
      const base = t.status.hub_url.replace(/\/hub\/$/, '');
      const api = await request({ url: `${base}/user/ada/api/contents?x=1`, headers: { authorization: `token ${token}` } });
      assert.equal(api.status, status, JSON.stringify(api.body));
      assert.equal((api.body as { message: string }).message,
        `JupyterHub server no longer running at /user/ada/api/contents. Restart the server at http://${new URL(base).host}/hub/spawn/ada`);
      const b = new HttpBrowser(new URL(base).origin);
      await b.login('/hub/', 'ada', 'pw');
      const page = await b.get('/hub/user/ada/tree');
      assert.equal(page.status, status);
      assert.match(page.text, /not running/);
    } finally {
      await t.stop();
    }
  }
});

test('UserUrlHandler\'s doors: a write to a stopped server needs no login to be told; Accept: application/json counts as an API call', async () => {
  const t = await startTestHub({ overrides: [DUMMY] });
  try {
    const base = t.status.hub_url.replace(/\/hub\/$/, '');
    const post = await request({ url: `${base}/hub/user/ada/api/contents`, method: 'POST', body: '{}' });
    assert.equal(post.status, 424, JSON.stringify(post.body));
    assert.match((post.body as { message: string }).message, /no longer running at \/user\/ada\/api\/contents\. Restart the server at http:\/\/.*\/hub\/spawn\/ada$/);
    const b = new HttpBrowser(new URL(base).origin);
    await b.login('/hub/', 'ada', 'pw');
    const json = await b.request('GET', '/hub/user/ada/tree', { headers: { accept: 'application/json, text/plain, */*' } });
    assert.equal(json.status, 424);
    assert.equal(json.headers['content-type']?.toString().split(';')[0], 'application/json');
    const html = await b.request('GET', '/hub/user/ada/tree', { headers: { accept: 'text/html,application/xhtml+xml,application/json;q=0.9,*/*;q=0.8' } });
    assert.equal(html.status, 424);
    assert.match(String(html.headers['content-type']), /text\/html/);
  } finally {
    await t.stop();
  }
});

test('auto_login_oauth2_authorize: OAuth authorize sends a browser that is not logged in to the authenticator\'s login_url, not the login page', async () => {
  const dir = await tempDir();
  await writeFile(path.join(dir, 'sso-auth.mjs'), `export default class SsoAuthenticator {
    async authenticate() { return null; }
    loginUrl(hubPrefix) { return hubPrefix + 'sso/start'; }
  }\n`);
  const authorize = '/hub/api/oauth2/authorize?client_id=some-service&response_type=code';
  for (const auto of [false, true]) {
    const t = await startTestHub({ dir, overrides: ['JupyterHub.authenticator_class=./sso-auth.mjs', `Authenticator.auto_login_oauth2_authorize=${auto}`] });
    try {
      const r = await request({ url: `${new URL(t.status.hub_url).origin}${authorize}` });
      assert.equal(r.status, 302);
      assert.equal(r.headers.location, `${auto ? '/hub/sso/start' : '/hub/login'}?next=${encodeURIComponent(authorize)}`);
    } finally {
      await t.stop();
    }
  }
});

test('Proxy.extra_routes are routed by the proxy, kept by its checks, and checked as JupyterHub does', async () => {
  const { createServer } = await import('node:http');
  const backend = createServer((req, res) => res.end(`extra backend saw ${req.url}`));
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
  const port = (backend.address() as { port: number }).port;
  const t = await startTestHub({ withProxy: true, overrides: [DUMMY, `Proxy.extra_routes={"/extra":"http://127.0.0.1:${port}"}`, 'ConfigurableHTTPProxy.check_running_interval=1'] });
  try {
    assert.ok(t.logs.some((l) => l.includes("Adding missing trailing '/' to Proxy.extra_routes /extra -> /extra/")));
    const routes = await t.hub.proxy!.client.getAllRoutes();
    const extra = routes['/extra/'] as { target: string; data: Record<string, unknown> } | undefined;
    assert.equal(extra?.target, `http://127.0.0.1:${port}`);
    assert.equal(extra.data.extra, true);
    const pub = t.status.public_url.replace(/\/$/, '');
    assert.equal(await (await fetch(`${pub}/extra/a?b=1`)).text(), 'extra backend saw /extra/a?b=1');
    // Lost from the proxy (someone deleted it through its API): the next check puts it back.
    await t.hub.proxy!.client.deleteRoute('/extra/');
    const deadline = Date.now() + 5000;
    while (!(await t.hub.proxy!.client.getAllRoutes())['/extra/'] && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.ok((await t.hub.proxy!.client.getAllRoutes())['/extra/'], 'restored by check_routes');
  } finally {
    await t.stop();
    backend.close();
  }
  await assert.rejects(startTestHub({ withProxy: true, overrides: [DUMMY, 'Proxy.extra_routes={"nohost/":"http://x","/ok/":"ftp://x","/bad/":"not a url"}'] }), (e: unknown) => {
    assert.ok(isHubError(e) && e.code === 'CONFIG_INVALID', String(e));
    assert.match(e.message, /routespec nohost\/ missing leading '\/'/);
    assert.match(e.message, /target \/ok\/='ftp:\/\/x' doesn't look like a URL/);
    assert.match(e.message, /target \/bad\/='not a url'/);
    return true;
  });
});

test('Authenticator.refresh_user with auth_refresh_age and refresh_pre_spawn: stale auth makes requests anonymous, a model updates the user, a spawn needs a fresh refresh', async () => {
  const dir = await tempDir();
  const modes = path.join(dir, 'modes.json');
  const calls = path.join(dir, 'calls.log');
  await writeFile(modes, '{}');
  await writeFile(path.join(dir, 'refreshing-auth.mjs'), `import { readFileSync, appendFileSync } from 'node:fs';
export default class RefreshingAuthenticator {
  async authenticate({ username }) { return { name: username, auth_state: { token: 'first' } }; }
  async refreshUser(user, req) {
    appendFileSync(${JSON.stringify(calls)}, user.name + ' ' + (req ? 'request' : 'spawn') + '\\n');
    const mode = JSON.parse(readFileSync(${JSON.stringify(modes)}, 'utf8'))[user.name] ?? 'ok';
    if (mode === 'expired') return false;
    if (mode === 'update') return { admin: true };
    return true;
  }
}\n`);
  const token = 'refresh-admin-token-0123456789abcdef';
  const t = await startTestHub({ dir, withProxy: true, overrides: ['JupyterHub.authenticator_class=./refreshing-auth.mjs', 'Authenticator.auth_refresh_age=3', 'Authenticator.refresh_pre_spawn=true',
    'Authenticator.admin_users=["root"]', `JupyterHub.api_tokens={"${token}":"root"}`, 'Authenticator.enable_auth_state=true'],
  env: { JUPYTERHUB_CRYPT_KEY: 'a'.repeat(64) } });
  try {
    const origin = new URL(t.status.hub_url).origin;
    const b = new HttpBrowser(origin);
    await b.login('/hub/', 'ada', 'pw');
    const me = async (): Promise<{ status: number; body: { name?: string; admin?: boolean } }> => {
      const r = await b.request('GET', '/hub/api/user');
      return { status: r.status, body: r.status === 200 ? (JSON.parse(r.text) as { name: string; admin: boolean }) : {} };
    };
    assert.equal((await me()).status, 200);
    assert.equal((await me()).status, 200);
    const count = async (who: string): Promise<number> => (await readFile(calls, 'utf8').catch(() => '')).split('\n').filter((l) => l.startsWith(`${who} `)).length;
    assert.equal(await count('ada'), 1, 'refreshed once within auth_refresh_age');

    await writeFile(modes, JSON.stringify({ ada: 'expired' }));
    await new Promise((r) => setTimeout(r, 3100));
    assert.equal((await me()).status, 403, 'stale auth: the request is anonymous');
    const home = await b.get('/hub/home');
    assert.equal(home.status, 302, 'the pages too: stale auth is no login');
    assert.match(String(home.headers.location), /^\/hub\/login\?next=/);
    assert.ok(t.logs.some((l) => l.includes('User ada has stale auth info. Login is required to refresh.')));

    await writeFile(modes, JSON.stringify({ ada: 'update' }));
    const updated = await me();
    assert.equal(updated.status, 200);
    assert.equal(updated.body.admin, true, 'the refresh model updated the admin flag');
    const stored = (await t.hub.db!('users').where({ name: 'ada' }).first('encrypted_auth_state')) as { encrypted_auth_state: unknown };
    assert.ok(stored.encrypted_auth_state, 'a refresh without auth_state keeps the stored one');

    // refresh_pre_spawn: the spawn forces a refresh, and a failed one refuses it with 403.
    await writeFile(modes, JSON.stringify({ ada: 'expired' }));
    const before = await count('ada');
    const spawn = await request({ url: `${t.status.hub_url}api/users/ada/server`, method: 'POST', headers: { authorization: `token ${token}` }, body: '{}' });
    assert.equal(spawn.status, 403, JSON.stringify(spawn.body));
    assert.equal((spawn.body as { message: string }).message, 'auth has expired for ada, login again');
    assert.equal(await count('ada'), before + 1);
    assert.match(await readFile(calls, 'utf8'), /ada spawn\n/);
  } finally {
    await t.stop();
  }
});

test('cookie_secret_file: ~ is the home directory (app.py expanduser), the new file is 0600; a cookie_secret over 32 bytes is warned about', async () => {
  const home = await tempDir();
  const t = await startTestHub({ env: { HOME: home }, overrides: ['JupyterHub.cookie_secret_file=~/hub_secret'] });
  try {
    const st = await stat(path.join(home, 'hub_secret'));
    assert.equal(st.mode & 0o777, 0o600);
    assert.match(await readFile(path.join(home, 'hub_secret'), 'utf8'), /^[0-9a-f]{64}\n$/);
  } finally {
    await t.stop();
  }
  const long = await startTestHub({ overrides: [`JupyterHub.cookie_secret=${'ab'.repeat(40)}`] });
  try {
    assert.ok(long.logs.some((l) => /Cookie secret is 40 bytes\. {2}It should be 32\./.test(l)), long.logs.join('\n'));
  } finally {
    await long.stop();
  }
});

test('implicit_spawn_seconds: the not-running page of your own server goes to the spawn page by itself after that many seconds; 0 (default) waits for a click', async () => {
  for (const seconds of [5, 0]) {
    const t = await startTestHub({ overrides: [DUMMY, `JupyterHub.implicit_spawn_seconds=${seconds}`] });
    try {
      const b = new HttpBrowser(new URL(t.status.hub_url).origin);
      await b.login('/hub/', 'ada', 'pw');
      const page = await b.get('/hub/user/ada/lab');
      assert.equal(page.status, 424);
      const spawnUrl = `/hub/spawn/ada?next=${encodeURIComponent('/hub/user/ada/lab')}`;
      const refresh = /<meta http-equiv="refresh" content="(\d+);url=([^"]+)">/.exec(page.text);
      if (seconds === 0) {
        assert.equal(refresh, null);
      } else {
        assert.equal(refresh?.[1], '5');
        assert.equal(refresh?.[2]?.replace(/&amp;/g, '&').replace(/&#x2F;|&#47;/g, '/'), spawnUrl, page.text);
      }
    } finally {
      await t.stop();
    }
  }
});

test('check_referer wants one of the hub\'s own pages: a page of a user\'s server cannot use the login cookie on the API, and the log keeps no token', async () => {
  const t = await startTestHub({ overrides: [DUMMY] });
  try {
    const origin = new URL(t.status.hub_url).origin;
    const b = new HttpBrowser(origin);
    await b.login('/hub/', 'ada', 'pw');
    const r = await b.request('GET', '/hub/api/user', { headers: { referer: `${origin}/user/mallory/page.html?token=secret-token-value` } });
    assert.equal(r.status, 403);
    assert.equal((await b.request('GET', '/hub/api/user', { headers: { referer: `${origin}/hub/admin` } })).status, 200);
    assert.ok(t.logs.some((l) => l.includes(`Blocking Cross Origin API request. Referer: ${origin}/user/mallory/page.html,`)), t.logs.join('\n'));
    assert.ok(!t.logs.some((l) => l.includes('secret-token-value')), 'the Referer\'s query is not logged');
    // An empty path segment matches no route, as in tornado: it cannot slip past the checks above.
    assert.equal((await b.request('GET', '/hub//api/user', { headers: { referer: `${origin}/user/mallory/page.html` } })).status, 404);
  } finally {
    await t.stop();
  }
});

test('activity_resolution: requests with the login cookie or a token record the user\'s last_activity, at most once per activity_resolution', async () => {
  const token = 'activity-token-0123456789abcdef';
  const lastActivity = async (t: { hub: { db?: unknown } }): Promise<string | null> => {
    const db = t.hub.db as NonNullable<Awaited<ReturnType<typeof startTestHub>>['hub']['db']>;
    const row = (await db('users').where({ name: 'ada' }).first('last_activity')) as { last_activity: string | null } | undefined;
    return row?.last_activity ?? null;
  };
  /** The write happens beside the request (never on its path): wait for it, within a deadline. */
  const changedFrom = async (t: { hub: { db?: unknown } }, before: string | null): Promise<string | null> => {
    const deadline = Date.now() + 3000;
    let now = await lastActivity(t);
    while (now === before && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      now = await lastActivity(t);
    }
    return now;
  };
  for (const resolution of [0, 30]) {
    const t = await startTestHub({ overrides: [DUMMY, `JupyterHub.activity_resolution=${resolution}`, `JupyterHub.api_tokens={"${token}":"ada"}`] });
    try {
      const b = new HttpBrowser(new URL(t.status.hub_url).origin);
      await b.login('/hub/', 'ada', 'pw');
      assert.equal((await b.get('/hub/home')).status, 200);
      const first = await changedFrom(t, null);
      assert.notEqual(first, null, 'a page seen with the login cookie is activity');
      await new Promise((r) => setTimeout(r, 30));
      assert.equal((await b.get('/hub/home')).status, 200);
      const second = resolution === 0 ? await changedFrom(t, first) : (await new Promise((r) => setTimeout(r, 300)), await lastActivity(t));
      if (resolution === 0) assert.ok(second !== null && second > (first ?? ''), `0 records every request: ${first} -> ${second}`);
      else assert.equal(second, first, 'within activity_resolution nothing is written');
      await new Promise((r) => setTimeout(r, 30));
      const api = await request({ url: `${t.status.hub_url}api/user`, headers: { authorization: `token ${token}` } });
      assert.equal(api.status, 200);
      const third = resolution === 0 ? await changedFrom(t, second) : (await new Promise((r) => setTimeout(r, 300)), await lastActivity(t));
      if (resolution === 0) assert.ok(third !== null && third > (second ?? ''), `a token request is activity too: ${second} -> ${third}`);
      else assert.equal(third, first);
    } finally {
      await t.stop();
    }
  }
});

test('active_server_limit: a spawn past that many active servers is refused with 429 and JupyterHub\'s message until one stops', { timeout: 60_000 }, async () => {
  const standin = await buildStandin();
  const dir = await tempDir();
  const token = 'active-limit-admin-token-0123456789abcdef';
  const t = await startTestHub({ dir, withProxy: true, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, overrides: [DUMMY, 'JupyterHub.spawner_class=simple',
    `Spawner.cmd=${JSON.stringify([standin])}`, `SimpleLocalProcessSpawner.home_dir_template=${path.join(dir, 'home', '{username}')}`,
    'JupyterHub.active_server_limit=1', 'Authenticator.admin_users=["root"]', `JupyterHub.api_tokens={"${token}":"root"}`] });
  try {
    const api = (method: string, p: string, body?: unknown): ReturnType<typeof request> =>
      request({ url: `${t.status.hub_url}api${p}`, method, headers: { authorization: `token ${token}` }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    assert.equal((await api('POST', '/users', { usernames: ['ann', 'bob'] })).status, 201);
    assert.equal((await api('POST', '/users/ann/server')).status, 201);
    const refused = await api('POST', '/users/bob/server');
    assert.equal(refused.status, 429, JSON.stringify(refused.body));
    assert.equal((refused.body as { message: string }).message, 'Active user limit exceeded. Try again in a few minutes.');
    assert.ok(t.logs.some((l) => l.includes('1 servers active, no space available')), t.logs.join('\n'));
    assert.equal((await api('DELETE', '/users/ann/server')).status, 204);
    assert.equal((await api('POST', '/users/bob/server')).status, 201, 'a stopped server frees its place');
    assert.equal((await api('DELETE', '/users/bob/server')).status, 204);
  } finally {
    await t.stop();
  }
});

test('active_user_window: only users active within that many seconds count as active (the pressure feed of hub top)', async () => {
  const t = await startTestHub({ overrides: [DUMMY, 'JupyterHub.active_user_window=60'] });
  try {
    const db = t.hub.db!;
    await createUsers(db, ['recent', 'earlier', 'never']);
    const ago = (s: number): string => toDbTimestamp(new Date(Date.now() - s * 1000));
    await db('users').where({ name: 'recent' }).update({ last_activity: ago(10) });
    await db('users').where({ name: 'earlier' }).update({ last_activity: ago(120) });
    const r = await request({ socketPath: t.status.socket, path: '/hub/ext/pressure' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual((r.body as { users: unknown }).users, { total: 3, active: 1, active_window_seconds: 60 });
  } finally {
    await t.stop();
  }
});

test('authenticator_class \'null\' (JupyterHub\'s NullAuthenticator, any of its names): no login, 403 on the login page; API tokens work', async () => {
  const token = 'null-auth-token-0123456789abcdef';
  for (const name of ['null', 'jupyterhub.auth.NullAuthenticator']) {
    const t = await startTestHub({ overrides: [`JupyterHub.authenticator_class=${name}`, `JupyterHub.api_tokens={"${token}":"ada"}`] });
    try {
      assert.equal(t.hub.authenticator?.className, 'NullAuthenticator');
      const b = new HttpBrowser(new URL(t.status.hub_url).origin);
      assert.equal((await b.get('/hub/login')).status, 403, 'auto_login without a login handler: 403, as JupyterHub');
      const posted = await b.request('POST', '/hub/login', { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'username=ada&password=pw' });
      // JupyterHub 3.0 (run side by side): 200, the login page again with its "Sign in with null" button, where
      // auto_login's login_service hides the form and its "Invalid username or password"; "Failed login for ada".
      assert.equal(posted.status, 200, 'a posted form logs nobody in: the login page again');
      assert.match(posted.text, /Sign in with null/);
      assert.doesNotMatch(posted.text, /Invalid username or password|name="password"/);
      assert.ok(t.logs.some((l) => /Failed login for "ada"/.test(l)), t.logs.slice(-5).join('\n'));
      assert.equal(b.cookie('jupyterhub-hub-login'), undefined);
      const me = await request({ url: `${t.status.hub_url}api/user`, headers: { authorization: `token ${token}` } });
      assert.equal(me.status, 200);
      assert.equal((me.body as { name: string }).name, 'ada');
    } finally {
      await t.stop();
    }
  }
});
