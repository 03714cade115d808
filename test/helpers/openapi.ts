/**
 * Every integration-test response checked against JupyterHub's own OpenAPI document (rest-api-3.0.0.yml; the 4.x
 * endpoint PUT /groups/{name}/properties against rest-api-5.5.1.yml): a response that breaks the spec fails the test.
 * Where JupyterHub 3.0 itself answers differently from its spec, we answer as JupyterHub does; each such place is
 * patched into the schemas below, in one list (SPEC_DEVIATIONS), with the reason.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import AjvModule, { type ValidateFunction } from 'ajv';
import formatsModule from 'ajv-formats';
import yaml from 'js-yaml';
import type { Knex } from 'knex';
import { ROOT } from './cli.js';
import { startTestHub, type TestHub } from './hub.js';
import type { ApiDeps } from '../../src/daemon/api/api-service.js';
import { createToken } from '../../src/daemon/db/tokens-repo.js';
import { getUserByName, type UserRow } from '../../src/daemon/db/users-repo.js';
import { ServerError, type ProgressEvent, type ServerManager, type ServerRuntime } from '../../src/daemon/spawner/server-manager.js';

const Ajv = AjvModule.default;
const addFormats = formatsModule.default;

export const SPEC_3_0 = path.join(ROOT, '..', 'shared', 'reference', 'rest-api-3.0.0.yml');
export const SPEC_5_5 = path.join(ROOT, '..', 'shared', 'reference', 'rest-api-5.5.1.yml');

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {});
const at = (root: unknown, ...keys: string[]): Json => keys.reduce<Json>((o, k) => obj(o[k]), obj(root));

export interface Deviation {
  what: string;
  why: string;
  apply: (spec30: Json, spec55: Json) => void;
}

function nullable(spec: Json, schema: string, props: string[]): void {
  for (const p of props) {
    const prop = at(spec, 'components', 'schemas', schema, 'properties', p);
    prop.nullable = true;
    // With an enum, ajv wants null listed too (OpenAPI 3.0's nullable semantics).
    if (Array.isArray(prop.enum)) prop.enum = [...(prop.enum as unknown[]), null];
  }
}

function setResponse(spec: Json, p: string, method: string, status: string, schema: Json | null): void {
  const op = at(spec, 'paths', p, method);
  const responses = obj(op.responses);
  responses[status] = schema === null ? { description: 'JupyterHub 3.0 behaviour', content: {} } : { description: 'JupyterHub 3.0 behaviour', content: { 'application/json': { schema } } };
  op.responses = responses;
  at(spec, 'paths', p)[method] = op;
}

/** Where JupyterHub 3.0 (and so hub) differs from rest-api-3.0.0.yml. */
export const SPEC_DEVIATIONS: readonly Deviation[] = [
  { what: 'User.servers is a dict keyed by server name', why: 'user_model builds `servers` as a dict; the spec says array',
    apply: (s) => { at(s, 'components', 'schemas', 'User', 'properties').servers = { type: 'object', additionalProperties: { $ref: '#/components/schemas/Server' } }; } },
  { what: 'User.server, pending, last_activity, auth_state may be null', why: 'user_model sets them to None when unset; the spec lacks nullable',
    apply: (s) => nullable(s, 'User', ['server', 'pending', 'last_activity', 'auth_state']) },
  { what: 'Server.pending, started, last_activity, state, user_options may be null', why: 'server_model of a stopped/never-started spawner has None',
    apply: (s) => nullable(s, 'Server', ['pending', 'started', 'last_activity', 'state', 'user_options']) },
  { what: 'Token.expires_at, last_activity, note may be null', why: 'token_model reports unset timestamps as None',
    apply: (s) => nullable(s, 'Token', ['expires_at', 'last_activity', 'note']) },
  { what: 'GET /users/{name}/tokens is {api_tokens: [Token]}', why: 'UserTokenListAPIHandler.get writes {"api_tokens": [...]}; the spec says a bare array',
    apply: (s) => setResponse(s, '/users/{name}/tokens', 'get', '200', { type: 'object', required: ['api_tokens'], properties: { api_tokens: { type: 'array', items: { $ref: '#/components/schemas/Token' } } } }) },
  { what: 'GET /services is a dict keyed by service name', why: 'ServiceListAPIHandler writes a dict; the spec says array',
    apply: (s) => setResponse(s, '/services', 'get', '200', { type: 'object', additionalProperties: { $ref: '#/components/schemas/Service' } }) },
  { what: 'POST /users/{name}/activity answers 200 with no body', why: 'the spec lists only 401 and 404',
    apply: (s) => setResponse(s, '/users/{name}/activity', 'post', '200', null) },
  { what: 'POST /users/{name}/admin-access exists (deprecated no-op, 200)', why: 'UserAdminAccessAPIHandler is routed in 3.0 but absent from the spec',
    apply: (s) => { at(s, 'paths')['/users/{name}/admin-access'] = { post: { responses: { 200: { description: 'no-op', content: {} } } } }; } },
  { what: 'POST /groups creates several groups (201, list of Group)', why: 'GroupListAPIHandler.post is routed in 3.0 but absent from the spec',
    apply: (s) => { at(s, 'paths', '/groups').post = { responses: { 201: { description: 'created', content: { 'application/json': { schema: { type: 'array', items: { $ref: '#/components/schemas/Group' } } } } } } }; } },
  { what: 'progress event streams exist', why: 'SpawnProgressAPIHandler is routed in 3.0 but absent from the spec (text/event-stream)',
    apply: (s) => {
      const stream = { get: { responses: { 200: { description: 'event stream', content: { 'text/event-stream': {} } } } } };
      at(s, 'paths')['/users/{name}/server/progress'] = stream;
      at(s, 'paths')['/users/{name}/servers/{server_name}/progress'] = stream;
    } },
  { what: 'RequestIdentity is User or Service by `kind` (anyOf)', why: 'neither schema requires a key, so every model matches both arms of the spec\'s oneOf',
    apply: (s) => {
      const first = obj((at(s, 'components', 'schemas', 'RequestIdentity').allOf as unknown[] | undefined)?.[0]);
      first.anyOf = first.oneOf;
      delete first.oneOf;
      delete first.discriminator;
    } },
  { what: 'PUT /groups/{name}/properties (JupyterHub 3.2/4.x) is checked against rest-api-5.5.1.yml', why: 'not in 3.0; hub serves it as 4.x does',
    apply: (s, s55) => {
      const op = at(s55, 'paths', '/groups/{name}/properties', 'put');
      // rest-api-5.5.1's parameter $refs do not exist in the 3.0 document; only the responses matter here.
      at(s, 'paths')['/groups/{name}/properties'] = { put: { responses: op.responses } };
    } },
];

