/**
 * Our migrations produce JupyterHub 3.0's schema (plus JupyterHub 4's groups.properties), compared with
 * what the real JupyterHub creates: on SQLite the stored DDL text must be identical, on PostgreSQL the
 * catalog (columns, constraints, indexes) must be.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Knex } from 'knex';
import { enableWal, openDatabase } from '../../src/daemon/db/connection.js';
import { parseDbUrl } from '../../src/daemon/db/db-url.js';
import { initializeSchema } from '../../src/daemon/db/migrate.js';
import { MIGRATOR_CONFIG } from '../../src/daemon/db/migrations/index.js';
import { silentLogger } from '../../src/lib/log.js';
import { jupyterhubPostgresDdl, makeJupyterhubDb } from '../helpers/jupyterhub-db.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';

/** What alembic revision 0eee8c825d24 runs (op.add_column with a JSONDict, i.e. TEXT). */
const JUPYTERHUB_4_ALTER = 'ALTER TABLE groups ADD COLUMN properties TEXT';
// knex's bookkeeping and hub's own tables (hub_*) are not JupyterHub's and are compared separately.
const OURS_ONLY = new Set(['knex_migrations', 'knex_migrations_lock', 'hub_blocked_users']);

function open(url: string, cwd = os.tmpdir()): Promise<Knex> {
  return openDatabase(parseDbUrl(url, cwd), { log: silentLogger });
}

async function rows(db: Knex, sql: string): Promise<Record<string, unknown>[]> {
  const result: unknown = await db.raw(sql);
  // sqlite3 returns the rows; pg returns a result object holding them.
  const list: unknown = Array.isArray(result) ? result : (result as { rows?: unknown }).rows;
  assert.ok(Array.isArray(list));
  return list as Record<string, unknown>[];
}

async function sqliteDdl(db: Knex): Promise<Map<string, unknown>> {
  const all = await rows(db, "SELECT name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name");
  return new Map(all.filter((r) => !OURS_ONLY.has(String(r.name))).map((r) => [String(r.name), r.sql]));
}

describe('schema on SQLite', () => {
  let dir: string;
  before(async () => { dir = await mkdtemp(path.join(os.tmpdir(), 'hub-schema-')); });
  after(async () => { await rm(dir, { recursive: true, force: true }); });

  it('creates exactly the DDL JupyterHub stores, at 3.0 and after the 4.0 groups.properties step', async () => {
    const jhFile = path.join(dir, 'jupyterhub.sqlite');
    await makeJupyterhubDb(`sqlite:///${jhFile}`);
    const jh = await open(`sqlite:///${jhFile}`);
    const ours = await open(`sqlite:///${path.join(dir, 'ours.sqlite')}`);
    try {
      await ours.migrate.up(MIGRATOR_CONFIG);
      const jhDdl = await sqliteDdl(jh);
      assert.equal(jhDdl.size, 15, 'JupyterHub 3.0 has 14 tables, alembic_version and one index');
      assert.deepEqual(await sqliteDdl(ours), jhDdl);

      await ours.migrate.latest(MIGRATOR_CONFIG);
      await jh.raw(JUPYTERHUB_4_ALTER);
      assert.deepEqual(await sqliteDdl(ours), await sqliteDdl(jh));
      const version = await rows(ours, 'SELECT version_num FROM alembic_version');
      assert.deepEqual(version, [{ version_num: '0eee8c825d24' }]);
    } finally {
      await jh.destroy();
      await ours.destroy();
    }
  });

  it('turns on WAL (only when asked, after the schema is known), foreign keys and a busy timeout on a file database', async () => {
    const url = `sqlite:///${path.join(dir, 'wal.sqlite')}`;
    const db = await open(url);
    try {
      await initializeSchema(db);
      assert.deepEqual(await rows(db, 'PRAGMA journal_mode'), [{ journal_mode: 'delete' }], 'opening does not change the file');
      await enableWal(db, parseDbUrl(url, dir));
      assert.deepEqual(await rows(db, 'PRAGMA journal_mode'), [{ journal_mode: 'wal' }]);
      assert.deepEqual(await rows(db, 'PRAGMA foreign_keys'), [{ foreign_keys: 1 }]);
      assert.deepEqual(await rows(db, 'PRAGMA busy_timeout'), [{ timeout: 5000 }]);
    } finally {
      await db.destroy();
    }
  });

  it('works in memory (no WAL there) with every table', async () => {
    const db = await open('sqlite://');
    try {
      assert.deepEqual(await initializeSchema(db), ['0001_jupyterhub_3_0_schema', '0002_groups_properties', '0003_hub_blocked_users']);
      assert.deepEqual(await rows(db, 'PRAGMA journal_mode'), [{ journal_mode: 'memory' }]);
      assert.deepEqual(await rows(db, 'PRAGMA foreign_keys'), [{ foreign_keys: 1 }]);
      const names = (await sqliteDdl(db)).keys();
      assert.deepEqual([...names].sort(), [
        'alembic_version', 'api_tokens', 'group_role_map', 'groups', 'ix_api_tokens_prefix', 'oauth_clients', 'oauth_codes',
        'roles', 'servers', 'service_role_map', 'services', 'spawners', 'user_group_map', 'user_role_map', 'users',
      ]);
      assert.equal(await db.schema.hasTable('hub_blocked_users'), true, "hub's own table is there too");
    } finally {
      await db.destroy();
    }
  });
});

