import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { runCli, startDaemon, type CliResult, type RunningDaemon } from '../helpers/cli.js';
import { SYSTEM_PYTHON } from '../helpers/jupyterhub-db.js';
import { jupyterhubInstalled, startJupyterHub, type RunningJupyterHub } from '../helpers/jupyterhub-server.js';
import { createUnixUser, type UnixUser } from '../helpers/unix-user.js';
import { pidAlive } from '../../src/daemon/spawner/kill-sequence.js';

/**
 * "Switch from JupyterHub to hub": the real JupyterHub 3.0 runs in a directory with a jupyterhub_config.py
 * (dummy authenticator, LocalProcessSpawner running the real jupyterhub-singleuser as a unix user,
 * cleanup_servers and cleanup_proxy off); users, a group, a role, tokens, a logged-in browser and two running
 * servers are made through its REST API and pages; JupyterHub is stopped (servers and its proxy keep running);
 * then `hub start` runs in the same directory, on the same files, and everything must still be there and work.
 */
const SERVICE_TOKEN = 'svc-token-0123456789abcdef0123456789abcdef';
const PROXY_TOKEN = 'p'.repeat(64);

type Cookies = Map<string, string>;

function keepCookies(jar: Cookies, res: Response): void {
  for (const c of res.headers.getSetCookie()) {
    const [pair = ''] = c.split(';');
    const i = pair.indexOf('=');
    const name = pair.slice(0, i);
    const value = pair.slice(i + 1);
    // A cleared cookie is set to "" with a past expiry.
    if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(c)) jar.delete(name);
    else jar.set(name, value);
  }
}

