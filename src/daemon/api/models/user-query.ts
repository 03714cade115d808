/**
 * The reads behind user models: one query per user model (groups and roles aggregated as JSON by the database), and
 * user lists filtered, sorted and paged in SQL, never by loading every user.
 */
import type { Knex } from 'knex';
import { asRow, readBool, readInt, readNullableString, readString, type Row } from '../../db/row.js';
import { readNullableDate } from '../../db/timestamps.js';
import { readRows } from './read-connection.js';

type Db = Knex;

/** What a user model needs of one spawners row (the `servers` row itself is not needed). */
export interface SpawnerSummary {
  name: string;
  started: Date | null;
  last_activity: Date | null;
  /** NULL stays null, as JupyterHub's orm.Spawner shows it. */
  state: Record<string, unknown> | null;
  user_options: Record<string, unknown> | null;
  /** A `servers` row is linked: JupyterHub's "active" in SQL (`Spawner.server != None`). */
  hasServer: boolean;
}

/**
 * What a user model shows of a user: its row's public columns (timestamps already in JupyterHub's ISO form), the
 * names of its groups and directly granted roles, and (when asked for) its spawners.
 */
export interface UserAggregate {
  id: number;
  name: string;
  admin: boolean;
  created: string | null;
  lastActivity: string | null;
  groups: string[];
  roles: string[];
  spawners: SpawnerSummary[];
}


export function postgres(db: Db): boolean {
  const client: unknown = db.client;
  return typeof client === 'object' && client !== null && 'dialect' in client && client.dialect === 'postgresql';
}

/** A user's group or role names as a JSON array, in id order (db/member-order.ts). */
export function jsonNames(db: Db, table: 'groups' | 'roles', map: string, column: string): Knex.Raw {
  if (postgres(db)) {
    return db.raw(`(SELECT COALESCE(json_agg(t.name ORDER BY t.id), '[]'::json) FROM ${map} m JOIN ${table} t ON t.id = m.${column} WHERE m.user_id = users.id)`);
  }
  // SQLite feeds an aggregate its ordered subquery in order (and takes ORDER BY in aggregates only from 3.44).
  return db.raw(`(SELECT json_group_array(o.name) FROM (SELECT t.name FROM ${map} m JOIN ${table} t ON t.id = m.${column} WHERE m.user_id = users.id ORDER BY t.id) o)`);
}

export const SPAWNER_FIELDS = ['name', 'started', 'last_activity', 'state', 'user_options', 'server_id'];

function jsonSpawners(db: Db): Knex.Raw {
  const pg = postgres(db);
  const fields = SPAWNER_FIELDS.map((f) => `'${f}', s.${f}`).join(', ');
  const agg = pg ? `COALESCE(json_agg(json_build_object(${fields})), '[]'::json)` : `json_group_array(json_object(${fields}))`;
  return db.raw(`(SELECT ${agg} FROM spawners s WHERE s.user_id = users.id)`);
}

export function jsonList(row: Row, column: string): unknown[] {
  const v = row[column];
  const parsed: unknown = typeof v === 'string' ? JSON.parse(v) : v;
  return Array.isArray(parsed) ? parsed : [];
}

// Most users share the same few group and role lists ('["user"]'): parse each distinct text once.
const parsedNames = new Map<string, string[]>();

function names(row: Row, column: string): string[] {
  const v = row[column];
  if (typeof v === 'string') {
    const known = parsedNames.get(v);
    if (known) return known;
    const list = jsonList(row, column).filter((n): n is string => typeof n === 'string');
    if (parsedNames.size < 10_000) parsedNames.set(v, list);
    return list;
  }
  const list = jsonList(row, column);
  // The common cases (no groups, the one `user` role) need no copy.
  if (list.length === 0 || (list.length === 1 && typeof list[0] === 'string')) return list as string[];
  return list.filter((n): n is string => typeof n === 'string');
}

/** A Date as JupyterHub's isoformat prints it (microseconds, from our milliseconds; no fraction when zero). */
export function isoFromDate(d: Date | null): string | null {
  if (d === null) return null;
  const iso = d.toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : `${iso.slice(0, -1)}000Z`;
}

