/**
 * Runs the REAL JupyterHub 3.0 scope and role code (Debian's python3-jupyterhub under /usr/bin/python3, not
 * whatever python3 is first on PATH) over a batch of requests in one process, so differential tests compare our
 * functions with JupyterHub itself. Group membership lives in an in-memory sqlite db made with JupyterHub's ORM.
 */
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';

export const SYSTEM_PYTHON = '/usr/bin/python3';

export type PyOwner = { kind: 'user' | 'service'; name: string };
export type PyClient = { kind: 'service'; service: string } | { kind: 'server'; user: string; server: string };
export interface PyUser {
  name: string;
  admin?: boolean;
  /** Server names; '' is the default server. */
  servers?: string[];
}

export type PyRequest =
  | { op: 'definitions' }
  | { op: 'default_roles' }
  | { op: 'self'; user: string }
  | { op: 'expand_scope'; scope: string }
  | { op: 'expand'; scopes: string[]; owner?: PyOwner; client?: PyClient }
  | { op: 'intersect'; a: string[]; b: string[]; db: boolean }
  | { op: 'check_access'; held: string[]; scope: string; args: { user_name?: string; server_name?: string; group_name?: string; service_name?: string } }
  | { op: 'user_model'; held: string[]; user: PyUser }
  | { op: 'group_model'; held: string[]; group: string }
  | { op: 'service_model'; held: string[]; service: string }
  | { op: 'check_scopes_exist'; scopes: string[]; whoFor?: string }
  /** Defines custom scopes (restored afterwards), then expands those of `expand` that are defined. */
  | { op: 'define_custom_scopes'; scopes: unknown; expand?: string[] }
  | { op: 'validate_role_name'; name: string }
  | { op: 'endpoints' };

export type PyResponse =
  | { ok: true; value: unknown; warnings: string[] }
  | { ok: false; error: string; type: string; warnings: string[] };

const SCRIPT = String.raw`
import json, sys, warnings
from types import SimpleNamespace as NS
from jupyterhub import orm, roles, scopes
from jupyterhub._memoize import DoNotCache
from jupyterhub.apihandlers.base import APIHandler
from jupyterhub.handlers.base import BaseHandler

data = json.load(sys.stdin)
db = orm.new_session_factory('sqlite://')()
group_objs = {}
for user_name, group_names in data['membership'].items():
    u = orm.User(name=user_name)
    db.add(u)
    for g in group_names:
        if g not in group_objs:
            group_objs[g] = orm.Group(name=g)
            db.add(group_objs[g])
        group_objs[g].users.append(u)
db.commit()

def unwrap(r):
    return r.result if isinstance(r, DoNotCache) else r

def owner_of(o):
    if o is None: return None
    return orm.User(name=o['name']) if o['kind'] == 'user' else orm.Service(name=o['name'])

def client_of(c, i):
    if c is None: return None
    if c['kind'] == 'service':
        return NS(identifier='svc-%d' % i, service=NS(name=c['service']), spawner=None)
    return NS(identifier='srv-%d' % i, service=None, spawner=NS(name=c['server'], user=NS(name=c['user'])))

def groups_of(name):
    u = orm.User.find(db, name)
    return [NS(name=g.name) for g in u.groups] if u else []

class FakeHandler:
    _filter_model = APIHandler._filter_model
    user_model = APIHandler.user_model
    server_model = APIHandler.server_model
    group_model = APIHandler.group_model
    service_model = APIHandler.service_model
    get_scope_filter = BaseHandler.get_scope_filter
    include_stopped_servers = False
    def __init__(self, held):
        self.expanded_scopes = set(held)
        self.parsed_scopes = scopes.parse_scopes(frozenset(held))
    def find_user(self, name):
        u = orm.User.find(db, name)
        return NS(name=u.name, groups=groups_of(u.name)) if u else None

def fake_user(spec):
    user = NS(name=spec['name'], admin=spec.get('admin', False), roles=[NS(name='user')], groups=groups_of(spec['name']),
              url='/user/%s/' % spec['name'], created=None, last_activity=None, orm_spawners={})
    user.progress_url = lambda name='': '/hub/api/users/%s/server/progress' % user.name
    user.spawners = {}
    for name in spec.get('servers', []):
        sp = NS(name=name, user=user, pending=None, ready=True, active=True, user_options={},
                orm_spawner=NS(name=name, last_activity=None, started=None))
        sp.get_state = lambda: {'pid': 1}
        user.spawners[name] = sp
    user.running = '' in user.spawners
    return user

def run(req, i):
    op = req['op']
    if op == 'definitions':
        return scopes.scope_definitions
    if op == 'default_roles':
        return roles.get_default_roles()
    if op == 'self':
        return sorted(scopes._expand_self_scope(req['user']))
    if op == 'expand_scope':
        return sorted(scopes._expand_scope(req['scope']))
    if op == 'expand':
        return sorted(scopes.expand_scopes.__wrapped__(req['scopes'], owner=owner_of(req.get('owner')), oauth_client=client_of(req.get('client'), i)))
    if op == 'intersect':
        return sorted(unwrap(scopes._intersect_expanded_scopes.__wrapped__(frozenset(req['a']), frozenset(req['b']), db=db if req['db'] else None)))
    if op == 'check_access':
        try:
            return bool(scopes._check_scope_access(FakeHandler(req['held']), req['scope'], **{k[:-5]: v for k, v in req['args'].items()}))
        except Exception as e:
            return 'HTTP %s' % getattr(e, 'status_code', type(e).__name__)
    if op == 'user_model':
        m = FakeHandler(req['held']).user_model(fake_user(req['user']))
        return {'keys': sorted(m), 'servers': {k: sorted(v) for k, v in m.get('servers', {}).items()}}
    if op == 'group_model':
        g = NS(name=req['group'], roles=[], users=[])
        return sorted(FakeHandler(req['held']).group_model(g))
    if op == 'service_model':
        s = NS(name=req['service'], roles=[], admin=False, url='http://x', server=NS(base_url='/services/x/'), command=['x'], proc=NS(pid=3), info={}, display=True)
        return sorted(FakeHandler(req['held']).service_model(s))
    if op == 'check_scopes_exist':
        scopes._check_scopes_exist(req['scopes'], who_for=req.get('whoFor'))
        return True
    if op == 'define_custom_scopes':
        saved = dict(scopes.scope_definitions)
        try:
            scopes.define_custom_scopes(req['scopes'])
            wanted = [x for x in req.get('expand', []) if x.partition('!')[0] in scopes.scope_definitions]
            return sorted(scopes.expand_scopes.__wrapped__(wanted))
        finally:
            scopes.scope_definitions.clear()
            scopes.scope_definitions.update(saved)
    if op == 'validate_role_name':
        return roles._validate_role_name(req['name'])
    if op == 'endpoints':
        from jupyterhub import apihandlers
        found = []
        for pattern, handler in apihandlers.default_handlers:
            for method in ('get', 'post', 'put', 'patch', 'delete'):
                f = getattr(handler, method, None)
                if f is None or f.__qualname__.startswith('RequestHandler.'):
                    continue
                cells = dict(zip(f.__code__.co_freevars, [c.cell_contents for c in (f.__closure__ or ())]))
                needed = cells.get('scopes')
                found.append({'pattern': pattern, 'method': method.upper(), 'scopes': list(needed) if needed else None})
        return found
    raise ValueError('unknown op ' + op)

out = []
for i, req in enumerate(data['requests']):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        try:
            value = run(req, i)
            out.append({'ok': True, 'value': value, 'warnings': [str(w.message) for w in caught]})
        except Exception as e:
            out.append({'ok': False, 'error': str(e.args[0]) if e.args else str(e), 'type': type(e).__name__, 'warnings': [str(w.message) for w in caught]})
json.dump(out, sys.stdout)
`;

