/**
 * Where a database stands relative to our migrations, decided from what is in it:
 * - our own bookkeeping (knex_migrations) when present;
 * - otherwise JupyterHub's (alembic_version), which we can adopt when it names a revision we mirror;
 * - otherwise nothing we recognise, which we never touch.
 */
import type { Knex } from 'knex';
import { hasColumn, listTables } from './dialect.js';
import { NEWER_JUPYTERHUB_REVISIONS, OLDER_JUPYTERHUB_REVISIONS } from './migrations/alembic-revisions.js';
import { MIGRATIONS, MIGRATIONS_LOCK_TABLE, MIGRATIONS_TABLE } from './migrations/index.js';
import { JUPYTERHUB_3_0_REVISION, JUPYTERHUB_3_0_TABLE_NAMES } from './migrations/jupyterhub-3-0-schema.js';
import { GROUP_PROPERTIES_REVISION } from './migrations/0002-groups-properties.js';
import { asRows, readString } from './row.js';

export type SchemaStatus =
  | { state: 'empty' }
  | { state: 'current' }
  | {
    state: 'outdated';
    /** Migrations upgradeDb will run, in order. */
    pending: string[];
    /** A JupyterHub-made database: these migrations are recorded as applied without running them. */
    adopt?: { alembicRevision: string; migrations: string[] };
  }
  | {
    state: 'unknown';
    detail: string;
    /** Nothing marks it as a hub's or JupyterHub's (another program's tables): reset_db must not drop them. */
    foreign?: true;
  };

const UPGRADE_WITH_JUPYTERHUB_3 =
  'Upgrade it with JupyterHub 3.0 first: back it up, run `jupyterhub upgrade-db` from JupyterHub 3.0 ' +
  'with the same db_url, then start this hub again.';

/** The schema each adoptable revision implies, checked so a mislabelled database is not adopted. */
async function looksLikeRevision(knex: Knex, tables: ReadonlySet<string>, revision: string): Promise<string | null> {
  const missing = JUPYTERHUB_3_0_TABLE_NAMES.filter((t) => !tables.has(t));
  if (missing.length > 0) return `alembic_version says ${revision} but tables are missing: ${missing.join(', ')}`;
  const hasProperties = await hasColumn(knex, 'groups', 'properties');
  if (revision === GROUP_PROPERTIES_REVISION && !hasProperties) {
    return `alembic_version says ${revision} but groups.properties does not exist`;
  }
  if (revision === JUPYTERHUB_3_0_REVISION && hasProperties) {
    return `alembic_version says ${revision} but groups.properties already exists`;
  }
  return null;
}

async function alembicRevision(knex: Knex): Promise<string | null> {
  const rows = asRows(await knex.select('version_num').from('alembic_version'));
  const first = rows[0];
  // alembic keeps exactly one row; several would mean branches, which JupyterHub never has.
  return rows.length === 1 && first !== undefined ? readString(first, 'version_num') : null;
}

async function fromAlembic(knex: Knex, tables: ReadonlySet<string>): Promise<SchemaStatus> {
  const revision = await alembicRevision(knex);
  if (revision === null) {
    return { state: 'unknown', detail: 'alembic_version does not hold exactly one revision. ' + UPGRADE_WITH_JUPYTERHUB_3 };
  }
  // The first step that reaches this revision: later steps with the same revision are hub's own tables,
  // which a database JupyterHub made does not have yet.
  const at = MIGRATIONS.map((m) => m.alembicRevision).indexOf(revision);
  if (at >= 0) {
    const mismatch = await looksLikeRevision(knex, tables, revision);
    if (mismatch !== null) return { state: 'unknown', detail: `${mismatch}; refusing to adopt this database.` };
    return {
      state: 'outdated',
      pending: MIGRATIONS.slice(at + 1).map((m) => m.name),
      adopt: { alembicRevision: revision, migrations: MIGRATIONS.slice(0, at + 1).map((m) => m.name) },
    };
  }
  const older = OLDER_JUPYTERHUB_REVISIONS.get(revision);
  if (older !== undefined) {
    return {
      state: 'unknown',
      detail: `the database was made by a JupyterHub older than 3.0 (alembic revision ${revision}, "${older}"). ` +
        UPGRADE_WITH_JUPYTERHUB_3,
    };
  }
  const newer = NEWER_JUPYTERHUB_REVISIONS.get(revision);
  const made = newer === undefined ? `an alembic revision this hub does not know (${revision})` : `${newer}, revision ${revision}`;
  return {
    state: 'unknown',
    detail: `the database was made by ${made}; this hub reads JupyterHub databases at ` +
      `${MIGRATIONS.map((m) => m.alembicRevision).join(' or ')} and cannot downgrade newer ones.`,
    // Alembic is every SQLAlchemy program's: a revision no JupyterHub has may well be another program's.
    ...(newer === undefined ? { foreign: true as const } : {}),
  };
}

async function fromKnex(knex: Knex, tables: ReadonlySet<string>): Promise<SchemaStatus | null> {
  const done = asRows(await knex.select('name').from(MIGRATIONS_TABLE).orderBy('id')).map((r) => readString(r, 'name'));
  // An empty bookkeeping table next to other tables carries no information: judge by the rest.
  if (done.length === 0) return null;
  const known = MIGRATIONS.map((m) => m.name);
  const foreign = done.filter((n) => !known.includes(n));
  if (foreign.length > 0) {
    return {
      state: 'unknown',
      detail: `knex_migrations lists migrations this hub does not have (${foreign.join(', ')}): ` +
        'a newer hub or another program migrated this database.',
      // Not one of ours at all: another knex program's database.
      ...(foreign.length === done.length ? { foreign: true as const } : {}),
    };
  }
  const last = MIGRATIONS.filter((m) => done.includes(m.name)).pop();
  if (last !== undefined && tables.has('alembic_version')) {
    const revision = await alembicRevision(knex);
    if (revision !== last.alembicRevision) {
      return {
        state: 'unknown',
        detail: `alembic_version is ${revision ?? 'not one revision'} but this hub's migrations leave ` +
          `${last.alembicRevision}: was the database changed by JupyterHub's upgrade-db?`,
      };
    }
  }
  const pending = known.filter((n) => !done.includes(n));
  return pending.length === 0 ? { state: 'current' } : { state: 'outdated', pending };
}

export async function schemaStatus(knex: Knex): Promise<SchemaStatus> {
  const all = await listTables(knex);
  const tables = new Set(all);
  if (tables.has(MIGRATIONS_TABLE)) {
    const status = await fromKnex(knex, tables);
    if (status !== null) return status;
  }
  const others = all.filter((t) => t !== MIGRATIONS_TABLE && t !== MIGRATIONS_LOCK_TABLE);
  if (others.length === 0) return { state: 'empty' };
  if (tables.has('alembic_version')) return fromAlembic(knex, tables);
  if (tables.has('users') && tables.has('spawners')) {
    return {
      state: 'unknown',
      detail: 'this looks like a JupyterHub database that was never stamped with an alembic revision. ' +
        UPGRADE_WITH_JUPYTERHUB_3,
    };
  }
  const shown = others.slice(0, 5).join(', ') + (others.length > 5 ? ', ...' : '');
  return {
    state: 'unknown',
    detail: `the database holds tables that are not a hub's (${shown}); point db_url at an empty database ` +
      'or at one made by JupyterHub or this hub.',
    foreign: true,
  };
}