function cookieHeader(jar: Cookies): string {
  return [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
}

/** GET with the jar, following redirects by hand (so every Set-Cookie on the way lands in the jar). */
async function browse(jar: Cookies, url: string, maxHops = 10): Promise<{ res: Response; url: string; hops: string[] }> {
  const hops: string[] = [];
  for (let i = 0; i < maxHops; i++) {
    const res = await fetch(url, { redirect: 'manual', headers: { cookie: cookieHeader(jar) } });
    keepCookies(jar, res);
    const loc = res.headers.get('location');
    if (res.status < 300 || res.status >= 400 || !loc) return { res, url, hops };
    await res.arrayBuffer();
    url = new URL(loc, url).toString();
    hops.push(url);
  }
  throw new Error(`too many redirects: ${hops.join(' -> ')}`);
}

async function api<T>(base: string, token: string, p: string, init: { method?: string; body?: unknown } = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(`${base}${p}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `token ${token}`, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

interface ServerModel { name: string; ready: boolean; pending: string | null; url: string; last_activity: string | null; state?: { pid?: number } }
interface UserModel { name: string; admin: boolean; groups: string[]; roles: string[]; servers?: Record<string, ServerModel>; last_activity: string | null }
interface WhoAmI { kind: string; name: string; admin?: boolean; groups?: string[]; scopes: string[]; server?: string | null }

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function serverEnv(pid: number): Map<string, string> {
  return new Map(readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean).map((kv) => {
    const i = kv.indexOf('=');
    return [kv.slice(0, i), kv.slice(i + 1)] as [string, string];
  }));
}

function json<T>(r: CliResult): T {
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as T;
}

/** What must not change across the switch: who a token is and what it may do. */
function identity(w: WhoAmI): unknown {
  return { kind: w.kind, name: w.name, admin: w.admin, groups: [...(w.groups ?? [])].sort(), scopes: [...w.scopes].sort(), server: w.server };
}

test('switching from JupyterHub 3.0 to hub: same directory, same files; tokens, users, groups, roles, running servers and logins carry over', { skip: !jupyterhubInstalled() }, async () => {
  const owner: UnixUser = await createUnixUser();
  let jh: RunningJupyterHub | undefined;
  let daemon: RunningDaemon | undefined;
  const pids: number[] = [];
  let chpPid = 0;
  try {
    jh = await startJupyterHub({
      serviceToken: SERVICE_TOKEN,
      extraConfig: [
        'c.JupyterHub.cleanup_servers = False',
        'c.JupyterHub.cleanup_proxy = False',
        `c.ConfigurableHTTPProxy.auth_token = '${PROXY_TOKEN}'`,
        'c.JupyterHub.allow_named_servers = True',
        "c.Authenticator.admin_users = {'ada'}",
        "c.JupyterHub.load_roles = [{'name': 'auditor', 'description': 'reads users', 'scopes': ['read:users'], 'users': ['bob']}]",
        'c.Spawner.http_timeout = 60',
        // Servers report activity every 2 s instead of 5 min, so the test sees a report reach the new hub.
        "c.Spawner.environment = {'JUPYTERHUB_ACTIVITY_INTERVAL': '2'}",
        // ... and every newer timestamp is written (the default skips those less than 30 s newer).
        'c.JupyterHub.activity_resolution = 0',
      ],
    });
    const jhApi = jh.apiUrl;
    const dir = jh.dir;
    const name = owner.name;

    // --- state made through JupyterHub's REST API ---
    assert.equal((await api(jhApi, SERVICE_TOKEN, '/users', { method: 'POST', body: { usernames: [name, 'carol'] } })).status, 201);
    assert.equal((await api(jhApi, SERVICE_TOKEN, '/groups/staff', { method: 'POST', body: { users: [name, 'bob'] } })).status, 201);
    const ownerToken = await api<{ token: string }>(jhApi, SERVICE_TOKEN, `/users/${name}/tokens`, { method: 'POST', body: { note: 'made by jupyterhub' } });
    assert.equal(ownerToken.status, 201);
    const scopedToken = await api<{ token: string }>(jhApi, SERVICE_TOKEN, `/users/${name}/tokens`, { method: 'POST', body: { note: 'read only', scopes: [`read:servers!user=${name}`] } });
    assert.equal(scopedToken.status, 201, JSON.stringify(scopedToken.body));
    const bobToken = await api<{ token: string }>(jhApi, SERVICE_TOKEN, '/users/bob/tokens', { method: 'POST', body: { note: 'auditor', expires_in: 3600 } });
    assert.equal(bobToken.status, 201);
    const adaToken = await api<{ token: string }>(jhApi, SERVICE_TOKEN, '/users/ada/tokens', { method: 'POST', body: {} });
    assert.equal(adaToken.status, 201);

    // Two running servers: the default one and a named one.
    for (const server of ['', 'second']) {
      const r = await api(jhApi, SERVICE_TOKEN, `/users/${name}/servers/${server}`, { method: 'POST', body: {} });
      assert.ok(r.status === 201 || r.status === 202, `spawn ${server}: ${r.status}`);
    }
    const before = await waitFor('both servers ready in JupyterHub', async () => {
      const u = (await api<UserModel>(jhApi, SERVICE_TOKEN, `/users/${name}`)).body;
      const s = u.servers ?? {};
      return s['']?.ready && s.second?.ready ? u : undefined;
    });
    for (const server of ['', 'second']) {
      const pid = before.servers?.[server]?.state?.pid;
      assert.equal(typeof pid, 'number', `JupyterHub's spawner state holds the pid of ${server || 'the default server'}`);
      pids.push(pid as number);
    }
    const [pid = 0, pid2 = 0] = pids;
    const serverToken = serverEnv(pid).get('JUPYTERHUB_API_TOKEN') ?? '';
    assert.ok(serverToken, 'the server got a token from JupyterHub');

    // A browser logs in to JupyterHub, then into its server through the OAuth flow.
    const browser: Cookies = new Map();
    const login = await fetch(`${jh.publicUrl}hub/login`, { method: 'POST', redirect: 'manual', body: new URLSearchParams({ username: name, password: 'any' }) });
    keepCookies(browser, login);
    assert.equal(login.status, 302);
    assert.ok(browser.has('jupyterhub-hub-login'), 'JupyterHub set its login cookie');
    const viaOauth = await browse(browser, `${jh.publicUrl}user/${name}/tree`);
    assert.equal(viaOauth.res.status, 200, `the browser reaches its server through JupyterHub's OAuth: ${viaOauth.hops.join(' -> ')}`);
    assert.ok(browser.has(`jupyterhub-user-${name}`), 'the server set its own cookie');

    // Who each token is, as JupyterHub answers it.
    const tokens: Record<string, string> = {
      service: SERVICE_TOKEN, owner: ownerToken.body.token, scoped: scopedToken.body.token, bob: bobToken.body.token, ada: adaToken.body.token, server: serverToken,
    };
    const theirs = new Map<string, unknown>();
    for (const [label, token] of Object.entries(tokens)) {
      const r = await api<WhoAmI>(jhApi, token, '/user');
      assert.equal(r.status, 200, `${label} token in JupyterHub`);
      theirs.set(label, identity(r.body));
    }
    const jhUsers = (await api<UserModel[]>(jhApi, SERVICE_TOKEN, '/users')).body;

    // --- JupyterHub stops; its servers and proxy stay (cleanup_servers / cleanup_proxy off) ---
    await jh.stop({ hubOnly: true });
    assert.ok(pidAlive(pid) && pidAlive(pid2), 'the servers outlive JupyterHub');
    chpPid = Number(readFileSync(path.join(dir, 'jupyterhub-proxy.pid'), 'utf8'));
    assert.ok(pidAlive(chpPid), 'JupyterHub left its proxy running');

    // --- hub takes over the directory ---
    const up = await runCli(['upgrade-db'], { cwd: dir });
    assert.equal(up.code, 0, up.stderr);
    const t0 = Date.now();
    daemon = await startDaemon([], { cwd: dir });
    const adoptMs = Date.now() - t0;
    const status = json<{ hub_url: string; public_url: string }>(await runCli(['status', '--json'], { cwd: dir }));
    const hubApi = `${status.hub_url}api`;
    assert.equal(status.hub_url, jhApi.replace(/api$/, ''), 'hub serves its API where JupyterHub did (the servers were told that URL)');
    assert.equal(status.public_url, jh.publicUrl);
    console.log(`hub start on JupyterHub's directory: ready in ${adoptMs} ms`);
    // JupyterHub's proxy (its pid file, the configured token) is adopted, not fought over: no connection is cut.
    assert.match(daemon.output(), new RegExp(`Adopted the running proxy \\(pid ${chpPid}\\)`));

    // Users, admins, groups, roles, as JupyterHub had them.
    const users = json<{ name: string; admin: boolean; groups: string[] }[]>(await runCli(['users', 'ls', '--json'], { cwd: dir }));
    assert.deepEqual(users.map((u) => [u.name, u.admin, [...u.groups].sort()]).sort(), jhUsers.map((u) => [u.name, u.admin, [...u.groups].sort()]).sort());
    const ours = (await api<UserModel[]>(hubApi, SERVICE_TOKEN, '/users')).body;
    assert.deepEqual(ours.map((u) => [u.name, [...u.roles].sort()]).sort(), jhUsers.map((u) => [u.name, [...u.roles].sort()]).sort());

    // Every token is the same principal with the same scopes.
    for (const [label, token] of Object.entries(tokens)) {
      const r = await api<WhoAmI>(hubApi, token, '/user');
      assert.equal(r.status, 200, `${label} token in hub`);
      assert.deepEqual(identity(r.body), theirs.get(label), `${label} token`);
    }

    // Both servers re-adopted, not respawned.
    const servers = json<{ user: string; name: string; state: string }[]>(await runCli(['servers', 'ls', '--json'], { cwd: dir }));
    assert.deepEqual(servers.filter((s) => s.user === name).map((s) => [s.name, s.state]).sort(), [['', 'ready'], ['second', 'ready']]);
    const adopted = (await api<UserModel>(hubApi, SERVICE_TOKEN, `/users/${name}`)).body;
    assert.equal(adopted.servers?.['']?.state?.pid, pid);
    assert.equal(adopted.servers?.second?.state?.pid, pid2);

    // Reachable through the proxy with a token the server has not seen (so it asks the new hub about it).
    // (api/contents, not api/status: notebook counts only the former as activity.)
    const through = await fetch(`${status.public_url}user/${name}/second/api/contents`, { headers: { authorization: `token ${ownerToken.body.token}` } });
    assert.equal(through.status, 200, 'the named server answers through the proxy, authenticated by hub');
    const lastBefore = adopted.servers?.second?.last_activity ?? '';
    // The server's own token (JupyterHub made it) reports activity to hub.
    await waitFor('an activity report from the adopted server', async () => {
      const s = (await api<UserModel>(hubApi, SERVICE_TOKEN, `/users/${name}`)).body.servers?.second;
      return s?.last_activity && s.last_activity > lastBefore ? s : undefined;
    }, 30_000);
    assert.doesNotMatch(daemon.output(), /unexpectedly/, 'the proxy kept running');

    // The browser JupyterHub logged in is still logged in, and reaches its server through hub's OAuth provider.
    browser.delete(`jupyterhub-user-${name}`);
    const home = await browse(browser, `${status.public_url}hub/home`);
    assert.equal(home.res.status, 200, `JupyterHub's login cookie: ${home.hops.join(' -> ')}`);
    assert.doesNotMatch(home.url, /\/hub\/login/, 'not sent to the login page');
    const again = await browse(browser, `${status.public_url}user/${name}/tree`);
    assert.equal(again.res.status, 200, `OAuth through hub: ${again.hops.join(' -> ')}`);

    // Stopping from hub ends the processes JupyterHub started (the pid in its spawner state).
    for (const server of ['', 'second']) {
      const r = await runCli(['servers', 'stop', server ? `${name}/${server}` : name, '--answer-yes', '--json'], { cwd: dir });
      assert.equal(r.code, 0, r.stderr);
    }
    await waitFor('the servers to exit', async () => (pidAlive(pid) || pidAlive(pid2) ? undefined : true), 30_000);
    assert.equal(existsSync(`/proc/${pid}`), false);
  } catch (err) {
    // The servers JupyterHub started write into its log file, the hub into its stderr: both explain a failure.
    console.log(`--- hub ---\n${daemon?.output() ?? ''}\n--- jupyterhub.log ---\n${jh?.log().slice(-20_000) ?? ''}`);
    throw err;
  } finally {
    if (daemon) await daemon.stop();
    await jh?.stop();
    for (const p of [...pids, chpPid]) if (p > 0 && pidAlive(p)) process.kill(p, 'SIGKILL');
    await owner.remove();
  }
});

