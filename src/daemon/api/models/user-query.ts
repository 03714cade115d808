/**
 * The reads behind user models: one query per user model (groups and roles aggregated as JSON by the database), and
 * user lists filtered, sorted and paged in SQL, never by loading every user.
 */
import type { Knex } from 'knex';
import { asRow, readInt, readNullableString, type Row } from '../../db/row.js';
import { readNullableDate } from '../../db/timestamps.js';
import { userFromRow, type UserRow } from '../../db/users-repo.js';
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

/** A user with the names of its groups and directly granted roles, and (when asked for) its spawners. */
export interface UserAggregate {
  user: UserRow;
  groups: string[];
  roles: string[];
  spawners: SpawnerSummary[];
}

export interface UserListQuery {
  offset: number;
  limit: number;
  /** active/ready: some spawner has a server row; inactive: none has. */
  state?: 'active' | 'ready' | 'inactive';
  /** JupyterHub's `name ILIKE '%<x>%'` (LIKE wildcards in x act as wildcards, as in JupyterHub). */
  nameContains?: string;
  /** A filtered list:users scope: only these names or members of these groups. */
  onlyNames?: readonly string[];
  onlyGroups?: readonly string[];
  sort?: { column: 'id' | 'name' | 'last_activity'; desc: boolean };
}

function postgres(db: Db): boolean {
  const client: unknown = db.client;
  return typeof client === 'object' && client !== null && 'dialect' in client && client.dialect === 'postgresql';
}

function jsonNames(db: Db, table: 'groups' | 'roles', map: string, column: string): Knex.Raw {
  const agg = postgres(db) ? "COALESCE(json_agg(t.name), '[]'::json)" : 'json_group_array(t.name)';
  return db.raw(`(SELECT ${agg} FROM ${map} m JOIN ${table} t ON t.id = m.${column} WHERE m.user_id = users.id)`);
}

const SPAWNER_FIELDS = ['name', 'started', 'last_activity', 'state', 'user_options', 'server_id'];

function jsonSpawners(db: Db): Knex.Raw {
  const pg = postgres(db);
  const fields = SPAWNER_FIELDS.map((f) => `'${f}', s.${f}`).join(', ');
  const agg = pg ? `COALESCE(json_agg(json_build_object(${fields})), '[]'::json)` : `json_group_array(json_object(${fields}))`;
  return db.raw(`(SELECT ${agg} FROM spawners s WHERE s.user_id = users.id)`);
}

function jsonList(row: Row, column: string): unknown[] {
  const v = row[column];
  const parsed: unknown = typeof v === 'string' ? JSON.parse(v) : v;
  return Array.isArray(parsed) ? parsed : [];
}

function names(row: Row, column: string): string[] {
  return jsonList(row, column).filter((n): n is string => typeof n === 'string').sort();
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

function spawnerSummary(r: Row): SpawnerSummary {
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
  const cols: (string | Knex.Raw)[] = ['users.*', jsonNames(db, 'groups', 'user_group_map', 'group_id').wrap('', ' AS group_names'),
    jsonNames(db, 'roles', 'user_role_map', 'role_id').wrap('', ' AS role_names')];
  if (withSpawners) cols.push(jsonSpawners(db).wrap('', ' AS spawner_list'));
  return cols;
}

function aggregateFromRow(row: Row, withSpawners: boolean): UserAggregate {
  const spawners = withSpawners ? jsonList(row, 'spawner_list').map((s) => spawnerSummary(asRow(s))) : [];
  return { user: userFromRow(row), groups: names(row, 'group_names'), roles: names(row, 'role_names'), spawners };
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

function withListFilters(db: Db, query: Knex.QueryBuilder, q: UserListQuery): Knex.QueryBuilder {
  const active = db('spawners').select('user_id').whereNotNull('server_id');
  if (q.state === 'active' || q.state === 'ready') void query.whereIn('users.id', active);
  if (q.state === 'inactive') void query.whereNotIn('users.id', active);
  if (q.onlyNames !== undefined || q.onlyGroups !== undefined) {
    const members = db('user_group_map').join('groups', 'groups.id', 'user_group_map.group_id')
      .whereIn('groups.name', [...(q.onlyGroups ?? [])]).select('user_group_map.user_id');
    void query.where((w) => {
      void w.whereIn('users.name', [...(q.onlyNames ?? [])]).orWhereIn('users.id', members);
    });
  }
  if (q.nameContains !== undefined && q.nameContains !== '') {
    // SQLAlchemy's ilike on SQLite is lower(x) LIKE lower(y); on PostgreSQL ILIKE, with no escape character so a
    // trailing backslash cannot make the pattern invalid.
    if (postgres(db)) void query.whereRaw("users.name ILIKE ? ESCAPE ''", [`%${q.nameContains}%`]);
    else void query.whereRaw('lower(users.name) LIKE lower(?)', [`%${q.nameContains}%`]);
  }
  return query;
}

/** A page of users with their groups and roles (spawners: see spawnerSummaries), and the total matching. */
export async function queryUserPage(db: Db, q: UserListQuery): Promise<{ users: UserAggregate[]; total: number }> {
  const [count] = await readRows(db, withListFilters(db, db('users').count({ n: '*' }), q));
  const total = count === undefined ? 0 : readInt(count, 'n');
  const query = withListFilters(db, db('users').select(aggregateColumns(db, false)), q);
  const sort = q.sort ?? { column: 'id', desc: false };
  // NULLs first when ascending, last when descending, on both databases (as JupyterHub 5 makes explicit).
  if (sort.column === 'last_activity') void query.orderByRaw(sort.desc ? 'users.last_activity IS NULL' : 'users.last_activity IS NOT NULL');
  void query.orderBy(`users.${sort.column}`, sort.desc ? 'desc' : 'asc');
  if (sort.column !== 'id') void query.orderBy('users.id', 'asc');
  const rows = await readRows(db, query.offset(q.offset).limit(q.limit));
  return { users: rows.map((r) => aggregateFromRow(r, false)), total };
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
