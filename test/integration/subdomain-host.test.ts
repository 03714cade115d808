/**
 * JupyterHub.subdomain_host end to end with the real jupyterhub-singleuser 3.0 (Debian): the server runs on its
 * user's host `<name>.hub.test`, the proxy routes by host, the server's environment, the OAuth round trip across
 * the two hosts, the hub's redirects and the REST models are what JupyterHub 3.0 gives. `hub.test` resolves
 * nowhere: every request goes to 127.0.0.1 with the Host header a browser would send.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { startTestHub } from '../helpers/hub.js';
import { createUnixUser } from '../helpers/unix-user.js';
import { createUsers } from '../../src/daemon/db/users-repo.js';
import { createToken } from '../../src/daemon/db/tokens-repo.js';
import { freePort } from '../../src/daemon/spawner/free-port.js';
import type { SessionManager } from '../../src/daemon/auth/sessions.js';
import type { UserRow } from '../../src/daemon/db/users-repo.js';

interface Reply {
  status: number;
  location: string;
  setCookie: string[];
  body: string;
}

/** A request to the proxy on 127.0.0.1:port as a browser at `url` would send it (its Host header). */
function browserGet(port: number, url: string, cookie: string, accept = 'text/html'): Promise<Reply> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: u.pathname + u.search, headers: { host: u.host, cookie, accept } }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location ?? '', setCookie: res.headers['set-cookie'] ?? [], body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Cookies by name (one browser; the names do not clash across the two hosts here). */
class Jar {
  readonly cookies = new Map<string, string>();

  take(r: Reply): void {
    for (const c of r.setCookie) {
      const [pair = ''] = c.split(';', 1);
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      if (/;\s*Max-Age=0/i.test(c)) this.cookies.delete(pair.slice(0, eq));
      else this.cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
  }

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/** The Set-Cookie headers of a login, whole (attributes included). */
function loginSetCookies(sessions: SessionManager, user: UserRow): string[] {
  const headers = new Map<string, string | string[]>();
  const res = {
    getHeader: (name: string) => headers.get(name.toLowerCase()),
    setHeader: (name: string, value: string | string[]) => headers.set(name.toLowerCase(), value),
  } as unknown as http.ServerResponse;
  sessions.login(res, user, null);
  const set = headers.get('set-cookie');
  return Array.isArray(set) ? set : typeof set === 'string' ? [set] : [];
}

function environOf(pid: number): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) out.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  return out;
}

