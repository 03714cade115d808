/**
 * JupyterHub 3.0's tables (orm.py at alembic head 651f5419b74d), in the order SQLAlchemy creates them,
 * which is also an order PostgreSQL accepts: every referenced table comes before the tables referring to it.
 */
import type { ColumnDef, ConstraintDef, IndexDef, TableDef } from './ddl.js';

export const JUPYTERHUB_3_0_REVISION = '651f5419b74d';

const id: ColumnDef = { name: 'id', type: 'INTEGER', serial: true };
const pk: ConstraintDef = { kind: 'pk', columns: ['id'] };
const cascade = (column: string, table: string, refColumn = 'id'): ConstraintDef =>
  ({ kind: 'fk', column, table, refColumn, onDelete: 'CASCADE' });
const setNull = (column: string, table: string, refColumn = 'id'): ConstraintDef =>
  ({ kind: 'fk', column, table, refColumn, onDelete: 'SET NULL' });
const unique = (column: string): ConstraintDef => ({ kind: 'unique', column });

/** user_role_map, group_role_map, service_role_map share one shape. */
function roleMap(owner: 'user' | 'group' | 'service'): TableDef {
  const col = `${owner}_id`;
  return {
    name: `${owner}_role_map`,
    columns: [{ name: col, type: 'INTEGER', notNull: true }, { name: 'role_id', type: 'INTEGER', notNull: true }],
    constraints: [{ kind: 'pk', columns: [col, 'role_id'] }, cascade(col, `${owner}s`), cascade('role_id', 'roles')],
  };
}

export const JUPYTERHUB_3_0_TABLES: readonly TableDef[] = [
  {
    name: 'servers',
    columns: [id, { name: 'proto', type: 'VARCHAR(15)' }, { name: 'ip', type: 'VARCHAR(255)' },
      { name: 'port', type: 'INTEGER' }, { name: 'base_url', type: 'VARCHAR(255)' }, { name: 'cookie_name', type: 'VARCHAR(255)' }],
    constraints: [pk],
  },
  {
    name: 'roles',
    columns: [id, { name: 'name', type: 'VARCHAR(255)' }, { name: 'description', type: 'VARCHAR(1023)' }, { name: 'scopes', type: 'TEXT' }],
    constraints: [pk, unique('name')],
  },
  {
    name: 'groups',
    columns: [id, { name: 'name', type: 'VARCHAR(255)' }],
    constraints: [pk, unique('name')],
  },
  {
    name: 'users',
    columns: [id, { name: 'name', type: 'VARCHAR(255)' }, { name: 'admin', type: 'BOOLEAN' },
      { name: 'created', type: 'DATETIME' }, { name: 'last_activity', type: 'DATETIME' },
      { name: 'cookie_id', type: 'VARCHAR(255)', notNull: true }, { name: 'state', type: 'TEXT' },
      { name: 'encrypted_auth_state', type: 'BLOB' }],
    constraints: [pk, unique('name'), unique('cookie_id')],
  },
  {
    name: 'oauth_clients',
    columns: [id, { name: 'identifier', type: 'VARCHAR(255)' }, { name: 'description', type: 'VARCHAR(1023)' },
      { name: 'secret', type: 'VARCHAR(255)' }, { name: 'redirect_uri', type: 'VARCHAR(1023)' }, { name: 'allowed_scopes', type: 'TEXT' }],
    constraints: [pk, unique('identifier')],
  },
  roleMap('user'),
  roleMap('group'),
  {
    name: 'user_group_map',
    columns: [{ name: 'user_id', type: 'INTEGER', notNull: true }, { name: 'group_id', type: 'INTEGER', notNull: true }],
    constraints: [{ kind: 'pk', columns: ['user_id', 'group_id'] }, cascade('user_id', 'users'), cascade('group_id', 'groups')],
  },
  {
    name: 'spawners',
    columns: [id, { name: 'user_id', type: 'INTEGER' }, { name: 'server_id', type: 'INTEGER' }, { name: 'state', type: 'TEXT' },
      { name: 'name', type: 'VARCHAR(255)' }, { name: 'started', type: 'DATETIME' }, { name: 'last_activity', type: 'DATETIME' },
      { name: 'user_options', type: 'TEXT' }, { name: 'oauth_client_id', type: 'VARCHAR(255)' }],
    constraints: [pk, cascade('user_id', 'users'), setNull('server_id', 'servers'),
      setNull('oauth_client_id', 'oauth_clients', 'identifier')],
  },
  {
    name: 'services',
    columns: [id, { name: 'name', type: 'VARCHAR(255)' }, { name: 'admin', type: 'BOOLEAN' }, { name: '_server_id', type: 'INTEGER' },
      { name: 'pid', type: 'INTEGER' }, { name: 'oauth_client_id', type: 'VARCHAR(255)' }],
    constraints: [pk, unique('name'), setNull('_server_id', 'servers'), setNull('oauth_client_id', 'oauth_clients', 'identifier')],
  },
  {
    name: 'oauth_codes',
    columns: [id, { name: 'client_id', type: 'VARCHAR(255)' }, { name: 'code', type: 'VARCHAR(36)' }, { name: 'expires_at', type: 'INTEGER' },
      { name: 'redirect_uri', type: 'VARCHAR(1023)' }, { name: 'session_id', type: 'VARCHAR(255)' }, { name: 'user_id', type: 'INTEGER' },
      { name: 'scopes', type: 'TEXT' }],
    constraints: [pk, cascade('client_id', 'oauth_clients', 'identifier'), cascade('user_id', 'users')],
  },
  roleMap('service'),
  {
    // Column order is orm.py's: the owner columns come before id.
    name: 'api_tokens',
    columns: [{ name: 'user_id', type: 'INTEGER' }, { name: 'service_id', type: 'INTEGER' }, id,
      { name: 'hashed', type: 'VARCHAR(255)' }, { name: 'prefix', type: 'VARCHAR(16)' }, { name: 'client_id', type: 'VARCHAR(255)' },
      { name: 'session_id', type: 'VARCHAR(255)' }, { name: 'created', type: 'DATETIME' }, { name: 'expires_at', type: 'DATETIME' },
      { name: 'last_activity', type: 'DATETIME' }, { name: 'note', type: 'VARCHAR(1023)' }, { name: 'scopes', type: 'TEXT' }],
    constraints: [pk, cascade('user_id', 'users'), cascade('service_id', 'services'), unique('hashed'),
      cascade('client_id', 'oauth_clients', 'identifier')],
  },
];

export const JUPYTERHUB_3_0_INDEXES: readonly IndexDef[] = [
  { name: 'ix_api_tokens_prefix', table: 'api_tokens', columns: ['prefix'] },
];

/** alembic's own bookkeeping table, as alembic creates it (its primary key name is alembic's, not orm.py's). */
export const ALEMBIC_VERSION_TABLE: TableDef = {
  name: 'alembic_version',
  columns: [{ name: 'version_num', type: 'VARCHAR(32)', notNull: true }],
  constraints: [{ kind: 'pk', columns: ['version_num'], name: 'alembic_version_pkc' }],
};

export const JUPYTERHUB_3_0_TABLE_NAMES: readonly string[] = JUPYTERHUB_3_0_TABLES.map((t) => t.name);
