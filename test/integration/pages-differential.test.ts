/**
 * The browser side, request by request, against the REAL JupyterHub 3.0 and against hub, both behind their proxy,
 * with base_url `/` and `/prefix/`: dummy authenticator with a password, the simple spawner running the stand-in
 * server (bench/standin), named servers on. A cookie-keeping client that follows no redirect compares status codes,
 * Location headers, the media type of what is not a redirect (an HTML page or JSON), and which cookies are set or
 * cleared at which path. Pages are hub's own templates, so their HTML is not compared, nor cookie attributes beyond
 * the path (hub adds SameSite=Lax and says Max-Age where JupyterHub says expires), nor hub's own `_xsrf` cookie
 * (its pages set it for their forms; logout clears it beside the single-user server's at `/`, which JupyterHub clears). Deliberate differences (README, "How hub differs") are left out: a login-cookie API
 * request without a Referer.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildStandin } from '../../bench/standin/standin.js';
import { HttpBrowser, type PageResponse } from '../helpers/browser.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { jupyterhubInstalled, startJupyterHub, type RunningJupyterHub } from '../helpers/jupyterhub-server.js';

const TOKEN = 'pages-differential-admin-token-0123';

interface Step {
  /** Whose browser: a named one keeps its cookies from step to step; `fresh` is a new one for this step only. */
  who: 'anon' | 'alice' | 'admin' | 'fresh';
  name: string;
  run: (b: HttpBrowser, p: { base: string; hub: string }) => Promise<PageResponse>;
}

const json = (b: HttpBrowser, hub: string, page: string): Record<string, string> => ({ 'content-type': 'application/json', referer: `${b.origin}${hub}${page}` });

/** The login form as a script written against JupyterHub 3.0 posts it: no _xsrf, no Origin, no Referer. */
const login = (b: HttpBrowser, hub: string, user: string, password: string, next?: string): Promise<PageResponse> =>
  b.post(`${hub}login${next === undefined ? '' : `?next=${encodeURIComponent(next)}`}`, { username: user, password });

const get = (who: Step['who'], page: string): Step => ({ who, name: `GET ${page}`, run: (b, p) => b.get(p.base + page) });