test('subdomain_host: the real jupyterhub-singleuser on <name>.hub.test, routed by host, logged in across hosts', async () => {
  const account = await createUnixUser();
  const port = await freePort();
  const hubOrigin = `http://hub.test:${port}`;
  const t = await startTestHub({ withProxy: true, overrides: [`JupyterHub.port=${port}`, `JupyterHub.subdomain_host=${hubOrigin}`, 'Spawner.http_timeout=60'] });
  const name = account.name;
  const userOrigin = `http://${name}.hub.test:${port}`;
  const prefix = `/user/${name}/`;
  try {
    const db = t.hub.db;
    assert.ok(db && t.hub.sessions);
    const [user] = await createUsers(db, [name]);
    assert.ok(user);
    assert.equal(await t.hub.servers.start(user, '', {}), 'ready');

    // user.py proxy_spec: the route is `<name>.<domain><prefix>`, no port.
    const routes = await t.hub.proxy?.client.getAllRoutes();
    assert.ok(routes?.[`${name}.hub.test${prefix}`], JSON.stringify(Object.keys(routes ?? {})));
    assert.equal(routes[prefix], undefined, 'no path-only route');

    // spawner.py get_env: the hub's public host, the callback on the user's host; the bind URL stays local.
    const pid = t.hub.servers.runtime(name, '').state.pid;
    assert.equal(typeof pid, 'number');
    const env = environOf(pid as number);
    assert.equal(env.get('JUPYTERHUB_HOST'), hubOrigin);
    assert.equal(env.get('JUPYTERHUB_OAUTH_CALLBACK_URL'), `${userOrigin}${prefix}oauth_callback`);
    assert.equal(env.get('JUPYTERHUB_SERVICE_PREFIX'), prefix);
    assert.match(env.get('JUPYTERHUB_SERVICE_URL') ?? '', new RegExp(`^http://127\\.0\\.0\\.1:\\d+${prefix}$`));
    assert.equal(env.get('JUPYTERHUB_BASE_URL'), '/');
    const client = await db('oauth_clients').where({ identifier: `jupyterhub-user-${name}` }).first() as { redirect_uri: string } | undefined;
    assert.equal(client?.redirect_uri, `${userOrigin}${prefix}oauth_callback`);

    // The login cookie is host-only (JupyterHub 4.1; 3.0's Domain=hub.test let users' servers ride it).
    const setCookies = loginSetCookies(t.hub.sessions, user);
    assert.ok(setCookies.length >= 2);
    for (const c of setCookies) assert.doesNotMatch(c, /; Domain=/i, c);
    const jar = new Jar();
    for (const c of setCookies) jar.take({ status: 0, location: '', body: '', setCookie: [c] });

    // Server (through the proxy, by host) -> the hub's authorize URL on the hub's host, with the absolute callback.
    const start = await browserGet(port, `${userOrigin}${prefix}tree/`, jar.header());
    assert.equal(start.status, 302, start.body);
    jar.take(start);
    const authorize = new URL(start.location);
    assert.equal(`${authorize.origin}${authorize.pathname}`, `${hubOrigin}/hub/api/oauth2/authorize`);
    assert.equal(authorize.searchParams.get('client_id'), `jupyterhub-user-${name}`);
    assert.equal(authorize.searchParams.get('redirect_uri'), `${userOrigin}${prefix}oauth_callback`);

    // The hub (its route '/' takes every host) sends the browser back to the user's host with a code.
    const back = await browserGet(port, start.location, jar.header());
    assert.equal(back.status, 302, back.body);
    jar.take(back);
    assert.ok(back.location.startsWith(`${userOrigin}${prefix}oauth_callback?code=`), back.location);

    const done = await browserGet(port, back.location, jar.header());
    assert.equal(done.status, 302, done.body);
    jar.take(done);
    assert.ok(jar.cookies.has(`jupyterhub-user-${name}`), 'the server set its cookie');
    const tree = await browserGet(port, new URL(done.location, userOrigin).href, jar.header());
    assert.equal(tree.status, 200);
    assert.match(tree.body, /<title>.*(Home|Files|Jupyter).*<\/title>/is);

    // The user's prefix on the hub's own host has no route there: PrefixRedirect to /hub/user/..., which sends
    // the browser to the user's host (base.py _redirect_to_user_server: user.host + target, redirects=1).
    const onHub = await browserGet(port, `${hubOrigin}${prefix}tree`, jar.header());
    assert.equal(onHub.status, 302);
    assert.equal(onHub.location, `/hub${prefix}tree`);
    const viaHub = await browserGet(port, `${hubOrigin}/hub${prefix}tree`, jar.header());
    assert.equal(viaHub.status, 302, viaHub.body);
    assert.equal(viaHub.location, `${userOrigin}${prefix}tree?redirects=1`);

    // The spawn page of a running server sends the browser to user.url, absolute.
    const spawn = await browserGet(port, `${hubOrigin}/hub/spawn`, jar.header());
    assert.equal(spawn.status, 302, spawn.body);
    assert.equal(spawn.location, `${userOrigin}${prefix}`);
    // UserRedirectHandler: user.url + path (absolute) as `next` of the spawn page, which follows it to that host.
    const shared = await browserGet(port, `${hubOrigin}/hub/user-redirect/tree/x.ipynb?a=1`, jar.header());
    assert.equal(shared.status, 302);
    assert.equal(shared.location, `/hub/spawn/${name}?next=${encodeURIComponent(`${userOrigin}${prefix}tree/x.ipynb?a=1`)}`);
    const followed = await browserGet(port, `${hubOrigin}${shared.location}`, jar.header());
    assert.equal(followed.location, `${userOrigin}${prefix}tree/x.ipynb?a=1`);
    // A `next` on someone else's host is not followed.
    const elsewhere = await browserGet(port, `${hubOrigin}/hub/spawn/${name}?next=${encodeURIComponent(`http://evil.test:${port}${prefix}tree`)}`, jar.header());
    assert.equal(elsewhere.location, `${userOrigin}${prefix}`);

    // REST models: user.url is absolute with subdomains (apihandlers/base.py server_model, user_model).
    const [admin] = await createUsers(db, [`admin${Date.now()}`], { admin: true });
    const token = (await createToken(db, { userId: admin!.id })).token;
    const res = await fetch(`${t.status.hub_url}api/users/${name}`, { headers: { authorization: `token ${token}` } });
    const model = (await res.json()) as { server: string; servers: Record<string, { url: string; progress_url: string }> };
    assert.equal(model.server, `${userOrigin}${prefix}`);
    assert.equal(model.servers['']?.url, `${userOrigin}${prefix}`);
    assert.equal(model.servers['']?.progress_url, `/hub/api/users/${name}/server/progress`);

    assert.equal(await t.hub.servers.stop(user, ''), 'stopped');
    assert.equal((await t.hub.proxy?.client.getAllRoutes())?.[`${name}.hub.test${prefix}`], undefined, 'route gone');
    // Not running: the user's host falls through to the hub, which sends the browser to its own host (where the
    // host-only login cookie is sent), and from there to /hub/user/..., which asks to start it.
    const stopped = await browserGet(port, `${userOrigin}${prefix}tree`, jar.header());
    assert.equal(stopped.status, 302);
    assert.equal(stopped.location, `${hubOrigin}${prefix}tree`);
    const onHubHost = await browserGet(port, stopped.location, jar.header());
    assert.equal(onHubHost.location, `/hub${prefix}tree`);
    const notRunning = await browserGet(port, `${hubOrigin}/hub${prefix}tree`, jar.header());
    assert.equal(notRunning.status, 424);
    // The hub on a user's host is never served there: a page of that user's server could script it.
    const hubOnUserHost = await browserGet(port, `${userOrigin}/hub/home`, jar.header());
    assert.equal(hubOnUserHost.status, 302);
    assert.equal(hubOnUserHost.location, `${hubOrigin}/hub/home`);
  } finally {
    await t.stop();
    await account.remove();
  }
});

test('subdomain_host: a restarted hub (cleanup_servers off) adopts a running server and routes it by host again', async () => {
  const { buildStandin } = await import('../../bench/standin/standin.js');
  const { tempDir } = await import('../helpers/cli.js');
  const { getUserByName } = await import('../../src/daemon/db/users-repo.js');
  const standin = await buildStandin();
  const dir = await tempDir();
  const port = await freePort('127.0.0.1');
  const overrides = [`JupyterHub.port=${port}`, `JupyterHub.subdomain_host=http://hub.test:${port}`, 'JupyterHub.spawner_class=simple', `Spawner.cmd=["${standin}"]`,
    `SimpleLocalProcessSpawner.home_dir_template=${dir}/home/{username}`, 'JupyterHub.cleanup_servers=false'];
  const first = await startTestHub({ dir, withProxy: true, overrides });
  let pid = 0;
  try {
    const [user] = await createUsers(first.hub.db!, ['ada']);
    assert.equal(await first.hub.servers.start(user!, '', {}), 'ready');
    pid = first.hub.servers.runtime('ada', '').state.pid as number;
  } finally {
    await first.stop();
  }
  const second = await startTestHub({ dir, withProxy: true, overrides });
  try {
    assert.equal(second.hub.servers.runtime('ada', '').ready, true, 'adopted, not respawned');
    assert.equal(second.hub.servers.runtime('ada', '').state.pid, pid);
    const routes = await second.hub.proxy!.client.getAllRoutes();
    assert.ok(routes['ada.hub.test/user/ada/'], `the host route is back: ${Object.keys(routes).join(', ')}`);
    assert.equal(routes['/user/ada/'], undefined, 'and no path-only route');
    const reply = await browserGet(port, `http://ada.hub.test:${port}/user/ada/api`, '');
    assert.equal(reply.status, 200, 'the proxy routes the user\'s host to the adopted server');
    await second.hub.servers.stop((await getUserByName(second.hub.db!, 'ada'))!, '');
  } finally {
    await second.stop();
  }
});
