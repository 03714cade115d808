/**
 * JupyterHub.tornado_settings and JupyterHub.extra_handlers with real hubs started from a JS config file:
 * headers and the Content-Security-Policy on pages, API answers and extra handlers; cookie_options and
 * xsrf_cookie_kwargs in the Set-Cookie lines of a real login; extra handlers served under /hub/ after hub's own
 * routes, with decoded groups, the caller, and a 500 for one that throws; slow_spawn_timeout, slow_stop_timeout
 * and spawn_throttle_retry_range with real spawns of a slow stand-in server; user_redirect_limit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { chmod, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildStandin } from '../../bench/standin/standin.js';
import { createToken } from '../../src/daemon/db/tokens-repo.js';
import { insertUsers } from '../../src/daemon/db/users-repo.js';
import type { ServerManager } from '../../src/daemon/spawner/server-manager.js';
import { HttpBrowser } from '../helpers/browser.js';
import { tempDir } from '../helpers/cli.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';

async function hubWithConfig(config: string, opts: { withProxy?: boolean; files?: Record<string, string> } = {}): Promise<TestHub> {
  const dir = await tempDir();
  await writeFile(path.join(dir, 'hub.config.mjs'), config);
  for (const [name, text] of Object.entries(opts.files ?? {})) await writeFile(path.join(dir, name), text);
  return startTestHub({ dir, withProxy: opts.withProxy ?? false, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
}

const HANDLERS_CONFIG = `
export default {
  JupyterHub: {
    authenticator_class: 'dummy',
    tornado_settings: {
      headers: { 'X-Custom-Header': 'hello', 'Content-Security-Policy': "frame-ancestors 'none'", 'X-JupyterHub-Version': 'mine' },
      cookie_options: { SameSite: 'strict', expires_days: 2 },
      xsrf_cookie_kwargs: { samesite: 'None', secure: true },
    },
    extra_handlers: [
      ['/my-page/([^/]+)', async (req, res, match, hub) => {
        const user = await hub.currentUser();
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ arg: match[1], whole: match[0], user: user && user.name, kind: user && user.kind, method: req.method, prefix: hub.hubPrefix }));
      }],
      ['/boom', () => { throw new Error('boom on purpose'); }],
      ['api/boom', async () => { throw new Error('api boom on purpose'); }],
      ['^/named/(?P<word>[a-z]+)$', (req, res, match) => { res.end('word=' + match.groups.word); }],
      ['/no-end', (req, res) => { res.statusCode = 204; }],
      ['/login', (req, res) => { res.end('shadowed'); }],
    ],
  },
};
`;

test('headers, CSP and X-JupyterHub-Version from tornado_settings on pages, API and extra handlers', async () => {
  const t = await hubWithConfig(HANDLERS_CONFIG);
  try {
    const b = new HttpBrowser(new URL(t.status.hub_url).origin);
    for (const target of ['/hub/login', '/hub/api/', '/hub/api/nope', '/hub/my-page/1', '/hub/nope']) {
      const r = await b.get(target);
      assert.equal(r.headers['x-custom-header'], 'hello', target);
      assert.equal(r.headers['content-security-policy'], "frame-ancestors 'none'", `${target}: the configured CSP replaces hub's`);
      assert.equal(r.headers['x-jupyterhub-version'], 'mine', target);
      assert.equal(r.headers['access-control-allow-headers'], 'accept, content-type, authorization', target);
    }
  } finally {
    await t.stop();
  }
});

test("without tornado_settings.headers: JupyterHub's default CSP (default-src 'none' on the API), csp_report_uri honoured", async () => {
  const t = await hubWithConfig(`export default { JupyterHub: { authenticator_class: 'dummy', tornado_settings: { csp_report_uri: '/reports/csp' } } };`);
  try {
    const b = new HttpBrowser(new URL(t.status.hub_url).origin);
    const page = await b.get('/hub/login');
    assert.equal(page.headers['content-security-policy'], "frame-ancestors 'self'; report-uri /reports/csp");
    const api = await b.get('/hub/api/');
    assert.equal(api.headers['content-security-policy'], "frame-ancestors 'self'; report-uri /reports/csp; default-src 'none'");
    assert.equal(api.headers['x-jupyterhub-version'], '3.0.0');
    assert.equal(api.headers['x-custom-header'], undefined);
  } finally {
    await t.stop();
  }
});

test('cookie_options reach the login and session cookies of a real login, xsrf_cookie_kwargs the _xsrf cookie', async () => {
  const t = await hubWithConfig(HANDLERS_CONFIG);
  try {
    const b = new HttpBrowser(new URL(t.status.hub_url).origin);
    const login = await b.login('/hub/', 'kim', 'x');
    assert.equal(login.status, 302);
    const lines = ([] as string[]).concat(login.headers['set-cookie'] ?? []);
    const hubLogin = lines.find((l) => l.startsWith('jupyterhub-hub-login='));
    const session = lines.find((l) => l.startsWith('jupyterhub-session-id='));
    assert.ok(hubLogin && session, lines.join('\n'));
    for (const line of [hubLogin, session]) {
      assert.match(line, /; SameSite=Strict(;|$)/, line);
      assert.doesNotMatch(line, /SameSite=Lax/, line);
      // expires_days: tornado sets Expires (and no Max-Age, which browsers would prefer).
      const expires = Date.parse(/; Expires=([^;]+)/.exec(line)?.[1] ?? '');
      assert.ok(Math.abs(expires - (Date.now() + 2 * 86_400_000)) < 60_000, line);
      assert.doesNotMatch(line, /Max-Age/, line);
    }
    assert.match(hubLogin, /; Path=\/hub\/;/, 'cookie_options cannot move the login cookie');
    const xsrf = b.cookie('_xsrf');
    assert.ok(xsrf);
    assert.match(xsrf.attributes, /SameSite=None/);
    assert.match(xsrf.attributes, /Secure/);
    // The cookie still logs in: the signature was not touched.
    assert.equal((await b.get('/hub/home')).status, 200);
  } finally {
    await t.stop();
  }
});

test('extra_handlers: served under /hub/ after hub routes, anchored, groups decoded, the caller known, errors a 500', async () => {
  const t = await hubWithConfig(HANDLERS_CONFIG);
  try {
    const origin = new URL(t.status.hub_url).origin;
    const b = new HttpBrowser(origin);
    const anon = await b.get('/hub/my-page/a%20b');
    assert.equal(anon.status, 200);
    assert.deepEqual(JSON.parse(anon.text), { arg: 'a b', whole: '/my-page/a%20b', user: null, kind: null, method: 'GET', prefix: '/hub/' });
    assert.equal((await b.request('POST', '/hub/my-page/x')).status, 200, 'every method reaches the handler');
    assert.equal((await b.get('/hub/my-page/a/b')).status, 404, 'anchored at the end');
    assert.equal((await b.get('/hub/xmy-page/a')).status, 404, 'anchored at the start');
    assert.equal((await b.get('/my-page/a')).status, 302, 'outside /hub/ the prefix redirect answers, not the handler');
    assert.equal((await b.get('/hub/named/hello')).text, 'word=hello', "Python's (?P<name>...) groups work");
    const noEnd = await b.get('/hub/no-end');
    assert.equal(noEnd.status, 204, 'a handler that returns without ending the answer is finished by the hub');
    const shadowed = await b.get('/hub/login');
    assert.equal(shadowed.status, 200);
    assert.match(shadowed.text, /<form/, "hub's own /hub/login comes first, as JupyterHub's default handlers do");

    assert.equal((await b.login('/hub/', 'kim', 'x')).status, 302);
    const asKim = JSON.parse((await b.get('/hub/my-page/1')).text) as Record<string, unknown>;
    assert.equal(asKim.user, 'kim');
    assert.equal(asKim.kind, 'user');
    const [root] = await insertUsers(t.hub.db!, ['root'], true);
    assert.ok(root);
    const token = (await createToken(t.hub.db!, { userId: root.id })).token;
    const withToken = await new HttpBrowser(origin).get('/hub/my-page/2', { authorization: `token ${token}` });
    assert.equal((JSON.parse(withToken.text) as Record<string, unknown>).user, 'root');

    const boom = await b.get('/hub/boom');
    assert.equal(boom.status, 500);
    assert.match(String(boom.headers['content-type']), /text\/html/);
    assert.equal(boom.headers['x-custom-header'], 'hello');
    assert.ok(t.logs.some((l) => l.startsWith('ERROR') && l.includes('JupyterHub.extra_handlers[1] (/boom)') && l.includes('boom on purpose')), t.logs.join('\n'));
    const apiBoom = await b.get('/hub/api/boom');
    assert.equal(apiBoom.status, 500);
    assert.deepEqual(JSON.parse(apiBoom.text), { status: 500, message: 'internal error; see the hub log' });
    assert.equal((await b.get('/hub/api/')).status, 200, 'the hub keeps serving');
  } finally {
    await t.stop();
  }
});

test('user_redirect_limit: the redirect-loop guard of /hub/user/... counts to the configured limit', async () => {
  const t = await hubWithConfig(`export default { JupyterHub: { authenticator_class: 'dummy', tornado_settings: { user_redirect_limit: 2 } } };`);
  try {
    // A server that is running as far as the hub knows, yet the proxy never routes to it: the loop case.
    const ready: ServerManager = {
      runtime: () => ({ pending: null, ready: true, stopped: false, state: {} }),
      start: async () => 'ready',
      stop: async () => 'stopped',
      progress: async function* () { /* no events */ },
      stopAll: async () => undefined,
    };
    t.hub.servers = ready;
    const b = new HttpBrowser(new URL(t.status.hub_url).origin);
    assert.equal((await b.login('/hub/', 'kim', 'x')).status, 302);
    const again = await b.get('/hub/user/kim/lab?redirects=1');
    assert.equal(again.status, 302, 'below the limit: back to the server URL');
    assert.equal(again.headers.location, '/user/kim/lab?redirects=2');
    const loop = await b.get('/hub/user/kim/lab?redirects=2');
    assert.equal(loop.status, 500, 'at the limit (JupyterHub would allow 4)');
    assert.match(loop.text, /Redirect loop detected/);
  } finally {
    await t.stop();
  }
});

