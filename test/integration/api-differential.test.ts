/**
 * The same sequence of API calls against the REAL JupyterHub 3.0 and against hub: the same status codes and the
 * same model keys, the same values once what differs by nature is masked (timestamps, ids, tokens, error messages,
 * /info's runtime) and the same Content-Type. Both sides' replies are also checked against the spec (but for requests
 * the spec has no operation for: HEAD, OPTIONS, trailing slashes), which proves the deviation list in
 * test/helpers/openapi.ts describes JupyterHub itself.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { apiClient, type ApiCall, type ApiReply } from '../helpers/openapi.js';
import { jupyterhubInstalled, startJupyterHub, type RunningJupyterHub } from '../helpers/jupyterhub-server.js';

const TOKEN = 'differential-admin-token-0123456789';

interface Step {
  method: string;
  path: string;
  body?: unknown;
  raw?: string;
  headers?: Record<string, string>;
  /** Whose token: the admin service (default), a user whose token an earlier step saved, or none. */
  as?: 'bob' | 'none';
  /** A 4.x/5.x feature JupyterHub 3.0 lacks: run on hub only. */
  only?: 'hub';
  /** Values differ by nature (the runtime /info describes): compare keys only. */
  keysOnly?: true;
  /** No operation of the spec answers this request (HEAD, OPTIONS, trailing slashes): do not validate the reply. */
  unchecked?: true;
  note?: string;
  save?: (body: unknown) => Record<string, string>;
}

const field = (b: unknown, k: string): string => String((b as Record<string, unknown> | undefined)?.[k] ?? '');
const PAGED = { accept: 'application/jupyterhub-pagination+json' };
const soon = (): string => new Date(Date.now() - 1000).toISOString();
const future = (): string => new Date(Date.now() + 2 * 3600_000).toISOString();