const STEPS: readonly Step[] = [
  ...['', 'hub', 'hub/', 'hub/home', 'hub/token', 'hub/admin', 'hub/spawn', 'hub/spawn-pending/alice', 'hub/user/alice/tree',
    'user/alice/tree', 'user-redirect/tree', 'hub/user-redirect/tree', 'hub/error/404', 'hub/nope', 'nope', 'hub/oauth_login',
    'hub/login', 'hub/logout', 'hub/health', 'hub/metrics', 'hub/api', 'hub/api/user', 'services/x/'].map((u) => get('anon', u)),
  { who: 'anon', name: 'POST /hub/logout', run: (b, p) => b.post(`${p.hub}logout`, {}) },
  // login: bad password, `next` handling, the cookies set
  { who: 'fresh', name: 'login, wrong password', run: (b, p) => login(b, p.hub, 'carl', 'bad') },
  ...['//evil.example/', 'http://evil.example/x', 'user/dora/tree', 'hub/token', 'relative', 'hub/home?x=1#f', '/elsewhere', 'absolute'].map((next): Step => ({
    who: 'fresh', name: `login, next=${next}`,
    run: (b, p) => login(b, p.hub, 'dora', 'pw', next === 'absolute' ? `${b.origin}${p.hub}token` : /^[a-z]+\//.test(next) ? p.base + next : next),
  })),
  { who: 'alice', name: 'login alice', run: (b, p) => login(b, p.hub, 'alice', 'pw') },
  ...['', 'hub', 'hub/', 'hub/home', 'hub/token', 'hub/admin', 'hub/login', 'hub/login?next=%2F%2Fevil', 'hub/spawn/bob', 'hub/spawn-pending/bob',
    'hub/user/bob/tree', 'user/alice/named1/tree', 'hub/nope'].map((u) => get('alice', u)),
  // spawning: the spawn page starts the server and sends the browser through spawn-pending
  get('alice', 'hub/spawn'),
  { who: 'alice', name: 'wait for the default server', run: async (b, p) => waitReady(b, `${p.hub}api/users/alice`, '') },
  get('alice', 'hub/spawn-pending/alice'),
  get('alice', 'hub/spawn'),
  get('alice', 'hub/'),
  get('alice', 'hub/login?next=%2Fhub%2Ftoken'),
  get('alice', 'hub/user/alice/tree'),
  { who: 'alice', name: 'POST the spawn form (named server)', run: (b, p) => b.post(`${p.hub}spawn/alice/n1`, {}) },
  { who: 'alice', name: 'wait for n1', run: async (b, p) => waitReady(b, `${p.hub}api/users/alice`, 'n1') },
  get('alice', 'hub/spawn-pending/alice/n1'),
  get('alice', 'hub/spawn/alice/n1'),
  // the login cookie on the API, as the 3.0 home page's JavaScript sends it (a hub page's Referer, no _xsrf)
  { who: 'alice', name: 'GET api/user from a hub page', run: (b, p) => b.get(`${p.hub}api/user`, { referer: `${b.origin}${p.hub}home` }) },
  { who: 'alice', name: 'GET api/user from another site', run: (b, p) => b.get(`${p.hub}api/user`, { referer: 'http://evil.example/' }) },
  { who: 'alice', name: 'GET api/user from a user server page', run: (b, p) => b.get(`${p.hub}api/user`, { referer: `${b.origin}${p.base}user/alice/tree` }) },
  { who: 'alice', name: 'POST token from the token page', run: (b, p) => b.request('POST', `${p.hub}api/users/alice/tokens`, { headers: json(b, p.hub, 'token'), body: '{"note":"x"}' }) },
  { who: 'alice', name: 'POST token, no Content-Type', run: (b, p) => b.request('POST', `${p.hub}api/users/alice/tokens`, { headers: { referer: `${b.origin}${p.hub}token` }, body: '{}' }) },
  { who: 'alice', name: 'POST token as text/plain', run: (b, p) => b.request('POST', `${p.hub}api/users/alice/tokens`, { headers: { 'content-type': 'text/plain', referer: `${b.origin}${p.hub}token` }, body: '{}' }) },
  { who: 'alice', name: 'POST token from another site', run: (b, p) => b.request('POST', `${p.hub}api/users/alice/tokens`, { headers: { 'content-type': 'application/json', referer: 'http://evil.example/' }, body: '{}' }) },
  { who: 'alice', name: 'POST token, a wrong X-XSRFToken', run: (b, p) => b.request('POST', `${p.hub}api/users/alice/tokens`, { headers: { ...json(b, p.hub, 'token'), 'x-xsrftoken': 'a.b' }, body: '{}' }) },
  { who: 'alice', name: 'PATCH self admin', run: (b, p) => b.request('PATCH', `${p.hub}api/users/alice`, { headers: json(b, p.hub, 'home'), body: '{"admin":true}' }) },
  { who: 'alice', name: 'DELETE named server', run: (b, p) => b.request('DELETE', `${p.hub}api/users/alice/servers/n1`, { headers: { referer: `${b.origin}${p.hub}home` } }) },
  { who: 'alice', name: 'DELETE server', run: (b, p) => b.request('DELETE', `${p.hub}api/users/alice/server`, { headers: { referer: `${b.origin}${p.hub}home` } }) },
  { who: 'alice', name: 'POST /hub/logout', run: (b, p) => b.post(`${p.hub}logout`, {}) },
  get('alice', 'hub/logout'),
  get('alice', 'hub/home'),
  { who: 'alice', name: 'GET api/user after logout', run: (b, p) => b.get(`${p.hub}api/user`, { referer: `${b.origin}${p.hub}home` }) },
  // an admin, as the 3.0 admin page's JavaScript calls the API
  { who: 'admin', name: 'login admin', run: (b, p) => login(b, p.hub, 'admin', 'pw') },
  get('admin', 'hub/admin'),
  { who: 'admin', name: 'GET api/users from the admin page', run: (b, p) => b.get(`${p.hub}api/users`, { referer: `${b.origin}${p.hub}admin` }) },
  { who: 'admin', name: 'POST api/users from the admin page', run: (b, p) => b.request('POST', `${p.hub}api/users`, { headers: json(b, p.hub, 'admin'), body: '{"usernames":["made1"]}' }) },
  { who: 'admin', name: 'DELETE api/users/made1 from the admin page', run: (b, p) => b.request('DELETE', `${p.hub}api/users/made1`, { headers: { referer: `${b.origin}${p.hub}admin` } }) },
  get('admin', 'hub/spawn/bob'),
  get('admin', 'hub/logout'),
];

/**
 * Polls the user model (a hub page's Referer) until the server is ready, for at most 15 s; answers with the ready
 * state, so a server that never starts on one side shows as a mismatch of this step.
 */
async function waitReady(b: HttpBrowser, url: string, server: string): Promise<PageResponse> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const r = await b.get(url, { referer: `${b.origin}${url}` });
    const model = JSON.parse(r.text) as { servers?: Record<string, { ready?: boolean }> };
    const ready = model.servers?.[server]?.ready === true;
    if (ready || Date.now() > deadline) return { ...r, status: ready ? 200 : 0 };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface Outcome {
  status: number;
  location?: string;
  type?: string;
  cookies: string[];
}

function outcome(r: PageResponse, origin: string, hubPrefix: string): Outcome {
  const redirect = r.status >= 300 && r.status < 400;
  const cookies = (r.headers['set-cookie'] ?? []).map((line) => {
    const [pair = ''] = line.split(';');
    const name = pair.slice(0, pair.indexOf('='));
    const value = pair.slice(pair.indexOf('=') + 1).replace(/^""$/, '');
    const path = /;\s*path=([^;]*)/i.exec(line)?.[1] ?? '';
    return `${name}@${path} ${value === '' ? 'cleared' : 'set'}`;
    // hub's own `_xsrf` (set by its pages, at the hub's prefix; cleared there at logout): JupyterHub 3.0 has none.
  }).filter((c) => !c.startsWith('_xsrf@') || !(c.endsWith(' set') || c.startsWith(`_xsrf@${hubPrefix} `))).sort();
  return {
    status: r.status,
    ...(r.headers.location ? { location: r.headers.location.replace(origin, '<origin>') } : {}),
    ...(redirect || r.status === 204 ? {} : { type: String(r.headers['content-type'] ?? '').split(';')[0] }),
    cookies,
  };
}

async function runSteps(origin: string, base: string): Promise<Outcome[]> {
  const browsers = new Map<string, HttpBrowser>();
  const out: Outcome[] = [];
  for (const step of STEPS) {
    if (step.who === 'fresh' || !browsers.has(step.who)) browsers.set(step.who, new HttpBrowser(origin));
    out.push(outcome(await step.run(browsers.get(step.who)!, { base, hub: `${base}hub/` }), origin, `${base}hub/`));
  }
  return out;
}

for (const base of ['/', '/prefix/']) {
  describe(`differential, base_url ${base}: JupyterHub 3.0 and hub answer a browser alike`, { skip: !jupyterhubInstalled() && 'no /usr/bin/jupyterhub' }, () => {
    let jh: RunningJupyterHub | undefined;
    let hub: TestHub | undefined;
    let theirs: Outcome[] = [];
    let ours: Outcome[] = [];

    before(async () => {
      const standin = await buildStandin();
      jh = await startJupyterHub({
        serviceToken: TOKEN, baseUrl: base,
        extraConfig: ["c.DummyAuthenticator.password = 'pw'", "c.JupyterHub.spawner_class = 'simple'", 'c.JupyterHub.allow_named_servers = True',
          `c.Spawner.cmd = [${JSON.stringify(standin)}]`, "c.Authenticator.admin_users = {'admin'}"],
      });
      hub = await startTestHub({
        withProxy: true,
        overrides: [`JupyterHub.base_url=${base}`, 'JupyterHub.authenticator_class=dummy', 'DummyAuthenticator.password=pw', 'JupyterHub.spawner_class=simple',
          'JupyterHub.allow_named_servers=true', `Spawner.cmd=${JSON.stringify([standin])}`, 'Authenticator.admin_users=["admin"]',
          `JupyterHub.services=[{"name":"admin-svc","api_token":"${TOKEN}","admin":true}]`],
      });
      theirs = await runSteps(jh.publicOrigin, base);
      ours = await runSteps(new URL(hub.status.public_url).origin, base);
    });
    after(async () => {
      await jh?.stop();
      await hub?.stop();
    });

    it('gives the same status, Location, media type and cookies for every request', () => {
      const mismatches = STEPS.map((s, i) => [s, theirs[i], ours[i]] as const).filter(([, a, b]) => JSON.stringify(a) !== JSON.stringify(b))
        .map(([s, a, b]) => `${s.who}: ${s.name}\n  JupyterHub ${JSON.stringify(a)}\n  hub        ${JSON.stringify(b)}`);
      assert.deepEqual(mismatches, []);
      assert.equal(ours.length, STEPS.length);
    });
  });
}