function isResponseList(v: unknown, n: number): v is PyResponse[] {
  return Array.isArray(v) && v.length === n && v.every((r) => typeof r === 'object' && r !== null && 'ok' in r);
}

/**
 * Run `requests` through JupyterHub in one python process. `membership` (user -> groups) fills the db used by
 * intersections (`db: true`), group-filter checks and model filters.
 */
export async function runPythonScopes(requests: readonly PyRequest[], membership: Readonly<Record<string, readonly string[]>> = {}): Promise<PyResponse[]> {
  // cwd outside the jupyterhub package: its traitlets.py would shadow the real traitlets.
  const child = spawn(SYSTEM_PYTHON, ['-c', SCRIPT], { cwd: tmpdir(), stdio: ['pipe', 'pipe', 'pipe'] });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on('data', (b: Buffer) => stdout.push(b));
  child.stderr.on('data', (b: Buffer) => stderr.push(b));
  child.stdin.end(JSON.stringify({ requests, membership }));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0) {
    throw new Error(`${SYSTEM_PYTHON} failed with ${String(code)} (is Debian's jupyterhub installed? apt-get install -y jupyterhub):\n` +
      Buffer.concat(stderr).toString());
  }
  const parsed: unknown = JSON.parse(Buffer.concat(stdout).toString());
  if (!isResponseList(parsed, requests.length)) throw new Error('unexpected output from the python scope script');
  return parsed;
}

/** The value of a successful response; throws with JupyterHub's error otherwise. */
export function pyValue(r: PyResponse | undefined): unknown {
  if (r === undefined) throw new Error('missing python response');
  if (!r.ok) throw new Error(`JupyterHub raised ${r.type}: ${r.error}`);
  return r.value;
}

export function pyStrings(r: PyResponse | undefined): string[] {
  const v = pyValue(r);
  if (!Array.isArray(v) || !v.every((s): s is string => typeof s === 'string')) throw new Error(`expected a list of strings, got ${JSON.stringify(v)}`);
  return v;
}