const STEPS: readonly Step[] = [
  { method: 'GET', path: '/' },
  { method: 'GET', path: '/info', keysOnly: true },
  { method: 'GET', path: '/info', as: 'none' },
  // what a route is: APIHandler answers OPTIONS (CORS preflights) on any API route unauthenticated, HEAD is no GET,
  // and routes are anchored regexes (a trailing slash is another path, but for /api/? and the `([^/]*)` names)
  { method: 'OPTIONS', path: '/users', as: 'none', unchecked: true },
  { method: 'OPTIONS', path: '/users/nobody/tokens/a1', as: 'none', unchecked: true },
  { method: 'OPTIONS', path: '/nope', as: 'none', unchecked: true },
  { method: 'HEAD', path: '/users', unchecked: true },
  { method: 'HEAD', path: '/', unchecked: true },
  { method: 'GET', path: '/nope', unchecked: true },
  { method: 'PUT', path: '/users', unchecked: true },
  // methods outside tornado's SUPPORTED_METHODS: 405 before routing; FOO is one Node's HTTP parser does not know
  { method: 'PROPFIND', path: '/users', unchecked: true },
  { method: 'PROPFIND', path: '/nope', unchecked: true },
  { method: 'FOO', path: '/users', unchecked: true },
  { method: 'FOO', path: '/nope', as: 'none', unchecked: true },
  // users
  { method: 'POST', path: '/users', body: { usernames: ['alice', 'bob'] } },
  { method: 'POST', path: '/users', body: { usernames: ['alice', 'bob'] }, note: 'all exist' },
  { method: 'POST', path: '/users', body: { usernames: ['Carol', 'alice'] }, note: 'normalized, one new' },
  { method: 'POST', path: '/users', body: {}, note: 'no usernames' },
  { method: 'POST', path: '/users', body: { usernames: ['bad/name'] }, note: 'invalid' },
  { method: 'POST', path: '/users', body: { usernames: ['x1'], bogus: true }, note: 'unknown key' },
  { method: 'POST', path: '/users', body: { usernames: ['x2'], admin: 'yes' }, note: 'wrong type' },
  { method: 'POST', path: '/users', raw: '{"usernames": [', note: 'malformed JSON' },
  { method: 'POST', path: '/users/dave' },
  { method: 'POST', path: '/users/dave', note: 'exists' },
  { method: 'POST', path: '/users/frank', body: { admin: true } },
  { method: 'POST', path: '/users/gina', raw: '[]', note: 'empty list: no model' },
  { method: 'GET', path: '/users/', unchecked: true },
  { method: 'POST', path: '/users/', body: { usernames: ['ivan'] }, unchecked: true },
  { method: 'GET', path: '/users/alice/', unchecked: true },
  { method: 'GET', path: '/users/alice' },
  { method: 'GET', path: '/users/alice?include_stopped_servers' },
  { method: 'GET', path: '/users/nobody' },
  { method: 'GET', path: '/users' },
  { method: 'GET', path: '/users?include_stopped_servers=1' },
  { method: 'GET', path: '/users?limit=2', headers: PAGED },
  { method: 'GET', path: '/users?offset=4&limit=2', headers: PAGED },
  { method: 'GET', path: '/users?offset=1&limit=1' },
  { method: 'GET', path: '/users?limit=-2', note: 'abs()' },
  { method: 'GET', path: '/users?limit=0', headers: PAGED, note: 'at least 1' },
  { method: 'GET', path: '/users?limit=abc' },
  { method: 'GET', path: '/users?state=inactive' },
  { method: 'GET', path: '/users?state=active' },
  { method: 'GET', path: '/users?state=ready' },
  { method: 'GET', path: '/users?state=bogus' },
  { method: 'GET', path: '/users?name_filter=LIC' },
  // name_filter is SQL's `lower(name) LIKE lower('%<x>%')` on SQLite: wildcards act, a backslash is a character
  { method: 'GET', path: '/users?name_filter=a_i', note: '_ is one character' },
  { method: 'GET', path: '/users?name_filter=i%25e', note: '% is any text' },
  { method: 'GET', path: '/users?name_filter=%25' },
  { method: 'GET', path: '/users?name_filter=%5C' },
  { method: 'GET', path: '/users?name_filter=', note: 'empty: no filter' },
  { method: 'GET', path: '/users?sort=-name', only: 'hub' },
  { method: 'GET', path: '/users?sort=bogus', only: 'hub' },
  { method: 'PATCH', path: '/users/alice', body: { admin: true } },
  { method: 'PATCH', path: '/users/alice', body: { name: 'bob' }, note: 'name taken' },
  { method: 'PATCH', path: '/users/dave', body: { name: 'erin' } },
  { method: 'GET', path: '/users/dave' },
  { method: 'GET', path: '/users/erin' },
  { method: 'PATCH', path: '/users/erin', body: { bogus: 1 } },
  { method: 'PATCH', path: '/users/erin', body: { admin: 'yes' } },
  { method: 'PATCH', path: '/users/erin', note: 'no body' },
  { method: 'PATCH', path: '/users/nobody', body: { admin: true } },
  // activity
  { method: 'POST', path: '/users/alice/activity', body: { last_activity: soon() } },
  { method: 'POST', path: '/users/alice/activity', body: { last_activity: future() }, note: 'future' },
  { method: 'POST', path: '/users/alice/activity', body: {}, note: 'empty' },
  { method: 'POST', path: '/users/alice/activity', body: { last_activity: 'yesterday-ish' }, note: 'unparseable' },
  { method: 'POST', path: '/users/alice/activity', body: { servers: { nope: { last_activity: soon() } } }, note: 'no such server' },
  { method: 'POST', path: '/users/alice/activity', body: { servers: [] , last_activity: soon() }, note: 'servers not a dict' },
  { method: 'POST', path: '/users/nobody/activity', body: { last_activity: soon() } },
  // tokens
  { method: 'POST', path: '/users/bob/tokens', body: { note: 'for bob' }, save: (b) => ({ token_bob: field(b, 'token'), bob_token_id: field(b, 'id') }) },
  { method: 'POST', path: '/users/bob/tokens', body: { scopes: ['read:users!user=bob'], expires_in: 3600 } },
  { method: 'POST', path: '/users/bob/tokens', body: { scopes: ['read:users'] }, note: 'scopes bob lacks' },
  { method: 'POST', path: '/users/bob/tokens', body: { roles: ['nope'] }, note: 'no such role' },
  { method: 'POST', path: '/users/bob/tokens', body: { roles: ['user'] } },
  { method: 'POST', path: '/users/bob/tokens', body: { scopes: ['read:users!user=bob'], roles: ['user'] }, note: 'both' },
  { method: 'POST', path: '/users/bob/tokens', body: ['x'], note: 'not a dict' },
  { method: 'POST', path: '/users/nobody/tokens', body: {} },
  { method: 'GET', path: '/users/bob/tokens' },
  { method: 'GET', path: '/users/bob/tokens/{bob_token_id}' },
  { method: 'GET', path: '/users/bob/tokens/a999999' },
  { method: 'GET', path: '/users/bob/tokens/xyz' },
  { method: 'GET', path: '/users/nobody/tokens' },
  { method: 'GET', path: '/users/bob/tokens/', unchecked: true, note: "token ''" },
  { method: 'GET', path: '/user', as: 'bob', note: 'scopes as 3.0 names them' },
  // as bob: his own scopes only
  { method: 'GET', path: '/users/bob', as: 'bob' },
  { method: 'GET', path: '/users/alice', as: 'bob', note: 'filtered scope: 404' },
  { method: 'GET', path: '/users', as: 'bob' },
  { method: 'GET', path: '/users/bob/tokens', as: 'bob' },
  { method: 'POST', path: '/users/bob/tokens', body: {}, as: 'bob' },
  { method: 'POST', path: '/users/alice/tokens', body: {}, as: 'bob' },
  { method: 'DELETE', path: '/users/alice', as: 'bob' },
  { method: 'GET', path: '/groups', as: 'bob' },
  { method: 'GET', path: '/users/bob', as: 'none' },
  // servers (no spawner involved: named servers are off, nothing runs)
  { method: 'POST', path: '/users/alice/servers/x' },
  { method: 'DELETE', path: '/users/alice/servers/x' },
  { method: 'DELETE', path: '/users/alice/server' },
  { method: 'DELETE', path: '/users/alice/server', body: { remove: true }, note: 'remove default' },
  { method: 'DELETE', path: '/users/alice/servers/', unchecked: true, note: "server '' is the default one" },
  { method: 'GET', path: '/users/alice/server/progress', note: 'not starting' },
  { method: 'GET', path: '/users/alice/servers/x/progress' },
  { method: 'POST', path: '/users/alice/admin-access' },
  // groups
  { method: 'POST', path: '/groups/g1', body: { users: ['alice'] } },
  { method: 'POST', path: '/groups/g1', note: 'exists' },
  { method: 'POST', path: '/groups/g9', body: { users: ['nobody'] }, note: 'unknown member' },
  { method: 'GET', path: '/groups/g1' },
  { method: 'POST', path: '/groups', body: { groups: ['g2', 'g3'], users: ['bob'] } },
  { method: 'POST', path: '/groups', body: { groups: ['g2'] }, note: 'exists' },
  { method: 'POST', path: '/groups', body: {}, note: 'none named' },
  { method: 'GET', path: '/groups' },
  { method: 'GET', path: '/groups?limit=1', headers: PAGED },
  { method: 'GET', path: '/groups?name_filter=g2', note: '3.0 has no name_filter on groups: ignored' },
  { method: 'POST', path: '/groups/g1/users', body: { users: ['bob', 'Carol'] } },
  { method: 'POST', path: '/groups/g1/users', body: {}, note: 'no users key' },
  { method: 'POST', path: '/groups/g1/users', body: { users: ['nobody'] } },
  { method: 'POST', path: '/groups/nope/users', body: { users: ['bob'] } },
  { method: 'DELETE', path: '/groups/g1/users', body: { users: ['alice'] } },
  { method: 'GET', path: '/users/bob' },
  { method: 'GET', path: '/groups/nope' },
  // orders: a user's roles by id, a group's members as they were added
  { method: 'POST', path: '/users', body: { usernames: ['zed'] } },
  { method: 'POST', path: '/users', body: { usernames: ['amy'], admin: true } },
  { method: 'POST', path: '/groups/zz', body: { users: ['zed', 'amy'] } },
  { method: 'POST', path: '/groups/aa', body: { users: ['amy'] } },
  { method: 'POST', path: '/groups/aa/users', body: { users: ['zed'] } },
  { method: 'GET', path: '/users/amy' },
  { method: 'GET', path: '/users/zed' },
  { method: 'GET', path: '/groups/aa' },
  { method: 'DELETE', path: '/groups/g3' },
  { method: 'DELETE', path: '/groups/g3', note: 'gone' },
  { method: 'PUT', path: '/groups/g1/properties', body: { color: 'blue' }, only: 'hub' },
  { method: 'PUT', path: '/groups/g1/properties', body: ['x'], only: 'hub' },
  { method: 'GET', path: '/groups/g1', as: 'bob' },
  // services
  { method: 'GET', path: '/services' },
  { method: 'GET', path: '/services/admin-svc' },
  { method: 'GET', path: '/services', as: 'bob' },
  // token revocation, user deletion
  { method: 'DELETE', path: '/users/bob/tokens/{bob_token_id}' },
  { method: 'DELETE', path: '/users/bob/tokens/{bob_token_id}', note: 'gone' },
  { method: 'GET', path: '/users/bob', as: 'bob', note: 'revoked token' },
  { method: 'DELETE', path: '/users/erin' },
  { method: 'DELETE', path: '/users/erin', note: 'gone' },
  { method: 'POST', path: '/shutdown', body: { proxy: 'maybe' } },
];