function loadYaml(file: string): Json {
  return obj(yaml.load(readFileSync(file, 'utf8')));
}

/** `#/components/...` refs point into the registered document. */
function rebase(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(rebase);
  if (typeof v !== 'object' || v === null) return v;
  const out: Json = {};
  for (const [k, x] of Object.entries(v)) out[k] = k === '$ref' && typeof x === 'string' ? `spec${x}` : rebase(x);
  return out;
}

interface Operation {
  template: string;
  method: string;
  regex: RegExp;
  responses: Map<string, ValidateFunction | null>;
}

const ERROR_SCHEMA = { type: 'object', required: ['status', 'message'], properties: { status: { type: 'integer' }, message: { type: 'string' } } };

function buildOperations(): { ops: Operation[]; ajv: InstanceType<typeof Ajv> } {
  const spec = loadYaml(SPEC_3_0);
  const spec55 = loadYaml(SPEC_5_5);
  for (const d of SPEC_DEVIATIONS) d.apply(spec, spec55);
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ $id: 'spec', components: rebase(spec.components) });
  const ops: Operation[] = [];
  for (const [template, item] of Object.entries(at(spec, 'paths'))) {
    for (const [method, op] of Object.entries(obj(item))) {
      const responses = new Map<string, ValidateFunction | null>();
      for (const [status, r] of Object.entries(at(op, 'responses'))) {
        const schema = at(r, 'content', 'application/json').schema;
        responses.set(status, schema === undefined ? null : ajv.compile(obj(rebase(schema))));
      }
      const pattern = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+');
      ops.push({ template, method: method.toUpperCase(), regex: new RegExp(`^${pattern}/?$`), responses });
    }
  }
  return { ops, ajv };
}

let built: { ops: Operation[]; ajv: InstanceType<typeof Ajv> } | undefined;
const stats = { validated: 0, byOperation: new Map<string, number>() };

export function validationStats(): { validated: number; operations: number } {
  return { validated: stats.validated, operations: stats.byOperation.size };
}

