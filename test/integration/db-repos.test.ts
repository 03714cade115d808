/**
 * The repositories, the same checks on a SQLite file and on a real PostgreSQL server; then the rows of a
 * JupyterHub-made database read by us, and our rows read by JupyterHub's ORM.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Knex } from 'knex';
import { openDatabase } from '../../src/daemon/db/connection.js';
import { parseDbUrl } from '../../src/daemon/db/db-url.js';
import {
  addGroupMembers, createGroup, getGroupByName, groupsOfUsers, listGroupMembers, listGroups, listGroupsOfUser, setGroupProperties,
} from '../../src/daemon/db/groups-repo.js';
import { initializeSchema, upgradeDb } from '../../src/daemon/db/migrate.js';
import { createRole, grantRoleToUser, listRolesOfUser, rolesOfUsers } from '../../src/daemon/db/roles-repo.js';
import { createToken, deleteToken, findToken, listTokens } from '../../src/daemon/db/tokens-repo.js';
import { clearServer, ensureSpawner, getSpawner, setServer } from '../../src/daemon/db/spawners-repo.js';
import {
  countUsers, createUsers, deleteUser, getUserByName, listUsers, setAdmin,
} from '../../src/daemon/db/users-repo.js';
import { isHubError } from '../../src/lib/errors.js';
import { createLogger, silentLogger } from '../../src/lib/log.js';
import { jupyterhubReadBack, makeJupyterhubDb } from '../helpers/jupyterhub-db.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';

/** SQLAlchemy's text on SQLite; PostgreSQL stores a TIMESTAMP and prints it with trailing zeros trimmed. */
const NAIVE_UTC = { sqlite: /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/, postgres: /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?$/ };

function hubError(code: string) {
  return (err: unknown): boolean => {
    assert.ok(isHubError(err), String(err));
    assert.equal(err.code, code);
    return true;
  };
}

