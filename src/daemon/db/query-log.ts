/**
 * `JupyterHub.debug_db`: every statement at debug level, with its bound values, except where those values
 * could be credentials. A statement naming a secret-bearing table or column is logged without any of its
 * bindings: mapping placeholders back to columns is guesswork, and one leaked token hash is one too many.
 */
import type { Knex } from 'knex';
import type { Logger } from '../../lib/log.js';

const SECRET_NAMES = /\b(api_tokens|oauth_clients|oauth_codes|hashed|secret|code|cookie_id|encrypted_auth_state|password)\b/i;

export function describeQuery(sql: string, bindings: readonly unknown[]): string {
  if (bindings.length === 0) return sql;
  if (SECRET_NAMES.test(sql)) return `${sql} [${bindings.length} bindings redacted]`;
  return `${sql} ${JSON.stringify(bindings.map(bindingForLog))}`;
}

function bindingForLog(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return `<${value.length} bytes>`;
  if (value instanceof Date) return value.toISOString();
  return typeof value === 'bigint' ? value.toString() : value;
}

/** knex emits 'query' with {sql, bindings, ...}; narrowed, since the event is typed loosely. */
export function attachQueryLog(knex: Knex, log: Logger): void {
  knex.on('query', (data: unknown) => {
    if (typeof data !== 'object' || data === null) return;
    const sql = 'sql' in data && typeof data.sql === 'string' ? data.sql : undefined;
    if (sql === undefined) return;
    const bindings = 'bindings' in data && Array.isArray(data.bindings) ? (data.bindings as unknown[]) : [];
    log.debug(describeQuery(sql, bindings));
  });
}