/** The spawn's progress stream, read to its end (it ends when the server is ready or failed). */
function progressEnd(url: string, token: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get(url, { headers: { authorization: `token ${token}` } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve(text));
    }).on('error', reject);
  });
}

async function api(t: TestHub, method: string, p: string, token: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string; ms: number }> {
  const t0 = Date.now();
  const url = new URL(`${t.status.hub_url}api${p}`);
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: { authorization: `token ${token}` } }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, ms: Date.now() - t0 }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('slow_spawn_timeout, slow_stop_timeout and spawn_throttle_retry_range with real, slow spawns', { timeout: 120_000 }, async () => {
  const dir = await tempDir();
  const standin = await buildStandin();
  const script = path.join(dir, 'slow-spawn.sh');
  // 3 s before the server listens: longer than slow_spawn_timeout (0.5 s), shorter than JupyterHub's default 10 s.
  await writeFile(script, `#!/bin/sh\nsleep 3\nexec ${standin}\n`);
  await chmod(script, 0o755);
  const t = await hubWithConfig(`
export default {
  JupyterHub: {
    spawner_class: 'simple',
    authenticator_class: 'dummy',
    concurrent_spawn_limit: 5,
    tornado_settings: { slow_spawn_timeout: 0.5, slow_stop_timeout: 0, spawn_throttle_retry_range: [95, 95], concurrent_spawn_limit: 1 },
  },
  Spawner: { cmd: [${JSON.stringify(script)}] },
  SimpleLocalProcessSpawner: { home_dir_template: ${JSON.stringify(path.join(dir, 'home', '{username}'))} },
};
`, { withProxy: true });
  try {
    assert.ok(t.logs.some((l) => l.includes('JupyterHub.tornado_settings.concurrent_spawn_limit overrides JupyterHub.concurrent_spawn_limit: 1 instead of the configured 5')), t.logs.join('\n'));
    const [root] = await insertUsers(t.hub.db!, ['root'], true);
    assert.ok(root);
    await insertUsers(t.hub.db!, ['ann', 'bob'], false);
    const token = (await createToken(t.hub.db!, { userId: root.id })).token;

    const started = await api(t, 'POST', '/users/ann/server', token);
    assert.equal(started.status, 202, 'answered pending after slow_spawn_timeout, not after the 3 s spawn');
    assert.ok(started.ms < 2500, `answered after ${started.ms} ms`);
    assert.ok(t.logs.some((l) => l.includes('User ann is slow to start (timeout=0.5)')));
    // UserUrlHandler while the spawn is pending: a page goes to spawn-pending (303, back to this path when ready);
    // an API request fails at once with 424 rather than a redirect to a page.
    const hubUser = `${t.status.hub_url}user/ann`;
    const pagePending = await fetch(`${hubUser}/tree?x=1`, { headers: { authorization: `token ${token}` }, redirect: 'manual' });
    assert.equal(pagePending.status, 303);
    assert.equal(pagePending.headers.get('location'), `${new URL(t.status.hub_url).pathname}spawn-pending/ann?next=${encodeURIComponent('/user/ann/tree?x=1')}`);
    const apiPending = await fetch(`${hubUser}/api/contents`, { headers: { authorization: `token ${token}` }, redirect: 'manual' });
    assert.equal(apiPending.status, 424);

    // concurrent_spawn_limit 1 (from tornado_settings) while ann's spawn is pending: bob is throttled.
    const throttled = await api(t, 'POST', '/users/bob/server', token);
    assert.equal(throttled.status, 429);
    assert.equal(throttled.headers['retry-after'], '95');
    assert.match(throttled.body, /Try again in 2 minutes\./);
    const browser = new HttpBrowser(new URL(t.status.hub_url).origin);
    assert.equal((await browser.login('/hub/', 'carl', 'x')).status, 302);
    const page = await browser.get('/hub/spawn');
    assert.equal(page.status, 429, 'the spawn page is throttled too');
    assert.equal(page.headers['retry-after'], '95');

    const progress = await progressEnd(`${t.status.hub_url}api/users/ann/server/progress`, token);
    assert.match(progress, /"ready": ?true/);
    const stopped = await api(t, 'DELETE', '/users/ann/server', token);
    assert.equal(stopped.status, 202, 'slow_stop_timeout 0: the stop is answered before it completes');
  } finally {
    await t.stop();
  }
});