/** The structure of a reply: object keys (recursively), arrays by their first element, values as `v`. */
function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.length === 0 ? [] : [shape(v[0])];
  if (typeof v !== 'object' || v === null) return 'v';
  const o = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o).sort()) {
    // Documented addition: group models carry 4.x's `properties` (hub serves PUT /groups/{name}/properties).
    if (k === 'properties' && o.kind === 'group') continue;
    // Values differ by nature (a version string vs a dict is not a key difference): keep keys, not values.
    out[k] = k === 'message' ? 'v' : shape(o[k]);
  }
  return out;
}

/**
 * The values of a reply with what differs by nature masked: timestamps, token ids and secrets, numeric ids, ports; error
 * messages (hub's say more); the 4.x `properties` of groups. Scope lists are sets (JupyterHub's order is a set's).
 * Roles and a group's members are compared in order.
 */
function values(v: unknown, key = ''): unknown {
  if (typeof v === 'string') {
    return v.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<ts>').replace(/\ba\d+\b/g, 'a<id>').replace(/\b[0-9a-f]{32}\b/g, '<token>')
      .replace(/\/\/127\.0\.0\.1:\d+\//g, '//<host>/');
  }
  // A user's `groups` come in JupyterHub's ORM order: id order from the database, but a group joined while the
  // user's groups are loaded in its session is appended (db/member-order.ts); compared as sets.
  if (Array.isArray(v)) return key === 'scopes' || key === 'groups' ? v.map((x) => values(x)).sort() : v.map((x) => values(x));
  if (typeof v !== 'object' || v === null) return key === 'id' ? '<id>' : v;
  const o = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o).sort()) {
    if (k === 'properties' && o.kind === 'group') continue;
    out[k] = k === 'message' && typeof o.status === 'number' ? 'v' : values(o[k], k);
  }
  return out;
}