async function pgCatalog(db: Knex): Promise<unknown> {
  const skip = "('alembic_version', 'knex_migrations', 'knex_migrations_lock', 'hub_blocked_users')";
  return {
    columns: await rows(db, `SELECT table_name, column_name, ordinal_position, data_type, character_maximum_length,
        is_nullable, column_default FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name NOT IN ${skip} ORDER BY table_name, ordinal_position`),
    constraints: await rows(db, `SELECT conrelid::regclass::text AS table_name, conname, pg_get_constraintdef(oid) AS def
      FROM pg_constraint WHERE connamespace = current_schema()::regnamespace
        AND conrelid::regclass::text NOT IN ${skip} ORDER BY 1, 2`),
    indexes: await rows(db, `SELECT tablename, indexname, indexdef FROM pg_indexes
      WHERE schemaname = current_schema() AND tablename NOT IN ${skip} ORDER BY 1, 2`),
  };
}

describe('schema on PostgreSQL', () => {
  let pg: TestPostgres;
  before(async () => { pg = await startPostgres(); });
  after(async () => { await pg?.stop(); });

  it('has the catalog JupyterHub 3.0 models compile to, plus groups.properties', async () => {
    const jh = await open(await pg.newDatabase());
    const ours = await open(await pg.newDatabase());
    try {
      await jh.raw(await jupyterhubPostgresDdl());
      await jh.raw(JUPYTERHUB_4_ALTER);
      assert.deepEqual(await initializeSchema(ours), ['0001_jupyterhub_3_0_schema', '0002_groups_properties', '0003_hub_blocked_users']);
      const expected = await pgCatalog(jh);
      assert.ok(JSON.stringify(expected).includes('fk_api_tokens_client_id_oauth_clients'));
      assert.deepEqual(await pgCatalog(ours), expected);
      assert.deepEqual(await rows(ours, 'SELECT version_num FROM alembic_version'), [{ version_num: '0eee8c825d24' }]);
      const pk = await rows(ours, "SELECT conname FROM pg_constraint WHERE conrelid = 'alembic_version'::regclass");
      assert.deepEqual(pk, [{ conname: 'alembic_version_pkc' }]);
    } finally {
      await jh.destroy();
      await ours.destroy();
    }
  });

  it('connects through the unix socket form of db_url', async () => {
    const db = await open(pg.socketUrl);
    try {
      assert.deepEqual(await rows(db, 'SELECT 1 AS one'), [{ one: 1 }]);
    } finally {
      await db.destroy();
    }
  });
});
