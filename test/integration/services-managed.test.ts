/**
 * JupyterHub.services with real parts: JupyterHub's own whoami-oauth example service (Python, jupyterhub.services
 * .auth from Debian's jupyterhub) started by the hub as a managed service, reached through the hub's proxy at
 * /services/whoami/. It gets the JupyterHub environment, its generated token works against the API, a person
 * logs in to it through the hub's OAuth provider, it is restarted when killed and stopped with the hub. Under
 * internal_ssl it runs as a unix user with a notebooks-ca certificate in that user's home, serves https with
 * client certificates required, and talks to the hub over mutual TLS. An external service gets its route. In
 * Chromium: whoami-oauth run beside the hub as an admin runs an external service, the confirm page, the Services
 * menu, an admin service's API calls, a service that is down, and logout revoking the service's access.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile, stat } from 'node:fs/promises';
import knex from 'knex';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { startTestHub, request, type TestHub } from '../helpers/hub.js';
import { HttpBrowser, launchChromium } from '../helpers/browser.js';
import { ROOT, tempDir } from '../helpers/cli.js';
import { freePort } from '../helpers/proxy-http.js';
import { createUnixUser } from '../helpers/unix-user.js';
import { pidAlive } from '../../src/daemon/spawner/kill-sequence.js';

const WHOAMI = path.join(ROOT, 'test', 'fixtures', 'whoami_service.py');

async function hubWithServices(services: unknown[], overrides: string[] = []): Promise<TestHub> {
  const dir = await tempDir();
  await writeFile(path.join(dir, 'hub.yml'), JSON.stringify({ JupyterHub: { authenticator_class: 'dummy', services } }));
  return startTestHub({ dir, withProxy: true, overrides, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
}

async function serviceModel(t: TestHub, name: string): Promise<Record<string, unknown>> {
  const r = await request({ socketPath: t.status.socket, path: `/hub/api/services/${name}` });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body as Record<string, unknown>;
}

async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, { redirect: 'manual' });
  const text = await res.text();
  return { status: res.status, body: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : { text } };
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Follows redirects by hand (the cookie jar sees every hop) until a non-redirect answer. */
async function follow(b: HttpBrowser, start: string): Promise<{ status: number; text: string; hops: string[] }> {
  const hops: string[] = [];
  let at = start;
  for (let i = 0; i < 8; i++) {
    const r = await b.get(at);
    if (r.status !== 302 && r.status !== 303) return { status: r.status, text: r.text, hops };
    at = new URL(String(r.headers.location), new URL(at, b.origin)).toString().replace(b.origin, '');
    hops.push(at);
  }
  throw new Error(`too many redirects: ${hops.join(' -> ')}`);
}

