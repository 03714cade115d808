/**
 * node-pg parses TIMESTAMP WITHOUT TIME ZONE as *local* time, which would shift every JupyterHub (naive
 * UTC) datetime by the server's offset. Our connections get a type registry that hands that one type back
 * as text, parsed by timestamps.ts as UTC; every other type keeps pg's own parser. Per connection, not via
 * pg.types.setTypeParser, so nothing else in the process changes.
 */
import { createRequire } from 'node:module';

type Parser = (value: string) => unknown;
export interface PgTypeRegistry { getTypeParser(oid: number, format?: string): Parser }

const TIMESTAMP_OID = 1114;

function isRegistry(value: unknown): value is PgTypeRegistry {
  return typeof value === 'object' && value !== null && 'getTypeParser' in value && typeof value.getTypeParser === 'function';
}

let registry: PgTypeRegistry | undefined;

export function hubPgTypes(): PgTypeRegistry {
  if (registry !== undefined) return registry;
  // pg ships no type declarations; load it as the untyped CommonJS module it is and narrow what we use.
  const pg: unknown = createRequire(import.meta.url)('pg');
  const defaults = typeof pg === 'object' && pg !== null && 'types' in pg ? pg.types : undefined;
  if (!isRegistry(defaults)) throw new Error('the pg module has no types.getTypeParser');
  registry = {
    getTypeParser: (oid, format) => (oid === TIMESTAMP_OID ? (v: string) => v : defaults.getTypeParser(oid, format)),
  };
  return registry;
}
