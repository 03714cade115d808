/**
 * Databases and hashes made by the REAL JupyterHub 3.0 (Debian's python3-jupyterhub, run with
 * /usr/bin/python3, not whatever python3 is first on PATH), so tests compare against JupyterHub itself
 * rather than against our reading of it.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const SYSTEM_PYTHON = '/usr/bin/python3';

async function python(script: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run(SYSTEM_PYTHON, ['-c', script, ...args], { maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const stderr = typeof err === 'object' && err !== null && 'stderr' in err ? String(err.stderr) : '';
    throw new Error(`${SYSTEM_PYTHON} failed (is Debian's jupyterhub installed? apt-get install -y jupyterhub): ` +
      `${err instanceof Error ? err.message : String(err)}\n${stderr}`);
  }
}

const MAKE_DB = `
import json, sys
from datetime import datetime
from jupyterhub import orm
db = orm.new_session_factory(sys.argv[1])()
# app.py init_db creates this client at every start; tokens point at it.
db.add(orm.OAuthClient(identifier='jupyterhub', secret='', redirect_uri='', description='JupyterHub'))
alice = orm.User(name='alice', admin=True)
alice.last_activity = datetime(2026, 11, 25, 17, 1, 37, 276739)
bob = orm.User(name='bob')
db.add_all([alice, bob])
db.commit()
group = orm.Group(name='staff')
group.users = [alice, bob]
role = orm.Role(name='auditor', description='reads users', scopes=['read:users'])
role.users.append(bob)
service = orm.Service(name='monitor', admin=False)
db.add_all([group, role, service])
db.commit()
alice_token = alice.new_api_token(note='made by jupyterhub')
bob_token = 'bob-chose-this-token'
bob.new_api_token(token=bob_token, generated=False, note='chosen by bob', expires_in=3600)
service_token = service.new_api_token(note='service token')
print(json.dumps({'aliceToken': alice_token, 'bobToken': bob_token, 'serviceToken': service_token}))
`;

export interface JupyterhubFixture {
  /** A generated token of alice (admin): uuid4 hex, hashed with 1 round. */
  aliceToken: string;
  /** A token bob chose: hashed with 16384 rounds, expires in an hour. */
  bobToken: string;
  /** A generated token of the service `monitor`. */
  serviceToken: string;
}

function isFixture(v: unknown): v is JupyterhubFixture {
  return typeof v === 'object' && v !== null &&
    'aliceToken' in v && typeof v.aliceToken === 'string' &&
    'bobToken' in v && typeof v.bobToken === 'string' &&
    'serviceToken' in v && typeof v.serviceToken === 'string';
}

/**
 * Let JupyterHub 3.0 create its schema at `dbUrl` (an SQLAlchemy URL, e.g. `sqlite:////tmp/x/jupyterhub.sqlite`)
 * and add: users alice (admin, last_activity 2026-11-25 17:01:37.276739) and bob; group `staff` with both;
 * role `auditor` (scopes read:users) granted to bob; service `monitor`; three API tokens, returned.
 */
export async function makeJupyterhubDb(dbUrl: string): Promise<JupyterhubFixture> {
  const out = await python(MAKE_DB, [dbUrl]);
  const parsed: unknown = JSON.parse(out.trim().split('\n').pop() ?? '');
  if (!isFixture(parsed)) throw new Error(`unexpected output from the JupyterHub script: ${out}`);
  return parsed;
}

const PG_DDL = `
from sqlalchemy import create_mock_engine
from jupyterhub import orm
statements = []
engine = create_mock_engine('postgresql://', lambda sql, *a, **k: statements.append(str(sql.compile(dialect=engine.dialect)).strip()))
orm.Base.metadata.create_all(engine, checkfirst=False)
print(';\\n'.join(statements) + ';')
`;

/** The DDL JupyterHub 3.0's SQLAlchemy models compile to for PostgreSQL (no driver needed to compile). */
export async function jupyterhubPostgresDdl(): Promise<string> {
  return python(PG_DDL, []);
}

const HASH = `
import sys
from jupyterhub.utils import hash_token
print(hash_token(sys.argv[1], salt=int(sys.argv[2]), rounds=int(sys.argv[3])))
`;

/** jupyterhub.utils.hash_token(token, salt=<saltBytes>, rounds=<rounds>) computed by Python. */
export async function jupyterhubHashToken(token: string, rounds: number, saltBytes = 8): Promise<string> {
  return (await python(HASH, [token, String(saltBytes), String(rounds)])).trim();
}

const READ_BACK = `
import json, sys
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker
from jupyterhub import orm
# Straight to the ORM, past new_session_factory's revision check: JupyterHub 3.0 would refuse a database at
# 4.0's revision, but its models must still read every row we write.
engine = create_engine(sys.argv[1])
orm.register_foreign_keys(engine)
db = sessionmaker(bind=engine)()
token = orm.APIToken.find(db, sys.argv[2])
owner = None
if token is not None:
    owner = token.user.name if token.user is not None else token.service.name
users = [
    {'name': u.name, 'admin': u.admin, 'created': u.created.isoformat() if u.created else None,
     'cookie_id': u.cookie_id, 'groups': sorted(g.name for g in u.groups), 'roles': sorted(r.name for r in u.roles)}
    for u in db.query(orm.User).order_by(orm.User.id)
]
print(json.dumps({'tokenOwner': owner, 'tokenScopes': token.scopes if token is not None else None, 'users': users}))
`;

export interface JupyterhubReadBack {
  tokenOwner: string | null;
  tokenScopes: string[] | null;
  users: Array<{ name: string; admin: boolean; created: string | null; cookie_id: string; groups: string[]; roles: string[] }>;
}

/** What JupyterHub 3.0's ORM sees in a database: every user, and the owner of `token` via APIToken.find. */
export async function jupyterhubReadBack(dbUrl: string, token: string): Promise<JupyterhubReadBack> {
  const parsed: unknown = JSON.parse((await python(READ_BACK, [dbUrl, token])).trim().split('\n').pop() ?? '');
  if (typeof parsed !== 'object' || parsed === null || !('users' in parsed) || !Array.isArray(parsed.users)) {
    throw new Error('unexpected output from the JupyterHub read-back script');
  }
  return parsed as JupyterhubReadBack;
}