test('a managed service: environment, its own token, OAuth login through the hub, restart when killed, stopped with the hub', { timeout: 120_000 }, async () => {
  const port = await freePort();
  const t = await hubWithServices([
    { name: 'whoami', url: `http://127.0.0.1:${port}`, command: ['/usr/bin/python3', WHOAMI], environment: { EXTRA: 'from-config' }, oauth_no_confirm: true },
  ], [`JupyterHub.load_roles=${JSON.stringify([{ name: 'whoami-users', scopes: ['access:services!service=whoami'], users: ['ada'] }])}`]);
  let pid = 0;
  try {
    const origin = t.status.public_url.replace(/\/$/, '');
    const model = await serviceModel(t, 'whoami');
    pid = Number(model.pid);
    assert.ok(pid > 0 && pidAlive(pid), `the service runs: ${JSON.stringify(model)}`);
    assert.deepEqual(model.command, ['/usr/bin/python3', WHOAMI]);
    assert.equal(model.prefix, '/services/whoami/');

    const env = await getJson(`${origin}/services/whoami/env`);
    assert.equal(env.status, 200, JSON.stringify(env.body));
    assert.equal(env.body.JUPYTERHUB_SERVICE_NAME, 'whoami');
    assert.equal(env.body.JUPYTERHUB_SERVICE_URL, `http://127.0.0.1:${port}`);
    assert.equal(env.body.JUPYTERHUB_SERVICE_PREFIX, '/services/whoami/');
    assert.equal(env.body.JUPYTERHUB_CLIENT_ID, 'service-whoami');
    assert.equal(env.body.JUPYTERHUB_API_URL, `${t.status.hub_url}api`);
    assert.equal(env.body.JUPYTERHUB_OAUTH_CALLBACK_URL, '/services/whoami/oauth_callback');
    assert.deepEqual(JSON.parse(String(env.body.JUPYTERHUB_OAUTH_ACCESS_SCOPES)), ['access:services', 'access:services!service=whoami']);
    assert.equal(env.body.EXTRA, 'from-config');
    assert.equal(env.body.JUPYTERHUB_ACTIVITY_URL, undefined, 'services get no activity URL');
    assert.equal(typeof env.body.JUPYTERHUB_API_TOKEN, 'string');
    assert.equal(env.body.JUPYTERHUB_API_TOKEN, env.body.JPY_API_TOKEN);
    assert.ok(!t.logs.some((l) => l.includes(String(env.body.JUPYTERHUB_API_TOKEN))), 'the generated token is never logged');

    const me = await getJson(`${origin}/services/whoami/me`);
    assert.equal(me.status, 200, JSON.stringify(me.body));
    assert.equal(me.body.kind, 'service');
    assert.equal(me.body.name, 'whoami');

    // As in JupyterHub 3.0, the default user role holds no access:services: bob is refused, ada has a role for it.
    const bob = new HttpBrowser(origin);
    assert.equal((await bob.login('/hub/', 'bob', 'any')).status, 302);
    const refused = await follow(bob, '/services/whoami/');
    assert.equal(refused.status, 403, refused.text);
    assert.match(refused.text, /You do not have permission to access JupyterHub service whoami/);

    const b = new HttpBrowser(origin);
    const login = await b.login('/hub/', 'ada', 'any');
    assert.equal(login.status, 302, login.text);
    const page = await follow(b, '/services/whoami/');
    assert.equal(page.status, 200, `${page.text}\n${page.hops.join('\n')}`);
    assert.ok(page.hops.some((h) => h.startsWith('/hub/api/oauth2/authorize?client_id=service-whoami')), page.hops.join('\n'));
    assert.ok(page.hops.some((h) => h.startsWith('/services/whoami/oauth_callback?code=')), page.hops.join('\n'));
    const user = JSON.parse(page.text) as Record<string, unknown>;
    assert.equal(user.name, 'ada');
    assert.deepEqual([...(user.scopes as string[])].filter((s) => s.startsWith('access:services')), ['access:services!service=whoami']);

    process.kill(pid, 'SIGKILL');
    const second = await waitFor('the service to be restarted', async () => {
      const p = Number((await serviceModel(t, 'whoami')).pid);
      return p > 0 && p !== pid && (await getJson(`${origin}/services/whoami/env`)).status === 200 ? p : undefined;
    });
    assert.ok(t.logs.some((l) => /Service whoami exited with signal SIGKILL; restarting/.test(l)), t.logs.join('\n'));
    pid = second;
  } finally {
    await t.stop();
  }
  assert.equal(pidAlive(pid), false, 'the managed service is stopped with the hub');
});

