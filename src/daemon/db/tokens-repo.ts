/**
 * `api_tokens`, stored as JupyterHub stores them: only a salted hash and a 4-character prefix of each
 * token. Lookups go by prefix (indexed) and verify the hash of the few candidates, never scanning the table.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { HubError } from '../../lib/errors.js';
import { compareToken, hashGeneratedToken, hashToken, USER_TOKEN_ROUNDS } from '../auth/token-hash.js';
import { compareTokenRemembered } from '../auth/verified-hashes.js';
import { ensureHubOAuthClient, HUB_OAUTH_CLIENT_ID } from './oauth-clients-repo.js';
import {
  asRows, readBool, readInt, readNullableInt, readNullableString, readString, readStringList, type Row,
} from './row.js';
import { readNullableDate, toDbTimestamp } from './timestamps.js';
import { getUserById, type UserRow } from './users-repo.js';

export const TOKEN_PREFIX_LENGTH = 4;
/** orm.py Hashed.min_length: shorter user-chosen tokens are refused. */
export const TOKEN_MIN_LENGTH = 8;

export type TokenOwner = { userId: number } | { serviceId: number };
/** Narrow a listing to one owner, or `{}` for every token. */
export type TokenFilter = { userId?: number; serviceId?: number };

/** An `api_tokens` row without its hash, fields named as the columns, plus the owning service's name. */
export interface TokenRow {
  id: number;
  user_id: number | null;
  service_id: number | null;
  service_name: string | null;
  prefix: string;
  client_id: string | null;
  session_id: string | null;
  created: Date | null;
  expires_at: Date | null;
  last_activity: Date | null;
  note: string | null;
  scopes: string[];
}

export interface ServiceRef { id: number; name: string; admin: boolean }

/** What a presented token resolves to: the token and exactly one of its owners. */
export interface FoundToken {
  token: TokenRow;
  user: UserRow | null;
  service: ServiceRef | null;
}

export interface CreateTokenOptions {
  /** A token the owner chose (hashed with 16384 rounds). Omitted: a uuid4 hex is generated (1 round). */
  token?: string;
  /** The chosen token has good entropy (JupyterHub.trust_user_provided_tokens): one round, as a generated one. */
  trusted?: boolean;
  note?: string;
  /** Default ['inherit']: the owner's own permissions, as JupyterHub does when no `token` role exists. */
  scopes?: readonly string[];
  expiresInSeconds?: number;
  clientId?: string;
  sessionId?: string;
}

const COLUMNS = ['api_tokens.id', 'api_tokens.user_id', 'api_tokens.service_id', 'services.name as service_name',
  'api_tokens.prefix', 'api_tokens.client_id', 'api_tokens.session_id', 'api_tokens.created', 'api_tokens.expires_at',
  'api_tokens.last_activity', 'api_tokens.note', 'api_tokens.scopes'];

function tokenFromRow(row: Row): TokenRow {
  return {
    id: readInt(row, 'id'),
    user_id: readNullableInt(row, 'user_id'),
    service_id: readNullableInt(row, 'service_id'),
    service_name: readNullableString(row, 'service_name'),
    prefix: readString(row, 'prefix'),
    client_id: readNullableString(row, 'client_id'),
    session_id: readNullableString(row, 'session_id'),
    created: readNullableDate(row, 'created'),
    expires_at: readNullableDate(row, 'expires_at'),
    last_activity: readNullableDate(row, 'last_activity'),
    note: readNullableString(row, 'note'),
    scopes: readStringList(row, 'scopes'),
  };
}

function tokens(db: Knex): Knex.QueryBuilder {
  return db('api_tokens').leftJoin('services', 'services.id', 'api_tokens.service_id').select(COLUMNS);
}

function ownerColumns(owner: TokenFilter): Record<string, number> {
  const where: Record<string, number> = {};
  if (owner.userId !== undefined) where['api_tokens.user_id'] = owner.userId;
  if (owner.serviceId !== undefined) where['api_tokens.service_id'] = owner.serviceId;
  return where;
}