function repoSuite(name: string, kind: 'sqlite' | 'postgres', openDb: (debugLines?: string[]) => Promise<Knex>): void {
  describe(`repositories on ${name}`, () => {
    let db: Knex;
    const debugLines: string[] = [];
    before(async () => {
      db = await openDb(debugLines);
      await initializeSchema(db);
    });
    after(async () => { await db?.destroy(); });

    it('creates users with uuid4-hex cookie ids and naive-UTC created times', async () => {
      const t0 = Date.now();
      const users = await createUsers(db, ['ann', 'ben', 'Bea'], { admin: false });
      assert.deepEqual(users.map((u) => [u.name, u.admin]), [['ann', false], ['ben', false], ['Bea', false]]);
      for (const u of users) assert.match(u.cookie_id, /^[0-9a-f]{32}$/);
      assert.equal(new Set(users.map((u) => u.cookie_id)).size, 3);
      const created = users[0]?.created?.getTime() ?? 0;
      assert.ok(created >= t0 - 1000 && created <= Date.now() + 1000, `created ${created} vs ${t0}`);
      const raw: unknown = await db('users').select('created').where({ name: 'ann' }).first();
      assert.match(String((raw as { created: unknown }).created), NAIVE_UTC[kind]);
    });

    it('creates all users or none', async () => {
      await assert.rejects(createUsers(db, ['cat', 'ann']), hubError('CONFLICT'));
      assert.equal(await getUserByName(db, 'cat'), null);
    });

    it('lists with offset, limit, JupyterHub\'s name_filter (ILIKE %x%) and the total', async () => {
      const all = await listUsers(db);
      assert.deepEqual(all.rows.map((u) => u.name), ['ann', 'ben', 'Bea']);
      assert.equal(all.total, 3);
      const page = await listUsers(db, { offset: 1, limit: 1 });
      assert.deepEqual(page.rows.map((u) => u.name), ['ben']);
      assert.equal(page.total, 3);
      const filtered = async (nameFilter: string): Promise<string[]> => (await listUsers(db, { nameFilter })).rows.map((u) => u.name);
      const b = await listUsers(db, { nameFilter: 'B' });
      assert.deepEqual([b.rows.map((u) => u.name), b.total], [['ben', 'Bea'], 2], 'any case');
      assert.deepEqual(await filtered('n'), ['ann', 'ben'], 'anywhere in the name, not a prefix');
      assert.deepEqual(await filtered('a_n'), ['ann'], '_ is one character');
      assert.deepEqual(await filtered('%'), ['ann', 'ben', 'Bea'], '% is any text');
      await createUsers(db, ['c\\d', 'c_d']);
      // The backslash is the one difference between the databases, in JupyterHub too: PostgreSQL's LIKE escape.
      assert.deepEqual(await filtered('c\\'), kind === 'postgres' ? [] : ['c\\d']);
      assert.deepEqual(await filtered('c\\_'), kind === 'postgres' ? ['c_d'] : ['c\\d']);
      for (const n of ['c\\d', 'c_d']) await deleteUser(db, n);
      assert.equal(await countUsers(db), 3);
    });

    it('sets admin and deletes users', async () => {
      assert.equal(await setAdmin(db, 'ben', true), true);
      assert.equal((await getUserByName(db, 'ben'))?.admin, true);
      assert.equal(await setAdmin(db, 'nobody', true), false);
      assert.equal(await deleteUser(db, 'Bea'), true);
      assert.equal(await deleteUser(db, 'Bea'), false);
      assert.equal(await countUsers(db), 2);
    });

    it('keeps groups, members and properties', async () => {
      const ann = await getUserByName(db, 'ann');
      const ben = await getUserByName(db, 'ben');
      assert.ok(ann && ben);
      const g = await createGroup(db, 'physics');
      assert.deepEqual(g.properties, {});
      await addGroupMembers(db, g.id, [ann.id, ben.id]);
      await addGroupMembers(db, g.id, [ann.id]);
      const chem = await createGroup(db, 'chemistry', { course: 'CH101' });
      await addGroupMembers(db, chem.id, [ann.id]);
      // In id order, as JupyterHub's user.groups: the group made first comes first, whatever its name.
      assert.deepEqual(await listGroupsOfUser(db, ann.id), ['physics', 'chemistry']);
      assert.deepEqual(await listGroupMembers(db, g.id), ['ann', 'ben']);
      assert.deepEqual(await groupsOfUsers(db, [ann.id, ben.id]), new Map([[ann.id, ['physics', 'chemistry']], [ben.id, ['physics']]]));
      assert.equal(await setGroupProperties(db, 'physics', { room: 42 }), true);
      assert.deepEqual((await getGroupByName(db, 'physics'))?.properties, { room: 42 });
      assert.equal((await listGroups(db, { limit: 1 })).total, 2);
      await assert.rejects(createGroup(db, 'physics'), hubError('CONFLICT'));
    });

    it('forgets when a server started once it stops (user.py stop: started = None)', async () => {
      const ann = await getUserByName(db, 'ann');
      assert.ok(ann);
      const sp = await ensureSpawner(db, ann.id, 'lab');
      const started = new Date();
      await setServer(db, sp.id, { proto: 'http', ip: '127.0.0.1', port: 9999, base_url: '/user/ann/lab/', cookie_name: 'c' }, { started });
      assert.equal((await getSpawner(db, ann.id, 'lab'))?.started?.getTime(), started.getTime());
      await clearServer(db, sp.id, { state: {} });
      const stopped = await getSpawner(db, ann.id, 'lab');
      assert.equal(stopped?.started, null);
      assert.equal(stopped?.server, null);
    });

    it('keeps roles and grants', async () => {
      const ann = await getUserByName(db, 'ann');
      assert.ok(ann);
      const role = await createRole(db, { name: 'grader', description: 'grades', scopes: ['read:users', 'list:users'] });
      await grantRoleToUser(db, role.id, ann.id);
      assert.deepEqual(await listRolesOfUser(db, ann.id), [{ id: role.id, name: 'grader', description: 'grades', scopes: ['read:users', 'list:users'] }]);
      assert.deepEqual(await rolesOfUsers(db, [ann.id]), new Map([[ann.id, ['grader']]]));
    });

    it('creates tokens JupyterHub-style and finds them by prefix and hash only', async () => {
      const ann = await getUserByName(db, 'ann');
      assert.ok(ann);
      const { token, row } = await createToken(db, { userId: ann.id }, { note: 'cli', scopes: ['read:users'] });
      assert.match(token, /^[0-9a-f]{32}$/);
      assert.equal(row.prefix, token.slice(0, 4));
      assert.equal(row.client_id, 'jupyterhub');
      assert.deepEqual(row.scopes, ['read:users']);
      const stored: unknown = await db('api_tokens').select('hashed').where({ id: row.id }).first();
      assert.match(String((stored as { hashed: unknown }).hashed), /^sha512:1:[0-9a-f]{16}:[0-9a-f]{128}$/);

      debugLines.length = 0;
      const found = await findToken(db, token);
      assert.equal(found?.user?.name, 'ann');
      assert.equal(found?.token.id, row.id);
      const lookup = debugLines.find((l) => /from .api_tokens./.test(l));
      assert.ok(lookup && /prefix. = [?$]/.test(lookup), `lookup by prefix: ${debugLines.join('\n')}`);
      assert.ok(!debugLines.some((l) => l.includes(token) || l.includes(token.slice(0, 4))), 'no token material in the debug log');

      assert.equal(await findToken(db, token.replace(/.$/, (c) => (c === '0' ? '1' : '0'))), null);
      assert.equal(await findToken(db, 'abc'), null);
    });

    it('hashes chosen tokens with 16384 rounds, refuses short or colliding ones, ignores expired ones', async () => {
      const ben = await getUserByName(db, 'ben');
      assert.ok(ben);
      const chosen = await createToken(db, { userId: ben.id }, { token: 'ben-picked-this-one' });
      const stored: unknown = await db('api_tokens').select('hashed').where({ id: chosen.row.id }).first();
      assert.match(String((stored as { hashed: unknown }).hashed), /^sha512:16384:/);
      assert.equal((await findToken(db, 'ben-picked-this-one'))?.user?.name, 'ben');
      await assert.rejects(createToken(db, { userId: ben.id }, { token: 'ben-picked-this-one' }), hubError('CONFLICT'));
      await assert.rejects(createToken(db, { userId: ben.id }, { token: 'short' }), hubError('USAGE'));

      const expired = await createToken(db, { userId: ben.id }, { expiresInSeconds: -5 });
      assert.ok(expired.row.expires_at !== null && expired.row.expires_at.getTime() < Date.now());
      assert.equal(await findToken(db, expired.token), null);
    });

    it('lists and deletes tokens, and serves service tokens', async () => {
      const ben = await getUserByName(db, 'ben');
      assert.ok(ben);
      assert.equal((await listTokens(db, { userId: ben.id })).length, 2);
      await db('services').insert({ name: 'grader-svc', admin: false });
      const svc: unknown = await db('services').select('id').where({ name: 'grader-svc' }).first();
      const serviceId = Number((svc as { id: unknown }).id);
      const s = await createToken(db, { serviceId });
      const found = await findToken(db, s.token, { kind: 'service' });
      assert.deepEqual(found?.service, { id: serviceId, name: 'grader-svc', admin: false });
      assert.equal(found?.token.service_name, 'grader-svc');
      assert.equal(await findToken(db, s.token, { kind: 'user' }), null);
      assert.equal((await listTokens(db, {})).length, 4);
      assert.equal(await deleteToken(db, s.row.id, { userId: ben.id }), false, 'not ben\'s token');
      assert.equal(await deleteToken(db, s.row.id), true);
      assert.equal(await findToken(db, s.token), null);
      await deleteUser(db, 'ben');
      assert.deepEqual(await listTokens(db, { userId: ben.id }), [], 'tokens go with their user');
    });
  });
}