test('internal_ssl: a managed service running as a unix user gets its own certificate and speaks mutual TLS both ways', { timeout: 120_000 }, async () => {
  const account = await createUnixUser();
  const port = await freePort();
  const t = await hubWithServices(
    [{ name: 'secure', url: `https://127.0.0.1:${port}`, command: ['/usr/bin/python3', WHOAMI], user: account.name, cwd: '/tmp' }],
    ['JupyterHub.internal_ssl=true'],
  );
  try {
    const origin = t.status.public_url.replace(/\/$/, '');
    const env = await getJson(`${origin}/services/secure/env`);
    assert.equal(env.status, 200, JSON.stringify(env.body));
    assert.equal(env.body.uid, account.uid);
    assert.equal(env.body.USER, account.name);
    assert.equal(env.body.HOME, account.home);
    assert.equal(env.body.cwd, '/tmp');
    const certDir = path.join(account.home, '.jupyterhub', 'jupyterhub-certs');
    assert.equal(path.dirname(String(env.body.JUPYTERHUB_SSL_KEYFILE)), certDir);
    const dirStat = await stat(certDir);
    assert.equal(dirStat.uid, account.uid);
    assert.equal(dirStat.mode & 0o777, 0o700);
    assert.match(String(env.body.JUPYTERHUB_SSL_CLIENT_CA), /notebooks-ca_trust\.crt$/);

    // The service reaches the hub's https API with its certificate.
    const me = await getJson(`${origin}/services/secure/me`);
    assert.equal(me.status, 200, JSON.stringify(me.body));
    assert.equal(me.body.name, 'secure');

    // Without a client certificate the service refuses the connection.
    const refused = await new Promise<string>((resolve) => {
      const req = https.get({ host: '127.0.0.1', port, path: '/services/secure/env', rejectUnauthorized: false }, (res) => {
        res.resume();
        resolve(`answered ${res.statusCode ?? 0}`);
      });
      req.on('error', (err) => resolve(`refused: ${err.message}`));
    });
    assert.match(refused, /^refused/);
  } finally {
    await t.stop();
    await account.remove();
  }
});

test('an external service with a url is routed at /services/<name>/ and is not started by the hub', { timeout: 60_000 }, async () => {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req.url ?? '');
    res.end('external ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  const t = await hubWithServices([{ name: 'ext', url: `http://127.0.0.1:${port}`, api_token: 'e'.repeat(40) }]);
  try {
    const res = await fetch(`${t.status.public_url.replace(/\/$/, '')}/services/ext/some/page?x=1`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'external ok');
    assert.ok(seen.includes('/services/ext/some/page?x=1'), seen.join(', '));
    const model = await serviceModel(t, 'ext');
    assert.equal(model.pid, 0);
    assert.deepEqual(model.command, []);
    const routes = await request({ socketPath: t.status.socket, path: '/hub/api/proxy' });
    const route = (routes.body as Record<string, { routespec?: string; target?: string; data?: Record<string, unknown> }>)['/services/ext/'];
    assert.equal(route?.routespec, '/services/ext/', JSON.stringify(routes.body));
    assert.equal(route?.target, `http://127.0.0.1:${port}`);
    assert.deepEqual(route?.data?.service, 'ext');
  } finally {
    await t.stop();
    server.close();
  }
});

test('service_tokens: a token for a configured service, and one for a service not in services, created implicitly as JupyterHub does', { timeout: 60_000 }, async () => {
  const known = 'known-service-token-0123456789abcdef';
  const loose = 'implicit-service-token-0123456789abcdef';
  const dir = await tempDir();
  const whoami = async (t: TestHub, token: string): Promise<{ status: number; body: Record<string, unknown> }> => {
    const r = await request({ url: `${t.status.hub_url}api/user`, headers: { authorization: `token ${token}` } });
    return { status: r.status, body: r.body as Record<string, unknown> };
  };
  await writeFile(path.join(dir, 'hub.yml'), JSON.stringify({ JupyterHub: {
    authenticator_class: 'dummy',
    services: [{ name: 'known' }],
    service_tokens: { [known]: 'known', [loose]: 'loose' },
    load_roles: [{ name: 'user-lister', scopes: ['list:users'], services: ['loose'] }],
  } }));
  const t = await startTestHub({ dir, withProxy: true });
  try {
    assert.ok(t.logs.some((l) => l.includes("Warning: service 'loose' not in services, creating implicitly. It is recommended to register services using services list.")), t.logs.join('\n'));
    assert.ok(!t.logs.some((l) => l.includes("service 'known' not in services")));
    for (const [token, name] of [[known, 'known'], [loose, 'loose']] as const) {
      const me = await whoami(t, token);
      assert.equal(me.status, 200, JSON.stringify(me.body));
      assert.equal(me.body.kind, 'service');
      assert.equal(me.body.name, name);
    }
    assert.equal((await request({ url: `${t.status.hub_url}api/users`, headers: { authorization: `token ${loose}` } })).status, 200, 'load_roles reaches the implicit service');
    const list = await request({ socketPath: t.status.socket, path: '/hub/api/services' });
    assert.deepEqual(Object.keys(list.body as Record<string, unknown>), ['known'], 'GET /services lists the configured services only, as JupyterHub');
  } finally {
    await t.stop();
  }
  // Gone from service_tokens: the implicit service goes at the next start, and its token with it.
  await writeFile(path.join(dir, 'hub.yml'), JSON.stringify({ JupyterHub: { authenticator_class: 'dummy', services: [{ name: 'known' }], service_tokens: { [known]: 'known' } } }));
  const again = await startTestHub({ dir, withProxy: true });
  try {
    assert.equal((await whoami(again, known)).status, 200);
    assert.equal((await whoami(again, loose)).status, 403);
    assert.equal(await again.hub.db!('services').where({ name: 'loose' }).first('id'), undefined);
  } finally {
    await again.stop();
  }
});