interface Outcome {
  step: string;
  status: number;
  shape: unknown;
  values: unknown;
  contentType: string;
}

async function runSteps(api: ApiCall, steps: readonly Step[], side: 'jupyterhub' | 'hub'): Promise<Outcome[]> {
  const vars = new Map<string, string>();
  const fill = (s: string): string => s.replace(/\{(\w+)\}/g, (_m, k: string) => vars.get(k) ?? `{${k}}`);
  const out: Outcome[] = [];
  for (const step of steps) {
    if (step.only && step.only !== side) continue;
    const token = step.as === 'none' ? null : step.as ? vars.get(`token_${step.as}`) ?? 'missing-token' : TOKEN;
    const reply: ApiReply = await api(step.method, fill(step.path), {
      token, ...(step.body !== undefined ? { body: step.body } : {}), ...(step.raw !== undefined ? { rawBody: step.raw } : {}),
      ...(step.headers ? { headers: step.headers } : {}), ...(step.unchecked ? { unchecked: true } : {}),
    });
    for (const [k, v] of Object.entries(step.save?.(reply.body) ?? {})) vars.set(k, v);
    out.push({
      step: `${step.method} ${step.path}${step.note ? ` (${step.note})` : ''}`, status: reply.status, shape: shape(reply.body),
      values: step.keysOnly ? shape(reply.body) : values(reply.body), contentType: String(reply.headers['content-type'] ?? '(none)'),
    });
  }
  return out;
}

