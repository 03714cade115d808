/**
 * openDatabase: the errors an admin sees, db_kwargs, debug_db's redaction, and naive-UTC datetimes
 * surviving a non-UTC process time zone on PostgreSQL.
 */
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Knex } from 'knex';
import { enableWal, openDatabase } from '../../src/daemon/db/connection.js';
import { parseDbUrl } from '../../src/daemon/db/db-url.js';
import { initializeSchema } from '../../src/daemon/db/migrate.js';
import { createToken, findToken } from '../../src/daemon/db/tokens-repo.js';
import { createUsers, getUserByName } from '../../src/daemon/db/users-repo.js';
import { isHubError } from '../../src/lib/errors.js';
import { createLogger, silentLogger } from '../../src/lib/log.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';

// node-pg's default would read TIMESTAMP WITHOUT TIME ZONE in this zone; ours must not.
process.env.TZ = 'America/New_York';

let dir: string;
let pg: TestPostgres;
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'hub-conn-'));
  pg = await startPostgres();
});
after(async () => {
  await pg?.stop();
  await rm(dir, { recursive: true, force: true });
});

function capture(lines: string[]) {
  return createLogger({ level: 10, format: '%(levelname)s %(message)s', datefmt: '', write: (l) => lines.push(l) });
}

async function pragma(db: Knex, name: string): Promise<unknown> {
  const rows: unknown = await db.raw(`PRAGMA ${name}`);
  return Array.isArray(rows) ? rows[0] : undefined;
}

async function unusedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a !== null ? a.port : 1));
    });
  });
}

describe('openDatabase errors', () => {
  it('names the missing directory of a SQLite file and how to fix it', async () => {
    const file = path.join(dir, 'no', 'such', 'dir', 'jupyterhub.sqlite');
    await assert.rejects(openDatabase(parseDbUrl(`sqlite:///${file}`, dir), { log: silentLogger }), (err: unknown) => {
      assert.ok(isHubError(err));
      assert.equal(err.code, 'IO_ERROR');
      assert.match(err.message, /does not exist/);
      assert.equal(err.hint?.includes(`mkdir -p ${path.dirname(file)}`), true);
      return true;
    });
  });

  it('reports an unreachable PostgreSQL in one line with host:port, never the password', async () => {
    const port = await unusedPort();
    const target = parseDbUrl(`postgresql://hub:hunter2@127.0.0.1:${port}/jupyterhub`, dir);
    const lines: string[] = [];
    await assert.rejects(openDatabase(target, { log: capture(lines) }), (err: unknown) => {
      assert.ok(isHubError(err));
      assert.equal(err.code, 'DB_ERROR');
      assert.match(err.message, new RegExp(`^cannot connect to PostgreSQL at 127\\.0\\.0\\.1:${port}/jupyterhub: .*ECONNREFUSED`));
      assert.doesNotMatch(err.message, /\n/);
      assert.doesNotMatch(`${err.message} ${err.hint ?? ''}`, /hunter2/);
      return true;
    });
    // knex's own "Acquire connection error" came before the error as a warning with a stack trace.
    assert.deepEqual(lines.filter((l) => /^WARNING|\n\s+at /.test(l)), []);
  });

  it('a file that is not a SQLite database, or a directory, is an error naming db_url, not an internal one', async () => {
    const junk = path.join(dir, 'junk.sqlite');
    await writeFile(junk, 'this is a config file, not a database\n'.repeat(20));
    await assert.rejects(openDatabase(parseDbUrl(`sqlite:///${junk}`, dir), { log: silentLogger }), (err: unknown) => {
      assert.ok(isHubError(err));
      assert.equal(err.code, 'DB_ERROR');
      assert.match(err.message, /junk\.sqlite is not a SQLite database/);
      assert.match(err.hint ?? '', /JupyterHub\.db_url/);
      return true;
    });
    await assert.rejects(openDatabase(parseDbUrl(`sqlite:///${dir}`, dir), { log: silentLogger }), (err: unknown) => {
      assert.ok(isHubError(err));
      assert.equal(err.code, 'DB_URL_INVALID');
      assert.match(err.message, /names the directory/);
      return true;
    });
  });

  it('passes the server\'s own complaint through for a missing database', async () => {
    const target = parseDbUrl(`postgresql://postgres@127.0.0.1:${pg.port}/no_such_db`, dir);
    await assert.rejects(openDatabase(target, { log: silentLogger }), (err: unknown) => {
      assert.ok(isHubError(err));
      assert.match(err.message, /no_such_db.*does not exist/);
      return true;
    });
  });
});