test('service_check_interval: a service with a url that does not answer is reported at start and at every check; 0 turns the checks off', { timeout: 60_000 }, async () => {
  const port = await freePort();
  for (const every of [1, 0]) {
    const t = await hubWithServices([{ name: 'down', url: `http://127.0.0.1:${port}` }], [`JupyterHub.service_check_interval=${every}`]);
    try {
      const complaints = (): number => t.logs.filter((l) => l.includes(`Cannot connect to external service down at http://127.0.0.1:${port}`)).length;
      assert.equal(complaints(), 1, 'the check at start');
      await new Promise((r) => setTimeout(r, 2600));
      if (every === 1) assert.ok(complaints() >= 2, `checked again every second: ${complaints()}`);
      else assert.equal(complaints(), 1, 'no periodic checks');
    } finally {
      await t.stop();
    }
  }
});

test('a managed service whose command cannot run stops the start with a clear error', { timeout: 60_000 }, async () => {
  await assert.rejects(hubWithServices([{ name: 'broken', command: ['/nonexistent/program'] }]), (err: Error) => {
    assert.match(err.message, /cannot start service broken \(\/nonexistent\/program\): .*ENOENT/);
    return true;
  });
});

test('a service left running by a hub that was killed is stopped before it is started again', { timeout: 60_000 }, async () => {
  const services = [{ name: 'sleeper', command: ['/bin/sleep', '1000'] }];
  const first = await hubWithServices(services);
  await first.stop();
  // What a kill -9 of the hub leaves: the process, and its pid in the services row.
  const leftover = spawn('/bin/sleep', ['1000'], { detached: true, stdio: 'ignore' });
  leftover.unref();
  const unrelated = spawn('/bin/sleep', ['999'], { detached: true, stdio: 'ignore' });
  unrelated.unref();
  const db = knex({ client: 'sqlite3', connection: { filename: path.join(first.dir, 'hub.sqlite') }, useNullAsDefault: true });
  await db('services').where({ name: 'sleeper' }).update({ pid: leftover.pid });
  await db.destroy();
  const t = await startTestHub({ dir: first.dir, withProxy: true, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  try {
    assert.equal(pidAlive(leftover.pid ?? -1), false, 'the leftover is gone');
    assert.ok(t.logs.some((l) => l.includes(`Service sleeper is still running from an earlier hub (pid ${leftover.pid ?? -1})`)), t.logs.join('\n'));
    const model = await serviceModel(t, 'sleeper');
    assert.ok(Number(model.pid) > 0 && Number(model.pid) !== leftover.pid);
  } finally {
    await t.stop();
  }
  // A pid that now belongs to another program is left alone.
  const again = knex({ client: 'sqlite3', connection: { filename: path.join(first.dir, 'hub.sqlite') }, useNullAsDefault: true });
  await again('services').where({ name: 'sleeper' }).update({ pid: unrelated.pid });
  await again.destroy();
  const t2 = await startTestHub({ dir: first.dir, withProxy: true, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  await t2.stop();
  assert.equal(pidAlive(unrelated.pid ?? -1), true, 'another program with a recycled pid is not touched');
  process.kill(unrelated.pid ?? -1, 'SIGKILL');
});

test('a managed service whose url has port 0 gets a free port: it serves there, the proxy routes there and the API shows it', { timeout: 60_000 }, async () => {
  const t = await hubWithServices([
    { name: 'zero', url: 'http://127.0.0.1:0', command: ['/usr/bin/python3', WHOAMI] },
  ]);
  try {
    const model = await serviceModel(t, 'zero');
    const url = String(model.url);
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.notEqual(new URL(url).port, '0');
    const routes = await t.hub.proxy!.client.getAllRoutes();
    assert.equal((routes['/services/zero/'] as { target: string } | undefined)?.target, url);
    const list = await request({ socketPath: t.status.socket, path: '/hub/api/services' });
    assert.equal(((list.body as Record<string, { url: string }>).zero)?.url, url);
    // The service itself listens there (JUPYTERHUB_SERVICE_URL carries the port it got).
    const env = await waitFor('the service answering', async () => {
      const r = await getJson(`${url}/services/zero/env`);
      return r.status === 200 ? r.body : undefined;
    });
    assert.equal(env.JUPYTERHUB_SERVICE_URL, url);
  } finally {
    await t.stop();
  }
});

/** whoami-oauth started by hand, as an admin runs an external service: the env its docs list, nothing more. */
async function startExternalWhoami(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn('/usr/bin/python3', [WHOAMI], { env: { PATH: '/usr/bin:/bin', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`whoami exited with ${code ?? 'a signal'}`)));
    child.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('listening')) resolve();
    });
  });
  return child;
}