/** Tokens with this prefix that have not expired, hashes included: the only candidates for a match. */
function candidates(db: Knex, token: string): Knex.QueryBuilder {
  const now = toDbTimestamp(new Date());
  return tokens(db).select('api_tokens.hashed').where('api_tokens.prefix', token.slice(0, TOKEN_PREFIX_LENGTH))
    .andWhere((q) => { void q.whereNull('api_tokens.expires_at').orWhere('api_tokens.expires_at', '>=', now); });
}

async function serviceById(db: Knex, id: number): Promise<ServiceRef | null> {
  const row = asRows(await db('services').select('id', 'name', 'admin').where({ id }))[0];
  return row === undefined ? null : { id: readInt(row, 'id'), name: readString(row, 'name'), admin: readBool(row, 'admin') };
}

/**
 * The token and its owner, if `token` is a live API token. Like JupyterHub, a token without an OAuth client
 * is stale and matches nothing (JupyterHub deletes it on sight; we leave deletion to the caller).
 */
export async function findToken(db: Knex, token: string, opts: { kind?: 'user' | 'service' } = {}): Promise<FoundToken | null> {
  if (token.length < TOKEN_PREFIX_LENGTH) return null;
  let query = candidates(db, token);
  if (opts.kind === 'user') query = query.whereNotNull('api_tokens.user_id');
  if (opts.kind === 'service') query = query.whereNotNull('api_tokens.service_id');
  for (const row of asRows(await query)) {
    if (!compareTokenRemembered(readString(row, 'hashed'), token)) continue;
    const found = tokenFromRow(row);
    if (found.client_id === null) return null;
    const user = found.user_id === null ? null : await getUserById(db, found.user_id);
    const service = found.service_id === null ? null : await serviceById(db, found.service_id);
    return { token: found, user, service };
  }
  return null;
}

/** JupyterHub's new_token(): uuid4().hex. */
export function newToken(): string {
  return randomUUID().replace(/-/g, '');
}

export async function createToken(db: Knex, owner: TokenOwner, opts: CreateTokenOptions = {}): Promise<{ token: string; row: TokenRow }> {
  return db.transaction(async (trx) => {
    let token: string;
    let hashed: string;
    if (opts.token === undefined) {
      token = newToken();
      hashed = hashGeneratedToken(token);
    } else {
      token = opts.token;
      if (token.length < TOKEN_MIN_LENGTH) {
        throw new HubError('USAGE', `tokens must be at least ${TOKEN_MIN_LENGTH} characters, got ${token.length}`);
      }
      if (asRows(await candidates(trx, token)).some((r) => compareToken(readString(r, 'hashed'), token))) {
        throw new HubError('CONFLICT', `collision on token: ${token.slice(0, TOKEN_PREFIX_LENGTH)}...`);
      }
      hashed = opts.trusted === true ? hashGeneratedToken(token) : hashToken(token, { rounds: USER_TOKEN_ROUNDS });
    }
    const id = await insertToken(trx, owner, token, hashed, opts);
    const row = asRows(await tokens(trx).where('api_tokens.id', id))[0];
    if (row === undefined) throw new HubError('DB_ERROR', 'token vanished right after being created');
    return { token, row: tokenFromRow(row) };
  });
}

/**
 * Generated tokens (uuid4 hex, one hash round) for many owners in one statement, inside the caller's transaction:
 * a batch of spawns' server tokens. The same rows createToken writes; ids come back in the inputs' order.
 */
export async function createGeneratedTokens(trx: Knex.Transaction, items: readonly { owner: TokenOwner; note: string; scopes: readonly string[] }[]): Promise<{ token: string; id: number }[]> {
  if (items.length === 0) return [];
  await ensureHubOAuthClient(trx);
  const created = toDbTimestamp(new Date());
  const made = items.map((it) => {
    const token = newToken();
    const hashed = hashGeneratedToken(token);
    const owner = 'userId' in it.owner ? { user_id: it.owner.userId } : { service_id: it.owner.serviceId };
    const row = { user_id: null, service_id: null, ...owner, hashed, prefix: token.slice(0, TOKEN_PREFIX_LENGTH), client_id: HUB_OAUTH_CLIENT_ID, session_id: null, created, expires_at: null, note: it.note, scopes: JSON.stringify(it.scopes) };
    return { token, hashed, row };
  });
  // Matched back by hash (salted, so unique): the order of RETURNING rows is not promised.
  const ids = new Map(asRows(await trx('api_tokens').insert(made.map((m) => m.row), ['id', 'hashed'])).map((r) => [readString(r, 'hashed'), readInt(r, 'id')]));
  return made.map((m) => {
    const id = ids.get(m.hashed);
    if (id === undefined) throw new HubError('DB_ERROR', 'the database did not return a new token\'s id');
    return { token: m.token, id };
  });
}

