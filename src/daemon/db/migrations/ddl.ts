/**
 * Tables described once as data and rendered to the DDL SQLAlchemy emits for JupyterHub, per dialect.
 * The SQLite text is byte-identical to what JupyterHub 3.0 stores in sqlite_master (the test compares
 * them), so a database we create cannot be told apart from one JupyterHub created. Constraint names
 * follow orm.py's naming convention (pk_<table>, uq_<table>_<col>, fk_<table>_<col>_<referred table>).
 */
import type { Dialect } from '../dialect.js';

export type ColumnType = 'INTEGER' | 'BOOLEAN' | 'DATETIME' | 'TEXT' | 'BLOB' | `VARCHAR(${number})`;

export interface ColumnDef {
  name: string;
  type: ColumnType;
  notNull?: boolean;
  /** The single integer primary key SQLAlchemy makes autoincrementing: SERIAL on PostgreSQL. */
  serial?: boolean;
}

/** In declaration order: SQLAlchemy interleaves unique and foreign-key constraints as the columns declare them. */
export type ConstraintDef =
  | { kind: 'pk'; columns: string[]; name?: string }
  | { kind: 'unique'; column: string }
  | { kind: 'fk'; column: string; table: string; refColumn: string; onDelete: 'CASCADE' | 'SET NULL' };

export interface TableDef {
  name: string;
  columns: ColumnDef[];
  constraints: ConstraintDef[];
}

export interface IndexDef {
  name: string;
  table: string;
  columns: string[];
}

function columnType(col: ColumnDef, dialect: Dialect): string {
  if (dialect === 'sqlite') return col.type;
  if (col.serial) return 'SERIAL';
  switch (col.type) {
    case 'DATETIME': return 'TIMESTAMP WITHOUT TIME ZONE';
    case 'BLOB': return 'BYTEA';
    default: return col.type;
  }
}

function renderColumn(col: ColumnDef, dialect: Dialect): string {
  const notNull = col.notNull || col.serial ? ' NOT NULL' : '';
  return `${col.name} ${columnType(col, dialect)}${notNull}`;
}

function renderConstraint(table: string, c: ConstraintDef): string {
  switch (c.kind) {
    case 'pk': return `CONSTRAINT ${c.name ?? `pk_${table}`} PRIMARY KEY (${c.columns.join(', ')})`;
    case 'unique': return `CONSTRAINT uq_${table}_${c.column} UNIQUE (${c.column})`;
    case 'fk':
      return `CONSTRAINT fk_${table}_${c.column}_${c.table} FOREIGN KEY(${c.column}) ` +
        `REFERENCES ${c.table} (${c.refColumn}) ON DELETE ${c.onDelete}`;
  }
}

/** SQLAlchemy's layout, tab indents and trailing spaces included: `(\n\tcol, \n\t...\n)`. */
export function createTableSql(table: TableDef, dialect: Dialect): string {
  const items = [
    ...table.columns.map((c) => renderColumn(c, dialect)),
    ...table.constraints.map((c) => renderConstraint(table.name, c)),
  ];
  return `CREATE TABLE ${table.name} (\n\t${items.join(', \n\t')}\n)`;
}

export function createIndexSql(index: IndexDef): string {
  return `CREATE INDEX ${index.name} ON ${index.table} (${index.columns.join(', ')})`;
}

/** PostgreSQL refuses to drop a table others reference; CASCADE drops foreign keys of tables we do not know. */
export function dropTableSql(name: string, dialect: Dialect): string {
  return dialect === 'postgres' ? `DROP TABLE IF EXISTS ${name} CASCADE` : `DROP TABLE IF EXISTS ${name}`;
}