/** The spec's operations as `METHOD /template` (after the deviations), e.g. for generating test matrices. */
export function specOperations(): { method: string; template: string }[] {
  built ??= buildOperations();
  return built.ops.map((o) => ({ method: o.method, template: o.template }));
}

function schemaErrors(validate: ValidateFunction, body: unknown): string | null {
  return validate(body) ? null : JSON.stringify(validate.errors?.slice(0, 5));
}

/**
 * Throws if `body` (the parsed JSON reply to `method path`, path under /hub/api, query allowed) breaks the spec.
 * Error replies must be JupyterHub's `{status, message}`; with `paginated`, the reply is the `{items, _pagination}`
 * envelope around what the spec describes.
 */
export function validateResponse(method: string, apiPath: string, status: number, body: unknown, opts: { paginated?: boolean } = {}): void {
  built ??= buildOperations();
  const p = apiPath.split('?')[0] ?? apiPath;
  const op = built.ops.find((o) => o.method === method && o.regex.test(p));
  if (!op) throw new Error(`${method} ${p}: no such operation in the spec`);
  const key = `${op.method} ${op.template}`;
  stats.validated++;
  stats.byOperation.set(key, (stats.byOperation.get(key) ?? 0) + 1);
  if (status >= 400) {
    const err = schemaErrors(built.ajv.compile(ERROR_SCHEMA), body);
    if (err || (body as { status?: unknown }).status !== status) throw new Error(`${key} -> ${status}: not a JupyterHub error body: ${JSON.stringify(body)} ${err ?? ''}`);
    return;
  }
  if (!op.responses.has(String(status))) throw new Error(`${key}: status ${status} is not in the spec (${[...op.responses.keys()].join(', ')})`);
  const validate = op.responses.get(String(status));
  if (!validate) return;
  if (opts.paginated) {
    const env = obj(body);
    const items = env.items;
    const ok = obj(env._pagination);
    if (!('total' in ok) || !('offset' in ok) || !('limit' in ok) || !('next' in ok)) throw new Error(`${key}: bad _pagination ${JSON.stringify(env._pagination)}`);
    const err = schemaErrors(validate, items);
    if (err) throw new Error(`${key} -> ${status} (items): ${err}`);
    return;
  }
  const err = schemaErrors(validate, body);
  if (err) throw new Error(`${key} -> ${status}: ${err}\nbody: ${JSON.stringify(body).slice(0, 500)}`);
}

export interface ApiReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: unknown;
  text: string;
}

export interface CallOptions {
  body?: unknown;
  /** Sent as is (for malformed bodies); `body` is JSON-encoded otherwise. */
  rawBody?: string | Buffer;
  headers?: Record<string, string>;
  token?: string | null;
  /** Skip the spec check (requests the test makes to probe something the spec does not cover). */
  unchecked?: boolean;
}

export type ApiCall = (method: string, apiPath: string, opts?: CallOptions) => Promise<ApiReply>;