async function insertToken(trx: Knex.Transaction, owner: TokenOwner, token: string, hashed: string, opts: CreateTokenOptions): Promise<number> {
  const clientId = opts.clientId ?? HUB_OAUTH_CLIENT_ID;
  if (clientId === HUB_OAUTH_CLIENT_ID) await ensureHubOAuthClient(trx);
  const now = new Date();
  const [inserted] = await trx('api_tokens').insert({
    ...('userId' in owner ? { user_id: owner.userId } : { service_id: owner.serviceId }),
    hashed,
    prefix: token.slice(0, TOKEN_PREFIX_LENGTH),
    client_id: clientId,
    session_id: opts.sessionId ?? null,
    created: toDbTimestamp(now),
    expires_at: opts.expiresInSeconds === undefined ? null : toDbTimestamp(new Date(now.getTime() + opts.expiresInSeconds * 1000)),
    note: opts.note ?? '',
    scopes: JSON.stringify(opts.scopes ?? ['inherit']),
  }, ['id']);
  const id = typeof inserted === 'object' && inserted !== null ? (inserted as { id: unknown }).id : inserted;
  if (typeof id !== 'number') throw new HubError('DB_ERROR', 'the database did not return the new token\'s id');
  return id;
}

/** Tokens of one owner, or all with `{}`; expired ones included (the caller decides), oldest first. */
export async function listTokens(db: Knex, filter: TokenFilter): Promise<TokenRow[]> {
  return asRows(await tokens(db).where(ownerColumns(filter)).orderBy('api_tokens.id')).map(tokenFromRow);
}

export async function getToken(db: Knex, id: number): Promise<TokenRow | null> {
  const row = asRows(await tokens(db).where('api_tokens.id', id))[0];
  return row === undefined ? null : tokenFromRow(row);
}

/** Delete a token by id; with an owner, only if it is theirs. Returns whether a token was deleted. */
export async function deleteToken(db: Knex, id: number, owner?: TokenOwner): Promise<boolean> {
  const where: Record<string, number> = { id };
  if (owner !== undefined) Object.assign(where, 'userId' in owner ? { user_id: owner.userId } : { service_id: owner.serviceId });
  return (await db('api_tokens').where(where).delete()) > 0;
}

export async function touchToken(db: Knex, id: number, when: Date = new Date()): Promise<void> {
  await db('api_tokens').where({ id }).update({ last_activity: toDbTimestamp(when) });
}

/** oauth_clients' description, or identifier when it has none (token_model's `oauth_client`), by identifier. */
export async function clientDisplayNames(db: Knex, identifiers: readonly string[]): Promise<Map<string, string>> {
  const unique = [...new Set(identifiers)];
  if (unique.length === 0) return new Map();
  const rows = asRows(await db('oauth_clients').select('identifier', 'description').whereIn('identifier', unique));
  return new Map(rows.map((r) => [readString(r, 'identifier'), readNullableString(r, 'description') || readString(r, 'identifier')]));
}

/** Delete tokens by id (expired ones found while listing, as JupyterHub deletes them). */
export async function deleteTokensById(db: Knex, ids: readonly number[]): Promise<void> {
  if (ids.length > 0) await db('api_tokens').whereIn('id', [...ids]).delete();
}

/**
 * Revoke a token as JupyterHub does: an OAuth token takes every token of the same user and client with it (the
 * client would otherwise keep access through its other tokens); a hub-issued token goes alone.
 */
export async function revokeToken(db: Knex, t: TokenRow): Promise<number> {
  if (t.client_id === null || t.client_id === HUB_OAUTH_CLIENT_ID || t.user_id === null) {
    return db('api_tokens').where({ id: t.id }).delete();
  }
  return db('api_tokens').where({ user_id: t.user_id, client_id: t.client_id }).delete();
}