let dir: string;
let pg: TestPostgres;
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'hub-repos-'));
  pg = await startPostgres();
});
after(async () => {
  await pg?.stop();
  await rm(dir, { recursive: true, force: true });
});

function capture(lines: string[] | undefined) {
  return createLogger({ level: 10, format: '%(message)s', datefmt: '', write: (l) => lines?.push(l) });
}

repoSuite('SQLite', 'sqlite', (lines) =>
  openDatabase(parseDbUrl('sqlite:///repos.sqlite', dir), { log: capture(lines), debugDb: true }));
repoSuite('PostgreSQL', 'postgres', async (lines) =>
  openDatabase(parseDbUrl(await pg.newDatabase(), dir), { log: capture(lines), debugDb: true }));

describe('sharing a database with JupyterHub 3.0', () => {
  it('reads what JupyterHub wrote, and JupyterHub reads what we write', async () => {
    const file = path.join(dir, 'shared.sqlite');
    const fixture = await makeJupyterhubDb(`sqlite:///${file}`);
    const target = parseDbUrl(`sqlite:///${file}`, dir);
    const db = await openDatabase(target, { log: silentLogger });
    try {
      await upgradeDb(db, target, { log: silentLogger });
      const alice = await getUserByName(db, 'alice');
      assert.equal(alice?.admin, true);
      assert.equal(alice?.last_activity?.toISOString(), '2026-11-25T17:01:37.276Z');
      const bob = await getUserByName(db, 'bob');
      assert.ok(alice && bob);
      assert.deepEqual(await listGroupsOfUser(db, bob.id), ['staff']);
      assert.deepEqual((await getGroupByName(db, 'staff'))?.properties, {}, 'NULL properties read as {}');
      assert.deepEqual((await listRolesOfUser(db, bob.id)).map((r) => [r.name, r.scopes]), [['auditor', ['read:users']]]);

      assert.equal((await findToken(db, fixture.aliceToken))?.user?.name, 'alice');
      assert.equal((await findToken(db, fixture.bobToken))?.user?.name, 'bob');
      const svc = await findToken(db, fixture.serviceToken);
      assert.equal(svc?.service?.name, 'monitor');
      assert.equal(svc?.user, null);
      assert.deepEqual(svc?.token.scopes, ['inherit']);
      assert.equal(await findToken(db, fixture.aliceToken.slice(0, 31) + 'x'), null);

      const [carol] = await createUsers(db, ['carol'], { admin: true });
      assert.ok(carol);
      const group = await getGroupByName(db, 'staff');
      assert.ok(group);
      await addGroupMembers(db, group.id, [carol.id]);
      const { token } = await createToken(db, { userId: carol.id }, { scopes: ['read:users'] });
      const seen = await jupyterhubReadBack(`sqlite:///${file}`, token);
      assert.equal(seen.tokenOwner, 'carol');
      assert.deepEqual(seen.tokenScopes, ['read:users']);
      const carolSeen = seen.users.find((u) => u.name === 'carol');
      assert.deepEqual(carolSeen && [carolSeen.admin, carolSeen.cookie_id, carolSeen.groups], [true, carol.cookie_id, ['staff']]);
      assert.equal(carolSeen?.created && new Date(`${carolSeen.created}Z`).getTime(), carol.created?.getTime());
    } finally {
      await db.destroy();
    }
  });
});