describe('file mode', () => {
  it('a new SQLite file and its WAL are 0600; an existing one others can read is warned about', async () => {
    const sub = path.join(dir, 'mode');
    await mkdir(sub);
    const file = path.join(sub, 'jupyterhub.sqlite');
    const target = parseDbUrl(`sqlite:///${file}`, dir);
    const db = await openDatabase(target, { log: silentLogger });
    try {
      await initializeSchema(db);
      await enableWal(db, target);
      await createUsers(db, ['ada']);
      for (const f of [file, `${file}-wal`, `${file}-shm`]) assert.equal((await stat(f)).mode & 0o777, 0o600, f);
    } finally {
      await db.destroy();
    }
    await chmod(file, 0o644);
    const lines: string[] = [];
    await (await openDatabase(target, { log: capture(lines) })).destroy();
    assert.ok(lines.some((l) => l.startsWith('WARNING') && l.includes(`chmod 600 ${file}`)), lines.join('\n'));
  });
});

describe('db_kwargs', () => {
  it('honours busy_timeout, timeout and connect_args.timeout on SQLite, and warns about the rest', async () => {
    const url = `sqlite:///${path.join(dir, 'kw.sqlite')}`;
    const cases: Array<[Record<string, unknown>, number]> = [
      [{}, 5000], [{ busy_timeout: 1234 }, 1234], [{ timeout: 2 }, 2000], [{ connect_args: { timeout: 3, check_same_thread: false } }, 3000],
    ];
    for (const [kwargs, expected] of cases) {
      const db = await openDatabase(parseDbUrl(url, dir), { dbKwargs: kwargs, log: silentLogger });
      try {
        assert.deepEqual(await pragma(db, 'busy_timeout'), { timeout: expected }, JSON.stringify(kwargs));
      } finally {
        await db.destroy();
      }
    }
    const lines: string[] = [];
    const db = await openDatabase(parseDbUrl(url, dir), { dbKwargs: { pool_recycle: 60 }, log: capture(lines) });
    await db.destroy();
    assert.ok(lines.some((l) => /^WARNING Ignoring JupyterHub\.db_kwargs\.pool_recycle/.test(l)), lines.join('\n'));
    await assert.rejects(openDatabase(parseDbUrl(url, dir), { dbKwargs: { busy_timeout: 'soon' }, log: silentLogger }), (err: unknown) => {
      assert.ok(isHubError(err));
      assert.equal(err.code, 'CONFIG_INVALID');
      return true;
    });
  });

  it('passes connect_args to PostgreSQL', async () => {
    const db = await openDatabase(parseDbUrl(pg.url, dir), { dbKwargs: { connect_args: { application_name: 'hub-test' }, pool_size: 2 }, log: silentLogger });
    try {
      const res: unknown = await db.raw('SHOW application_name');
      assert.deepEqual((res as { rows: unknown }).rows, [{ application_name: 'hub-test' }]);
    } finally {
      await db.destroy();
    }
  });
});

describe('debug_db', () => {
  it('logs statements with bindings, but no bindings where secrets live', async () => {
    const lines: string[] = [];
    const db = await openDatabase(parseDbUrl('sqlite://', dir), { debugDb: true, log: capture(lines) });
    try {
      await initializeSchema(db);
      const [user] = await createUsers(db, ['dora']);
      assert.ok(user);
      lines.length = 0;
      await getUserByName(db, 'dora');
      assert.ok(lines.some((l) => l.startsWith('DEBUG select') && l.includes('["dora",1]')), lines.join('\n'));
      lines.length = 0;
      const { token } = await createToken(db, { userId: user.id }, { token: 'dora-secret-token' });
      await findToken(db, token);
      const all = lines.join('\n');
      assert.doesNotMatch(all, /dora-secret-token|dora|sha512:/, 'nothing secret once tokens are involved, nor cookie ids');
      assert.doesNotMatch(all, new RegExp(user.cookie_id));
      assert.match(all, /insert into .api_tokens.*bindings redacted/);
    } finally {
      await db.destroy();
    }
  });

  it('stays quiet when off', async () => {
    const lines: string[] = [];
    const db = await openDatabase(parseDbUrl('sqlite://', dir), { log: capture(lines) });
    try {
      await db.raw('select 1');
      assert.deepEqual(lines.filter((l) => l.includes('select 1')), []);
    } finally {
      await db.destroy();
    }
  });
});

describe('datetimes on PostgreSQL', () => {
  it('reads naive UTC as UTC whatever the process time zone', async () => {
    assert.notEqual(new Date('2026-06-01T00:00:00Z').getTimezoneOffset(), 0, 'the test runs in a non-UTC zone');
    const db = await openDatabase(parseDbUrl(await pg.newDatabase(), dir), { log: silentLogger });
    try {
      await initializeSchema(db);
      await db('users').insert({ name: 'eve', cookie_id: 'c0ffee', last_activity: '2026-11-25 17:01:37.276739' });
      assert.equal((await getUserByName(db, 'eve'))?.last_activity?.toISOString(), '2026-11-25T17:01:37.276Z');
    } finally {
      await db.destroy();
    }
  });
});
