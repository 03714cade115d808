/**
 * The migration paths on a real PostgreSQL server. JupyterHub cannot connect here (Debian's python3 has no
 * psycopg2), so its database is made from the DDL its models compile to, stamped as alembic stamps it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Knex } from 'knex';
import { openDatabase } from '../../src/daemon/db/connection.js';
import { parseDbUrl, type DbTarget } from '../../src/daemon/db/db-url.js';
import { initializeSchema, resetDb, schemaStatus, upgradeDb } from '../../src/daemon/db/migrate.js';
import { MIGRATOR_CONFIG } from '../../src/daemon/db/migrations/index.js';
import { createUsers, countUsers } from '../../src/daemon/db/users-repo.js';
import { isHubError } from '../../src/lib/errors.js';
import { silentLogger } from '../../src/lib/log.js';
import { jupyterhubPostgresDdl } from '../helpers/jupyterhub-db.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';

const M1 = '0001_jupyterhub_3_0_schema';
const M2 = '0002_groups_properties';
const M3 = '0003_hub_blocked_users';

let pg: TestPostgres;
before(async () => { pg = await startPostgres(); });
after(async () => { await pg?.stop(); });

async function fresh(): Promise<{ db: Knex; target: DbTarget }> {
  const target = parseDbUrl(await pg.newDatabase(), '/');
  return { db: await openDatabase(target, { log: silentLogger }), target };
}

async function jupyterhubMade(revision = '651f5419b74d'): Promise<{ db: Knex; target: DbTarget }> {
  const made = await fresh();
  await made.db.raw(await jupyterhubPostgresDdl());
  await made.db.raw('CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))');
  await made.db('alembic_version').insert({ version_num: revision });
  await made.db('users').insert({ name: 'alice', admin: true, cookie_id: 'c1' });
  return made;
}

async function names(db: Knex): Promise<string[]> {
  if (!(await db.schema.hasTable('knex_migrations'))) return [];
  const rows: unknown = await db('knex_migrations').select('name').orderBy('id');
  return (rows as Array<{ name: string }>).map((r) => r.name);
}

describe('migrations on PostgreSQL', () => {
  it('goes from empty to current; and upgrades an outdated database without a backup', async () => {
    const { db, target } = await fresh();
    try {
      assert.deepEqual(await schemaStatus(db), { state: 'empty' });
      await db.migrate.up(MIGRATOR_CONFIG);
      assert.deepEqual(await schemaStatus(db), { state: 'outdated', pending: [M2, M3] });
      assert.deepEqual(await upgradeDb(db, target, { log: silentLogger }), { backup: null, applied: [M2, M3] });
      assert.deepEqual(await schemaStatus(db), { state: 'current' });
      assert.deepEqual(await initializeSchema(db), []);
    } finally {
      await db.destroy();
    }
  });

  it('adopts a JupyterHub 3.0 database, keeping its rows', async () => {
    const { db, target } = await jupyterhubMade();
    try {
      assert.deepEqual(await schemaStatus(db), { state: 'outdated', pending: [M2, M3], adopt: { alembicRevision: '651f5419b74d', migrations: [M1] } });
      assert.deepEqual(await upgradeDb(db, target, { log: silentLogger }), { backup: null, applied: [M2, M3] });
      assert.deepEqual(await names(db), [M1, M2, M3]);
      assert.equal(await db.schema.hasColumn('groups', 'properties'), true);
      assert.equal(await countUsers(db), 1);
      assert.deepEqual(await schemaStatus(db), { state: 'current' });
    } finally {
      await db.destroy();
    }
  });

  it('rolls everything back, bookkeeping included, when a step fails', async () => {
    const { db, target } = await jupyterhubMade();
    try {
      await db.raw(`CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'refused by test'; END $$ LANGUAGE plpgsql`);
      await db.raw('CREATE TRIGGER no_bump BEFORE UPDATE ON alembic_version FOR EACH ROW EXECUTE FUNCTION refuse()');
      await assert.rejects(upgradeDb(db, target, { log: silentLogger }), (err: unknown) => {
        assert.ok(isHubError(err));
        assert.equal(err.code, 'DB_ERROR');
        assert.match(err.message, /refused by test/);
        return true;
      });
      assert.equal(await db.schema.hasTable('knex_migrations'), false);
      assert.equal(await db.schema.hasColumn('groups', 'properties'), false);
    } finally {
      await db.destroy();
    }
  });

  it('refuses older JupyterHub revisions with the way out', async () => {
    const { db } = await jupyterhubMade('4dc2d5a8c53c');
    try {
      const status = await schemaStatus(db);
      assert.equal(status.state, 'unknown');
      assert.match(status.state === 'unknown' ? status.detail : '', /jupyterhub upgrade-db/);
    } finally {
      await db.destroy();
    }
  });

  it('resets to an empty schema at head', async () => {
    const { db } = await fresh();
    try {
      await initializeSchema(db);
      await createUsers(db, ['x', 'y']);
      assert.deepEqual(await resetDb(db), [M1, M2, M3]);
      assert.equal(await countUsers(db), 0);
      assert.deepEqual(await schemaStatus(db), { state: 'current' });
    } finally {
      await db.destroy();
    }
  });
});
