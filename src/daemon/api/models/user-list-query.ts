/**
 * GET /users in SQL: filters (state, name_filter, a filtered list:users scope), sort, offset and limit are the
 * database's work, never a scan of all users in JS. A page comes back as ONE JSON value built by the database (users
 * with their group and role names), because materializing hundreds of rows cell by cell through the driver costs
 * more than the query itself; its spawners come in a second query keyed by the same page, and the total in a third.
 */
import type { Knex } from 'knex';
import sqlite3 from 'sqlite3';
import { whereNameLike } from '../../db/name-filter.js';
import { asRow, readInt, type Row } from '../../db/row.js';
import { dataVersion, readRows } from './read-connection.js';
import { aggregateFromRow, jsonList, jsonNames, postgres, SPAWNER_FIELDS, spawnerSummary, type UserAggregate } from './user-query.js';

export interface UserListQuery {
  offset: number;
  limit: number;
  /** active/ready: some spawner has a server row; inactive: none has. */
  state?: 'active' | 'ready' | 'inactive';
  /** JupyterHub's `name ILIKE '%<x>%'` (db/name-filter.ts: wildcards and, on PostgreSQL, `\` escapes act). */
  nameContains?: string;
  /** A filtered list:users scope: only these names or members of these groups. */
  onlyNames?: readonly string[];
  onlyGroups?: readonly string[];
  sort?: { column: 'id' | 'name' | 'last_activity'; desc: boolean };
}

function withListFilters(db: Knex, query: Knex.QueryBuilder, q: UserListQuery): Knex.QueryBuilder {
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
  return whereNameLike(db, query, 'users.name', q.nameContains);
}

/** ORDER BY for the sort (JupyterHub 5): NULLs first ascending, last descending, on both databases; id breaks ties. */
function orderBy(q: UserListQuery): string {
  const sort = q.sort ?? { column: 'id', desc: false };
  const col = `users.${sort.column}`;
  const dir = sort.desc ? 'DESC' : 'ASC';
  const parts = sort.column === 'last_activity' ? [`${col} IS ${sort.desc ? '' : 'NOT '}NULL`, `${col} ${dir}`] : [`${col} ${dir}`];
  if (sort.column !== 'id') parts.push('users.id ASC');
  return parts.join(', ');
}

function pageRows(db: Knex, q: UserListQuery): Knex.QueryBuilder {
  return withListFilters(db, db('users').select('users.*'), q).orderByRaw(orderBy(q)).offset(q.offset).limit(q.limit);
}

// Aggregates take ORDER BY from SQLite 3.44; before that, SQLite feeds an aggregate its ordered subquery in order.
const SQLITE_AGGREGATE_ORDER = (sqlite3.VERSION.split('.').map(Number) as number[]).reduce((v, n, i) => v + n * 10 ** (6 - 3 * i), 0) >= 3_044_000;

/** One row, one column `page`: the page's users as a JSON array, in page order. */
function pageJson(db: Knex, q: UserListQuery): Knex.QueryBuilder {
  const pg = postgres(db);
  const groups = jsonNames(db, 'groups', 'user_group_map', 'group_id').toQuery();
  const roles = jsonNames(db, 'roles', 'user_role_map', 'role_id').toQuery();
  const fields = ['id', 'name', 'admin', 'created', 'last_activity'].map((f) => `'${f}', users.${f}`).join(', ');
  const obj = pg ? `json_build_object(${fields}, 'group_names', ${groups}, 'role_names', ${roles})`
    : `json_object(${fields}, 'group_names', json(${groups}), 'role_names', json(${roles}))`;
  const order = pg || SQLITE_AGGREGATE_ORDER ? ` ORDER BY ${orderBy(q)}` : '';
  // SQLite: the objects' JSON texts joined into one array text (json_group_array would lose their JSON subtype to
  // ORDER BY and nest them as strings); one JSON.parse in JS.
  const agg = pg ? `COALESCE(json_agg(${obj}${order}), '[]'::json)` : `COALESCE('[' || group_concat(${obj}, ','${order}) || ']', '[]')`;
  // The page is aliased `users` so the correlated group/role subqueries (`users.id`) refer to it.
  return db.select(db.raw(`${agg} AS page`)).from(pageRows(db, q).as('users'));
}

export interface UserPage {
  readonly users: readonly UserAggregate[];
  readonly total: number;
}

interface CachedPage {
  version: number;
  page: UserPage;
}

const CACHE_SIZE = 64;
const pages = new WeakMap<Knex, Map<string, CachedPage>>();

/**
 * A page of users with their groups, roles and spawners, and the total number matching the filters.
 * On SQLite a page is remembered with the database's data_version and reused while that is unchanged, i.e. while
 * nobody committed anything: repeated list requests (dashboards polling) then cost no query. The version is read
 * before the query, so a remembered page is never older than its version. What is not in the database (whether a
 * server is running) is added per request by the model builder, never remembered.
 */
export async function queryUserPage(db: Knex, q: UserListQuery): Promise<UserPage> {
  const version = await dataVersion(db);
  if (version === null) return loadUserPage(db, q);
  let cache = pages.get(db);
  if (!cache) pages.set(db, (cache = new Map()));
  const key = JSON.stringify(q);
  const hit = cache.get(key);
  if (hit && hit.version === version) return hit.page;
  const page = await loadUserPage(db, q);
  cache.delete(key);
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value ?? '');
  cache.set(key, { version, page });
  return page;
}

async function loadUserPage(db: Knex, q: UserListQuery): Promise<UserPage> {
  const [count] = await readRows(db, withListFilters(db, db('users').count({ n: '*' }), q));
  const [pageRow] = await readRows(db, pageJson(db, q));
  const users = pageRow === undefined ? [] : jsonList(pageRow, 'page').map((item) => aggregateFromRow(asRow(item), false));
  if (users.length > 0) {
    const pageIds = db.select('users.id').from(pageRows(db, q).as('users'));
    const spawners = await readRows(db, db('spawners').select(['user_id', ...SPAWNER_FIELDS]).whereIn('user_id', pageIds).orderBy('id'));
    const byUser = new Map<number, UserAggregate>(users.map((u) => [u.id, u]));
    for (const r of spawners) byUser.get(readInt(r, 'user_id'))?.spawners.push(spawnerSummary(r as Row));
  }
  return { users, total: count === undefined ? 0 : readInt(count, 'n') };
}