describe('differential: JupyterHub 3.0 and hub answer the same sequence alike', { skip: !jupyterhubInstalled() && 'no /usr/bin/jupyterhub' }, () => {
  let jh: RunningJupyterHub;
  let hub: TestHub;
  let theirs: Outcome[];
  let ours: Outcome[];

  before(async () => {
    jh = await startJupyterHub({ serviceToken: TOKEN });
    hub = await startTestHub({ overrides: [`JupyterHub.services=[{"name":"admin-svc","api_token":"${TOKEN}","admin":true}]`] });
    theirs = await runSteps(apiClient(jh.apiUrl, TOKEN), STEPS, 'jupyterhub');
    ours = await runSteps(apiClient(`${hub.status.hub_url}api`, TOKEN), STEPS, 'hub');
  });
  after(async () => {
    await jh?.stop();
    await hub?.stop();
  });

  it('gives the same status codes', () => {
    if (process.env.DIFF_VERBOSE) for (const o of theirs) console.log(`${o.status} ${o.step}`);
    const mismatches = theirs.map((o, i) => [o, ours.filter((x) => x.step === o.step)[theirs.filter((y, j) => j < i && y.step === o.step).length]] as const)
      .filter(([a, b]) => a.status !== b?.status).map(([a, b]) => `${a.step}: JupyterHub ${a.status}, hub ${b?.status}`);
    assert.deepEqual(mismatches, []);
    assert.ok(theirs.length >= 80, `${theirs.length} cases compared`);
  });

  it('gives the same values (masked where they differ by nature) and the same Content-Type', () => {
    const mismatches: string[] = [];
    theirs.forEach((o, i) => {
      const b = ours.filter((x) => x.step === o.step)[theirs.filter((y, j) => j < i && y.step === o.step).length];
      if (b?.contentType !== o.contentType) mismatches.push(`${o.step}: Content-Type JupyterHub ${o.contentType}, hub ${b?.contentType}`);
      try {
        assert.deepEqual(b?.values, o.values);
      } catch {
        mismatches.push(`${o.step}:\n  JupyterHub ${JSON.stringify(o.values)}\n  hub        ${JSON.stringify(b?.values)}`);
      }
    });
    assert.deepEqual(mismatches, []);
  });

  it('gives the same model keys', () => {
    const mismatches: string[] = [];
    theirs.forEach((o, i) => {
      const b = ours.filter((x) => x.step === o.step)[theirs.filter((y, j) => j < i && y.step === o.step).length];
      try {
        assert.deepEqual(b?.shape, o.shape);
      } catch {
        mismatches.push(`${o.step}:\n  JupyterHub ${JSON.stringify(o.shape)}\n  hub        ${JSON.stringify(b?.shape)}`);
      }
    });
    assert.deepEqual(mismatches, []);
  });
});
