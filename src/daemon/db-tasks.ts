import { loadConfig } from '../lib/config/index.js';
import { HubError } from '../lib/errors.js';
import { silentLogger, type Logger } from '../lib/log.js';
import { resolveSocketPath } from '../lib/paths.js';
import { openTarget } from './database-stage.js';
import { redactDbUrl } from './db/db-url.js';
import { initializeSchema, resetDb, schemaStatus, upgradeDb, type SchemaStatus } from './db/migrate.js';
import { socketAnswers } from './run-files.js';

export interface DbTaskArgs {
  configPath?: string | undefined;
  overrides: string[];
  socket?: string | undefined;
  cwd: string;
  env: NodeJS.ProcessEnv;
  log?: Logger;
}

async function openForTask(args: DbTaskArgs) {
  const loaded = await loadConfig({ path: args.configPath, cwd: args.cwd, env: args.env, overrides: args.overrides });
  const jh = loaded.config.JupyterHub;
  const log = args.log ?? silentLogger;
  const { db, target } = await openTarget(jh.db_url, args.cwd, jh.db_kwargs, jh.debug_db, log);
  const socket = resolveSocketPath({ flag: args.socket, env: args.env, configured: loaded.config.Hub.control_socket, dbUrl: jh.db_url, cwd: args.cwd });
  return { loaded, db, target, log, socket: socket.path, url: redactDbUrl(jh.db_url) };
}

export async function databaseStatus(args: DbTaskArgs): Promise<{ url: string; status: SchemaStatus }> {
  const t = await openForTask(args);
  try {
    return { url: t.url, status: await schemaStatus(t.db) };
  } finally {
    await t.db.destroy();
  }
}

export interface UpgradeResult {
  url: string;
  before: SchemaStatus['state'];
  applied: string[];
  backup: string | null;
}

/** JupyterHub's upgrade-db: nothing to do at head; an empty database is created; otherwise back up and migrate. */
export async function upgradeDatabase(args: DbTaskArgs): Promise<UpgradeResult> {
  const t = await openForTask(args);
  try {
    const status = await schemaStatus(t.db);
    switch (status.state) {
      case 'current':
        return { url: t.url, before: status.state, applied: [], backup: null };
      case 'empty':
        await initializeSchema(t.db);
        return { url: t.url, before: status.state, applied: ['(created the schema)'], backup: null };
      case 'outdated': {
        const r = await upgradeDb(t.db, t.target, { log: t.log });
        return { url: t.url, before: status.state, applied: r.applied, backup: r.backup };
      }
      case 'unknown':
        throw new HubError('DB_SCHEMA_UNKNOWN', `cannot upgrade ${t.url}: ${status.detail}`);
      default: {
        const never: never = status;
        throw new Error(`unhandled schema status ${JSON.stringify(never)}`);
      }
    }
  } finally {
    await t.db.destroy();
  }
}

/** Drops and recreates every table. The caller has confirmed; we still refuse while a hub uses this state. */
export async function resetDatabase(args: DbTaskArgs): Promise<{ url: string }> {
  const t = await openForTask(args);
  try {
    if (await socketAnswers(t.socket)) {
      throw new HubError('DAEMON_ALREADY_RUNNING', `a hub is running on this database (control socket ${t.socket} answers)`, {
        hint: 'Stop the hub first, then run hub reset-db again.',
      });
    }
    await resetDb(t.db);
    return { url: t.url };
  } finally {
    await t.db.destroy();
  }
}