/** A client for `<hub>/hub/api` whose every reply is checked against the spec (validateResponse). */
export function apiClient(apiUrl: string, defaultToken?: string): ApiCall {
  const base = new URL(apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  return async (method, apiPath, opts = {}) => {
    const url = new URL(apiPath.replace(/^\//, ''), base);
    const headers: Record<string, string> = { ...opts.headers };
    const token = opts.token === undefined ? defaultToken : opts.token;
    if (token) headers.authorization = `token ${token}`;
    const payload = opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
    if (payload !== undefined) {
      headers['content-type'] ??= 'application/json';
      // Node sends DELETE bodies unframed unless told their length.
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    const reply = await new Promise<ApiReply>((resolve, reject) => {
      const req = http.request(url, { method, headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = text === '' ? undefined : JSON.parse(text);
          } catch {
            /* not JSON: keep the text */
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text });
        });
      });
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
    if (!opts.unchecked && !String(reply.headers['content-type'] ?? '').startsWith('text/event-stream')) {
      const paginated = (headers.accept ?? '').includes('application/jupyterhub-pagination+json') && reply.status === 200;
      validateResponse(method, '/' + apiPath.replace(/^\//, ''), reply.status, reply.body, { paginated });
    }
    return reply;
  };
}

/* ---- A hub for API tests: an admin service token, tokens with chosen scopes, swappable servers/proxy. ---- */

export const ADMIN_SERVICE_TOKEN = 'api-test-admin-service-token-0123456789';

export interface ApiTestHub {
  t: TestHub;
  db: Knex;
  apiUrl: string;
  /** Calls as the admin service unless told otherwise; every reply is checked against the spec. */
  api: ApiCall;
  /** The live ApiDeps: tests swap `servers`, `proxy`, `shutdown` for fakes (routes read them per request). */
  deps: ApiDeps;
  /** A token of an admin user `root` restricted to exactly these scopes (plus the identify scopes every token has). */
  tokenWith: (scopes: readonly string[]) => Promise<string>;
  tokenFor: (user: string, scopes?: readonly string[]) => Promise<string>;
  stop: () => Promise<void>;
}

export async function startApiTestHub(overrides: string[] = []): Promise<ApiTestHub> {
  const t = await startTestHub({ overrides: [`JupyterHub.services=[{"name":"admin-svc","api_token":"${ADMIN_SERVICE_TOKEN}","admin":true}]`, 'Authenticator.admin_users=["root"]', ...overrides] });
  const db = t.hub.db;
  if (!db || !t.hub.api) throw new Error('test hub has no database or API');
  // Private by design; tests reach in to plug fakes where the real spawner and proxy would be.
  const deps = (t.hub.api as unknown as { deps: ApiDeps }).deps;
  const tokenFor = async (user: string, scopes: readonly string[] = ['inherit']): Promise<string> => {
    const row = await getUserByName(db, user);
    if (!row) throw new Error(`no user ${user}`);
    return (await createToken(db, { userId: row.id }, { note: 'api test', scopes })).token;
  };
  const apiUrl = `${t.status.hub_url}api`;
  return { t, db, apiUrl, api: apiClient(apiUrl, ADMIN_SERVICE_TOKEN), deps, tokenWith: (s) => tokenFor('root', s), tokenFor, stop: () => t.stop() };
}

/** A server manager whose servers are whatever the test says, recording what the API asked of it. */
export class FakeServerManager implements ServerManager {
  readonly servers = new Map<string, ServerRuntime>();
  readonly calls: string[] = [];
  startOutcome: 'ready' | 'pending' | ServerError = 'ready';
  stopOutcome: 'stopped' | 'pending' = 'stopped';
  events: ProgressEvent[] = [];

  set(user: string, server: string, rt: Partial<ServerRuntime> | null): void {
    if (rt === null) this.servers.delete(`${user}/${server}`);
    else this.servers.set(`${user}/${server}`, { pending: null, ready: false, stopped: false, state: {}, ...rt });
  }

  runtime(user: string, server: string): ServerRuntime {
    return this.servers.get(`${user}/${server}`) ?? { pending: null, ready: false, stopped: true, state: {} };
  }

  async start(user: UserRow, server: string, options: Record<string, unknown>): Promise<'ready' | 'pending'> {
    this.calls.push(`start ${user.name}/${server} ${JSON.stringify(options)}`);
    if (this.startOutcome instanceof ServerError) throw this.startOutcome;
    this.set(user.name, server, this.startOutcome === 'ready' ? { ready: true, state: { pid: 42 } } : { pending: 'spawn' });
    return this.startOutcome;
  }

  async stop(user: UserRow, server: string): Promise<'stopped' | 'pending'> {
    this.calls.push(`stop ${user.name}/${server}`);
    this.set(user.name, server, this.stopOutcome === 'stopped' ? null : { pending: 'stop' });
    return this.stopOutcome;
  }

  async *progress(user: string, server: string): AsyncIterable<ProgressEvent> {
    this.calls.push(`progress ${user}/${server}`);
    for (const [i, e] of this.events.entries()) {
      // As the real manager: the final ready event comes once the server is ready, a failure once it is gone.
      if (i === this.events.length - 1 && e.ready) this.set(user, server, { ready: true });
      if (i === this.events.length - 1 && e.failed) this.set(user, server, null);
      yield e;
    }
  }

  async stopAll(user: UserRow): Promise<void> {
    this.calls.push(`stopAll ${user.name}`);
    for (const k of [...this.servers.keys()]) if (k.startsWith(`${user.name}/`)) this.servers.delete(k);
  }
}

// API_SPEC_STATS=1: say how many replies this test process checked against the spec (for reports).
if (process.env.API_SPEC_STATS) {
  process.on('exit', () => console.error(`spec-validated replies: ${stats.validated} over ${stats.byOperation.size} operations`));
}