const NAIVE_UTC = /^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?$/;

/**
 * A naive-UTC column as JupyterHub's `isoformat` prints it: `2026-11-25T17:01:37.276739Z`, the fraction in
 * microseconds and left out when zero (Python's datetime.isoformat). String work, not Date round trips: lists
 * format hundreds of these per request.
 */
export function isoFromDb(row: Row, column: string): string | null {
  const v = row[column];
  if (v === null || v === undefined) return null;
  const m = typeof v === 'string' ? NAIVE_UTC.exec(v) : null;
  if (!m) return readNullableDate(row, column)?.toISOString() ?? null;
  const micros = (m[3] ?? '').padEnd(6, '0');
  return `${m[1]}T${m[2]}${/^0+$/.test(micros) ? '' : `.${micros}`}Z`;
}

function jsonColumn(v: unknown): Record<string, unknown> | null {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'string' || v === '') return typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  try {
    const parsed: unknown = JSON.parse(v);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export function spawnerSummary(r: Row): SpawnerSummary {
  return {
    name: readNullableString(r, 'name') ?? '',
    started: readNullableDate(r, 'started'),
    last_activity: readNullableDate(r, 'last_activity'),
    state: jsonColumn(r.state),
    user_options: jsonColumn(r.user_options),
    hasServer: r.server_id !== null && r.server_id !== undefined,
  };
}

function aggregateColumns(db: Db, withSpawners: boolean): (string | Knex.Raw)[] {
  const cols: (string | Knex.Raw)[] = ['users.id', 'users.name', 'users.admin', 'users.created', 'users.last_activity', jsonNames(db, 'groups', 'user_group_map', 'group_id').wrap('', ' AS group_names'),
    jsonNames(db, 'roles', 'user_role_map', 'role_id').wrap('', ' AS role_names')];
  if (withSpawners) cols.push(jsonSpawners(db).wrap('', ' AS spawner_list'));
  return cols;
}

export function aggregateFromRow(row: Row, withSpawners: boolean): UserAggregate {
  const spawners = withSpawners ? jsonList(row, 'spawner_list').map((s) => spawnerSummary(asRow(s))) : [];
  return {
    id: readInt(row, 'id'), name: readString(row, 'name'), admin: readBool(row, 'admin'),
    created: isoFromDb(row, 'created'), lastActivity: isoFromDb(row, 'last_activity'),
    groups: names(row, 'group_names'), roles: names(row, 'role_names'), spawners,
  };
}

/** One user model's worth of data in one query, or null. */
export async function getUserAggregate(db: Db, name: string): Promise<UserAggregate | null> {
  const [row] = await readRows(db, db('users').select(aggregateColumns(db, true)).where('users.name', name).limit(1));
  return row === undefined ? null : aggregateFromRow(row, true);
}

/** Spawners of many users in one query (a single scan: JupyterHub's schema has no index on spawners.user_id). */
export async function spawnerSummaries(db: Db, userIds: readonly number[]): Promise<Map<number, SpawnerSummary[]>> {
  const out = new Map<number, SpawnerSummary[]>();
  if (userIds.length === 0) return out;
  const rows = await readRows(db, db('spawners').select(['user_id', ...SPAWNER_FIELDS]).whereIn('user_id', [...new Set(userIds)]).orderBy('id'));
  for (const r of rows) {
    const id = readInt(r, 'user_id');
    out.set(id, [...(out.get(id) ?? []), spawnerSummary(r)]);
  }
  return out;
}

/** Users by id with groups and roles (no spawners), in id order: models of users just written. */
export async function userAggregatesByIds(db: Db, ids: readonly number[]): Promise<UserAggregate[]> {
  const out: UserAggregate[] = [];
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await readRows(db, db('users').select(aggregateColumns(db, false)).whereIn('users.id', ids.slice(i, i + 500)).orderBy('users.id'));
    out.push(...rows.map((r) => aggregateFromRow(r, false)));
  }
  return out;
}