const BACK_TO_3_0 = `
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for sql in ["DROP TABLE hub_blocked_users", "ALTER TABLE groups DROP COLUMN properties", "DROP TABLE knex_migrations",
            "DROP TABLE knex_migrations_lock", "UPDATE alembic_version SET version_num = '651f5419b74d'"]:
    db.execute(sql)
db.commit()
`;

test('JupyterHub\'s proxy with its own generated token is stopped and replaced; back to JupyterHub 3.0 takes the README\'s way back', { skip: !jupyterhubInstalled() }, async () => {
  let jh: RunningJupyterHub | undefined = await startJupyterHub({ serviceToken: SERVICE_TOKEN, extraConfig: ['c.JupyterHub.cleanup_proxy = False', "c.Authenticator.admin_users = {'ada'}"] });
  const dir = jh.dir;
  let chpPid = 0;
  try {
    assert.equal((await api(jh.apiUrl, SERVICE_TOKEN, '/groups/staff', { method: 'POST', body: { users: ['ada'] } })).status, 201);
    await jh.stop({ hubOnly: true });
    chpPid = Number(readFileSync(path.join(dir, 'jupyterhub-proxy.pid'), 'utf8'));
    assert.ok(pidAlive(chpPid), 'JupyterHub left its proxy running');

    assert.equal((await runCli(['upgrade-db'], { cwd: dir })).code, 0);
    const daemon = await startDaemon([], { cwd: dir });
    try {
      // JupyterHub's proxy does not know hub's token: stopped as JupyterHub stops a leftover, and replaced.
      assert.match(daemon.output(), new RegExp(`Stopping the leftover proxy \\(pid ${chpPid}\\)`));
      assert.equal(pidAlive(chpPid), false);
      const res = await api<{ version: string }>(`${jh.publicUrl}hub/api`, SERVICE_TOKEN, '');
      assert.equal(res.status, 200, 'hub answers through its own proxy at JupyterHub\'s public URL');
    } finally {
      await daemon.stop();
    }
    // cleanup_proxy is off: hub's proxy stays, its pid where JupyterHub looks for a leftover.
    chpPid = Number(readFileSync(path.join(dir, 'jupyterhub-proxy.pid'), 'utf8'));

    // JupyterHub 3.0 refuses the revision hub's upgrade left, and starts after the way back the README gives.
    await assert.rejects(startJupyterHub({ serviceToken: SERVICE_TOKEN, dir }), /Found database schema version 0eee8c825d24 != 651f5419b74d/);
    await promisify(execFile)(SYSTEM_PYTHON, ['-c', BACK_TO_3_0, path.join(dir, 'jupyterhub.sqlite')]);
    jh = await startJupyterHub({ serviceToken: SERVICE_TOKEN, dir });
    const users = (await api<UserModel[]>(jh.apiUrl, SERVICE_TOKEN, '/users')).body;
    assert.deepEqual(users.map((u) => [u.name, u.admin, u.groups]), [['ada', true, ['staff']]]);
    assert.equal(pidAlive(chpPid), false, 'JupyterHub stopped the proxy hub left');
  } finally {
    await jh.stop();
    if (chpPid > 0 && pidAlive(chpPid)) process.kill(chpPid, 'SIGKILL');
  }
});
