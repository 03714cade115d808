/**
 * schemaStatus / initializeSchema / upgradeDb / resetDb on SQLite files, including adoption of a database
 * the real JupyterHub 3.0 made, its backup, and the refusals.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Knex } from 'knex';
import { backupFileName } from '../../src/daemon/db/backup.js';
import { openDatabase } from '../../src/daemon/db/connection.js';
import { parseDbUrl, type DbTarget } from '../../src/daemon/db/db-url.js';
import { initializeSchema, resetDb, schemaStatus, upgradeDb } from '../../src/daemon/db/migrate.js';
import { MIGRATOR_CONFIG } from '../../src/daemon/db/migrations/index.js';
import { isHubError } from '../../src/lib/errors.js';
import { createLogger, silentLogger, strftime } from '../../src/lib/log.js';
import { makeJupyterhubDb, type JupyterhubFixture } from '../helpers/jupyterhub-db.js';

const M1 = '0001_jupyterhub_3_0_schema';
const M2 = '0002_groups_properties';
const M3 = '0003_hub_blocked_users';

let dir: string;
let counter = 0;

async function freshFile(): Promise<{ file: string; target: DbTarget; db: Knex }> {
  const file = path.join(dir, `db${++counter}`, 'jupyterhub.sqlite');
  await mkdir(path.dirname(file));
  const target = parseDbUrl(`sqlite:///${file}`, dir);
  return { file, target, db: await openDatabase(target, { log: silentLogger }) };
}

async function jupyterhubFile(): Promise<{ file: string; target: DbTarget; db: Knex; fixture: JupyterhubFixture }> {
  const file = path.join(dir, `jh${++counter}`, 'jupyterhub.sqlite');
  await mkdir(path.dirname(file));
  const fixture = await makeJupyterhubDb(`sqlite:///${file}`);
  const target = parseDbUrl(`sqlite:///${file}`, dir);
  return { file, target, db: await openDatabase(target, { log: silentLogger }), fixture };
}

async function one(db: Knex, sql: string): Promise<unknown> {
  const rows: unknown = await db.raw(sql);
  assert.ok(Array.isArray(rows));
  return rows;
}

function rejectsWith(code: string, detail?: RegExp) {
  return (err: unknown): boolean => {
    assert.ok(isHubError(err), `expected a HubError, got ${String(err)}`);
    assert.equal(err.code, code);
    if (detail) assert.match(`${err.message} ${err.hint ?? ''}`, detail);
    return true;
  };
}

before(async () => { dir = await mkdtemp(path.join(os.tmpdir(), 'hub-migrate-')); });
after(async () => { await rm(dir, { recursive: true, force: true }); });

describe('schemaStatus and initializeSchema', () => {
  it('goes from empty to current, recording each migration in knex_migrations', async () => {
    const { db } = await freshFile();
    try {
      assert.deepEqual(await schemaStatus(db), { state: 'empty' });
      assert.deepEqual(await initializeSchema(db), [M1, M2, M3]);
      assert.deepEqual(await schemaStatus(db), { state: 'current' });
      assert.deepEqual(await one(db, 'SELECT name FROM knex_migrations ORDER BY id'), [{ name: M1 }, { name: M2 }, { name: M3 }]);
      assert.deepEqual(await initializeSchema(db), [], 'a current database is left alone');
    } finally {
      await db.destroy();
    }
  });

  it('reports a database missing our later migrations as outdated, and refuses to start on it', async () => {
    const { db, target } = await freshFile();
    try {
      await db.migrate.up(MIGRATOR_CONFIG);
      assert.deepEqual(await schemaStatus(db), { state: 'outdated', pending: [M2, M3] });
      await assert.rejects(initializeSchema(db), rejectsWith('DB_SCHEMA_OUTDATED', /hub upgrade-db/));
      const result = await upgradeDb(db, target, { log: silentLogger });
      assert.deepEqual(result.applied, [M2, M3]);
      assert.ok(result.backup !== null);
      assert.deepEqual(await schemaStatus(db), { state: 'current' });
    } finally {
      await db.destroy();
    }
  });

  it('calls tables that are not a hub\'s unknown, and will not touch them', async () => {
    const { db, target } = await freshFile();
    try {
      await db.raw('CREATE TABLE accounts (id INTEGER PRIMARY KEY)');
      const status = await schemaStatus(db);
      assert.equal(status.state, 'unknown');
      assert.match(status.state === 'unknown' ? status.detail : '', /not a hub's \(accounts\)/);
      await assert.rejects(initializeSchema(db), rejectsWith('DB_SCHEMA_UNKNOWN'));
      await assert.rejects(upgradeDb(db, target, { log: silentLogger }), rejectsWith('DB_SCHEMA_UNKNOWN'));
    } finally {
      await db.destroy();
    }
  });

  it('does nothing, and backs nothing up, when upgrading a current database', async () => {
    const { db, target, file } = await freshFile();
    try {
      await initializeSchema(db);
      assert.deepEqual(await upgradeDb(db, target, { log: silentLogger }), { backup: null, applied: [] });
      assert.deepEqual((await readdir(path.dirname(file))).filter((f) => /\.sqlite\.\d/.test(f)), []);
    } finally {
      await db.destroy();
    }
  });
});

describe('adopting a database made by JupyterHub 3.0', () => {
  it('is outdated, adopts migration 1, backs up the file and keeps every row', async () => {
    const { db, target, file } = await jupyterhubFile();
    try {
      const status = await schemaStatus(db);
      assert.deepEqual(status, { state: 'outdated', pending: [M2, M3], adopt: { alembicRevision: '651f5419b74d', migrations: [M1] } });
      await assert.rejects(initializeSchema(db), rejectsWith('DB_SCHEMA_OUTDATED', /JupyterHub/));

      const before = await readFile(file);
      const lines: string[] = [];
      const log = createLogger({ level: 10, format: '%(message)s', datefmt: '', write: (l) => lines.push(l) });
      const started = new Date();
      const result = await upgradeDb(db, target, { log });
      assert.deepEqual(result.applied, [M2, M3]);

      // <db>.YYYY-MM-DD-HHMMSS in local time, as dbutil.backup_db_file names it.
      assert.ok(result.backup !== null);
      const m = /^(.*)\.(\d{4}-\d{2}-\d{2}-\d{6})$/.exec(result.backup);
      assert.ok(m, `backup name ${result.backup}`);
      assert.equal(m[1], file);
      const allowed = [strftime('%Y-%m-%d-%H%M%S', started), strftime('%Y-%m-%d-%H%M%S', new Date())];
      assert.ok(m[2] !== undefined && m[2] >= allowed[0]! && m[2] <= allowed[1]!, `${m[2]} not within ${allowed.join('..')}`);
      assert.deepEqual(await readFile(result.backup), before, 'the backup is a byte copy of the database before the upgrade');
      assert.ok(lines.some((l) => l.includes(`Backing up ${file} => ${result.backup}`)), lines.join('\n'));

      assert.deepEqual(await schemaStatus(db), { state: 'current' });
      assert.deepEqual(await one(db, 'SELECT name FROM knex_migrations ORDER BY id'), [{ name: M1 }, { name: M2 }, { name: M3 }]);
      assert.deepEqual(await one(db, 'SELECT version_num FROM alembic_version'), [{ version_num: '0eee8c825d24' }]);
      assert.deepEqual(await one(db, 'SELECT name, admin FROM users ORDER BY id'), [{ name: 'alice', admin: 1 }, { name: 'bob', admin: 0 }]);
      assert.deepEqual(await one(db, 'SELECT count(*) AS n FROM api_tokens'), [{ n: 3 }]);

      // The backup is still a JupyterHub 3.0 database.
      const backup = await openDatabase(parseDbUrl(`sqlite:///${result.backup}`, dir), { log: silentLogger });
      try {
        assert.deepEqual(await one(backup, 'SELECT version_num FROM alembic_version'), [{ version_num: '651f5419b74d' }]);
        assert.deepEqual(await one(backup, 'SELECT count(*) AS n FROM users'), [{ n: 2 }]);
      } finally {
        await backup.destroy();
      }
    } finally {
      await db.destroy();
    }
  });

  it('rolls the whole upgrade back when a step fails', async () => {
    const { db, target } = await jupyterhubFile();
    try {
      await db.raw("CREATE TRIGGER no_bump BEFORE UPDATE ON alembic_version BEGIN SELECT RAISE(ABORT, 'refused by test'); END");
      await assert.rejects(upgradeDb(db, target, { log: silentLogger }), rejectsWith('DB_ERROR', /refused by test.*|nothing was changed/));
      assert.deepEqual(await one(db, "SELECT name FROM sqlite_master WHERE name LIKE 'knex%'"), []);
      assert.equal(await db.schema.hasColumn('groups', 'properties'), false);
      assert.equal((await schemaStatus(db)).state, 'outdated');
    } finally {
      await db.destroy();
    }
  });

  it("adopts a JupyterHub 4 database (0eee8c825d24 with groups.properties), running only hub's own step", async () => {
    const { db, target } = await jupyterhubFile();
    try {
      await db.raw('ALTER TABLE groups ADD COLUMN properties TEXT');
      await db('alembic_version').update({ version_num: '0eee8c825d24' });
      assert.deepEqual(await schemaStatus(db), {
        state: 'outdated', pending: [M3], adopt: { alembicRevision: '0eee8c825d24', migrations: [M1, M2] },
      });
      const result = await upgradeDb(db, target, { log: silentLogger });
      assert.deepEqual(result.applied, [M3]);
      assert.deepEqual(await schemaStatus(db), { state: 'current' });
    } finally {
      await db.destroy();
    }
  });

  it('refuses 0eee8c825d24 when groups.properties is missing', async () => {
    const { db } = await jupyterhubFile();
    try {
      await db('alembic_version').update({ version_num: '0eee8c825d24' });
      const status = await schemaStatus(db);
      assert.equal(status.state, 'unknown');
      assert.match(status.state === 'unknown' ? status.detail : '', /groups\.properties does not exist/);
    } finally {
      await db.destroy();
    }
  });

  it('sends older JupyterHub databases to JupyterHub 3.0\'s upgrade-db first, touching nothing', async () => {
    const { db, target, file } = await jupyterhubFile();
    try {
      await db('alembic_version').update({ version_num: '833da8570507' });
      const status = await schemaStatus(db);
      assert.equal(status.state, 'unknown');
      const detail = status.state === 'unknown' ? status.detail : '';
      assert.match(detail, /older than 3\.0/);
      assert.match(detail, /`jupyterhub upgrade-db` from JupyterHub 3\.0/);
      await assert.rejects(upgradeDb(db, target, { log: silentLogger }), rejectsWith('DB_SCHEMA_UNKNOWN', /jupyterhub upgrade-db/));
      assert.deepEqual((await readdir(path.dirname(file))).filter((f) => /\.sqlite\.\d/.test(f)), [], 'no backup made');
    } finally {
      await db.destroy();
    }
  });

  it('names newer JupyterHub revisions as such', async () => {
    const { db } = await jupyterhubFile();
    try {
      await db('alembic_version').update({ version_num: '4621fec11365' });
      const status = await schemaStatus(db);
      assert.equal(status.state, 'unknown');
      assert.match(status.state === 'unknown' ? status.detail : '', /JupyterHub 5\.0.*cannot downgrade/);
    } finally {
      await db.destroy();
    }
  });
});

describe('backup names', () => {
  it('appends .1 .. .9 on a clash and then gives up with IO_ERROR', async () => {
    const file = path.join(dir, 'clash.sqlite');
    const when = new Date(2026, 10, 25, 17, 1, 37);
    assert.equal(await backupFileName(file, when), `${file}.2026-11-25-170137`);
    await writeFile(`${file}.2026-11-25-170137`, '');
    assert.equal(await backupFileName(file, when), `${file}.2026-11-25-170137.1`);
    for (let i = 1; i <= 8; i++) await writeFile(`${file}.2026-11-25-170137.${i}`, '');
    assert.equal(await backupFileName(file, when), `${file}.2026-11-25-170137.9`);
    await writeFile(`${file}.2026-11-25-170137.9`, '');
    await assert.rejects(backupFileName(file, when), rejectsWith('IO_ERROR', /already exists/));
  });
});

describe('resetDb', () => {
  it('drops every hub table, rows included, and recreates the schema at head', async () => {
    const { db } = await jupyterhubFile();
    try {
      await db.raw('CREATE TABLE unrelated (x INTEGER)');
      assert.deepEqual(await resetDb(db), [M1, M2, M3]);
      assert.deepEqual(await one(db, 'SELECT count(*) AS n FROM users'), [{ n: 0 }]);
      assert.deepEqual(await one(db, 'SELECT count(*) AS n FROM api_tokens'), [{ n: 0 }]);
      assert.deepEqual(await one(db, 'SELECT version_num FROM alembic_version'), [{ version_num: '0eee8c825d24' }]);
      assert.equal(await db.schema.hasTable('unrelated'), true, 'tables that are not the hub\'s stay');
      assert.deepEqual(await schemaStatus(db), { state: 'current' });
    } finally {
      await db.destroy();
    }
  });

  it('refuses a database that is not a hub\'s (a db_url mistake), leaving its tables and rows alone', async () => {
    const { db } = await freshFile();
    try {
      await db.raw('CREATE TABLE users (id INTEGER, email TEXT)');
      await db.raw("INSERT INTO users VALUES (42, 'ada@example.org')");
      await assert.rejects(resetDb(db), rejectsWith('DB_SCHEMA_UNKNOWN', /not a hub's.*check JupyterHub\.db_url/s));
      assert.deepEqual(await one(db, 'SELECT id FROM users'), [{ id: 42 }]);
      assert.equal(await db.schema.hasTable('knex_migrations'), false);
      // Another SQLAlchemy program's alembic stamp, or another knex program's migrations, are not a hub's either.
      await db.raw('CREATE TABLE alembic_version (version_num VARCHAR(32))');
      await db.raw("INSERT INTO alembic_version VALUES ('abc123')");
      await assert.rejects(resetDb(db), rejectsWith('DB_SCHEMA_UNKNOWN'));
      await db.raw('DROP TABLE alembic_version');
      await db.raw('CREATE TABLE knex_migrations (id INTEGER PRIMARY KEY, name TEXT, batch INTEGER, migration_time DATETIME)');
      await db.raw("INSERT INTO knex_migrations (name, batch) VALUES ('20240101_create_users', 1)");
      await assert.rejects(resetDb(db), rejectsWith('DB_SCHEMA_UNKNOWN'));
      assert.deepEqual(await one(db, 'SELECT id FROM users'), [{ id: 42 }]);
    } finally {
      await db.destroy();
    }
  });
});
