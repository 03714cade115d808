/**
 * A real PostgreSQL server for tests (Debian's postgresql 15): a fresh cluster in a temp dir, trust auth,
 * listening on 127.0.0.1 at a free port and on a unix socket in the temp dir. As root, the server runs as
 * the `postgres` user, since postgres refuses to run as root.
 */
import { execFile } from 'node:child_process';
import { access, chown, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import knexFactory from 'knex';

const run = promisify(execFile);

const PG_BIN = process.env.HUB_TEST_PG_BIN ?? '/usr/lib/postgresql/15/bin';

export interface TestPostgres {
  /** A `postgresql://` db_url (TCP, 127.0.0.1) of a database made for this run. */
  url: string;
  /** The same database through the unix socket: `postgresql://postgres@/db?host=<dir>`. */
  socketUrl: string;
  host: string;
  port: number;
  socketDir: string;
  /** Another empty database on the same server, for tests that need isolation; returns its URL. */
  newDatabase(name?: string): Promise<string>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  // postgres cannot listen on port 0; take one the kernel hands out and give it back.
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function postgresUid(): Promise<{ uid: number; gid: number }> {
  const { stdout } = await run('id', ['-u', 'postgres']);
  const { stdout: g } = await run('id', ['-g', 'postgres']);
  return { uid: Number(stdout.trim()), gid: Number(g.trim()) };
}

let counter = 0;

export async function startPostgres(): Promise<TestPostgres> {
  try {
    await access(path.join(PG_BIN, 'pg_ctl'));
  } catch {
    throw new Error(`PostgreSQL binaries not found in ${PG_BIN}: run \`apt-get install -y postgresql\` (tests need a real server)`);
  }
  const asRoot = process.getuid?.() === 0;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'hub-pg-'));
  const dataDir = path.join(dir, 'data');
  const socketDir = path.join(dir, 'sock');
  await mkdir(socketDir);
  const wrap = async (cmd: string, args: string[]): Promise<string> => {
    const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', path.join(PG_BIN, cmd), ...args]] : [path.join(PG_BIN, cmd), args];
    const { stdout } = await run(file, argv, { cwd: dir });
    return stdout;
  };
  if (asRoot) {
    const { uid, gid } = await postgresUid();
    await chown(dir, uid, gid);
    await chown(socketDir, uid, gid);
  }
  const port = await freePort();
  await wrap('initdb', ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync']);
  const logFile = path.join(dir, 'postgres.log');
  const serverOpts = `-p ${port} -k ${socketDir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  try {
    await wrap('pg_ctl', ['-D', dataDir, '-l', logFile, '-o', serverOpts, '-w', '-t', '60', 'start']);
  } catch (err) {
    const log = await readFile(logFile, 'utf8').catch(() => '');
    await rm(dir, { recursive: true, force: true });
    throw new Error(`postgres did not start: ${err instanceof Error ? err.message : String(err)}\n${log}`);
  }
  const admin = knexFactory({ client: 'pg', connection: { host: '127.0.0.1', port, user: 'postgres', database: 'postgres' }, pool: { min: 0, max: 1 } });
  const newDatabase = async (name = `hub_test_${process.pid}_${++counter}`): Promise<string> => {
    await admin.raw(`CREATE DATABASE ${name}`);
    return `postgresql://postgres@127.0.0.1:${port}/${name}`;
  };
  const url = await newDatabase();
  const dbName = url.slice(url.lastIndexOf('/') + 1);
  return {
    url,
    socketUrl: `postgresql://postgres@/${dbName}?host=${socketDir}&port=${port}`,
    host: '127.0.0.1',
    port,
    socketDir,
    newDatabase,
    async stop() {
      await admin.destroy();
      try {
        await wrap('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}