test('whoami-oauth in Chromium: an external service (url + api_token) with the confirm page, the Services menu, an admin service, a service that is down, logout', { timeout: 120_000 }, async () => {
  const port = await freePort();
  const extToken = 'ext-token-'.padEnd(40, 'x');
  const admToken = 'adm-token-'.padEnd(40, 'y');
  const t = await hubWithServices([
    { name: 'ext', url: `http://127.0.0.1:${port}`, api_token: extToken, info: { description: 'who am i' } },
    { name: 'adm', admin: true, url: 'http://127.0.0.1:0', api_token: admToken, command: ['/usr/bin/python3', WHOAMI] },
    { name: 'hidden', url: 'http://127.0.0.1:9', display: false },
  ], [`JupyterHub.load_roles=${JSON.stringify([{ name: 'ext-users', scopes: ['access:services!service=ext'], users: ['ada'] }])}`]);
  const origin = t.status.public_url.replace(/\/$/, '');
  const ext = await startExternalWhoami({
    JUPYTERHUB_API_TOKEN: extToken, JUPYTERHUB_API_URL: `${t.status.hub_url}api`, JUPYTERHUB_SERVICE_NAME: 'ext',
    JUPYTERHUB_SERVICE_URL: `http://127.0.0.1:${port}`, JUPYTERHUB_SERVICE_PREFIX: '/services/ext/', JUPYTERHUB_CLIENT_ID: 'service-ext',
  });
  const browser = await launchChromium();
  try {
    const { page, context } = browser;
    const cookies = async (): Promise<Map<string, { path: string; httpOnly: boolean }>> => new Map((await context.cookies()).map((c) => [c.name, c]));

    // The OAuth dance: the service sends the browser to authorize, the hub to its login page.
    await page.goto(`${origin}/services/ext/`);
    assert.match(new URL(page.url()).searchParams.get('next') ?? '', /^\/hub\/api\/oauth2\/authorize\?client_id=service-ext&/, page.url());
    assert.equal((await cookies()).get('service-ext-oauth-state')?.path, '/services/ext/');
    await page.fill('#username_input', 'ada');
    await page.fill('#password_input', 'any');
    await Promise.all([page.waitForURL(/\/hub\/api\/oauth2\/authorize\?/), page.click('#login_submit')]);
    // No oauth_no_confirm: the confirm page names the service and what it may do.
    assert.match(await page.textContent('main') ?? '', /JupyterHub service ext \(oauth URL: \/services\/ext\/oauth_callback\) would like permission to identify you/);
    await Promise.all([page.waitForURL(`${origin}/services/ext/`), page.click('input[type=submit]')]);
    const ada = JSON.parse(await page.textContent('body') ?? '') as { name: string; scopes: string[] };
    assert.equal(ada.name, 'ada');
    assert.ok(ada.scopes.includes('access:services!service=ext'), ada.scopes.join(' '));
    const jar = await cookies();
    assert.equal(jar.get('service-ext')?.path, '/services/ext/');
    assert.equal(jar.get('service-ext')?.httpOnly, true);
    assert.equal(jar.has('service-ext-oauth-state'), false, 'the state cookie is spent');

    // The Services menu of every page: services with a url and display true, in config order.
    await page.goto(`${origin}/hub/home`);
    const menu = await page.$$eval('.dropdown-menu a', (as) => as.map((a) => [a.textContent, a.getAttribute('href')]));
    assert.deepEqual(menu, [['ext', '/services/ext/'], ['adm', '/services/adm/']]);
    await page.click('details.dropdown summary');
    await Promise.all([page.waitForURL(`${origin}/services/ext/`), page.click('.dropdown-menu a >> text=ext')]);
    assert.equal((JSON.parse(await page.textContent('body') ?? '') as { name: string }).name, 'ada', 'authorized once: no second confirm');

    // A service that is down: the proxy's 503 with the hub's error page (its error_target).
    const down = await page.goto(`${origin}/services/hidden/`);
    assert.equal(down?.status(), 503);
    assert.match(await page.textContent('main') ?? '', /503 : Service Unavailable/);

    // The admin service, managed, gets its api_token from the config and calls the API with HubAuth.
    const admEnv = await getJson(`${origin}/services/adm/env`);
    assert.equal(admEnv.body.JUPYTERHUB_API_TOKEN, admToken);
    const users = await fetch(`${origin}/services/adm/users`);
    assert.equal(users.status, 200);
    assert.ok(((await users.json()) as string[]).includes('ada'));
    const list = (await request({ socketPath: t.status.socket, path: '/hub/api/services' })).body as Record<string, Record<string, unknown>>;
    assert.deepEqual({ ...list.ext }, { kind: 'service', name: 'ext', roles: [], admin: false, url: `http://127.0.0.1:${port}`, prefix: '/services/ext/', command: [], pid: 0, info: { description: 'who am i' }, display: true });
    assert.deepEqual(list.adm?.roles, ['admin']);
    assert.equal(list.adm?.admin, true);
    assert.equal(list.hidden?.display, false);

    // Logging out of the hub revokes the service's token: the next visit starts the dance again.
    await page.goto(`${origin}/hub/home`);
    await Promise.all([page.waitForURL(/\/hub\/login/), page.click('#logout')]);
    await page.goto(`${origin}/services/ext/`);
    assert.match(page.url(), /\/hub\/login\?next=%2Fhub%2Fapi%2Foauth2%2Fauthorize/);

    // bob lacks access:services!service=ext: the hub's error page, as JupyterHub's authorize handler renders it.
    await page.fill('#username_input', 'bob');
    await page.fill('#password_input', 'any');
    const [refused] = await Promise.all([page.waitForResponse((r) => r.url().includes('/hub/api/oauth2/authorize?')), page.click('#login_submit')]);
    assert.equal(refused.status(), 403);
    await page.waitForSelector('main h1');
    assert.equal(await page.textContent('main h1'), '403 : Forbidden');
    assert.match(await page.textContent('main') ?? '', /You do not have permission to access JupyterHub service ext/);
  } finally {
    await browser.close();
    ext.kill();
    await t.stop();
  }
});
