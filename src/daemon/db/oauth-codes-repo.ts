/**
 * `oauth_codes`: authorization codes between `authorize` and `token`. As in JupyterHub, a code is stored as
 * issued (it lives five minutes and is worth nothing without the client's secret), `expires_at` is a unix
 * timestamp in whole seconds, and the row remembers the client, user, login session, redirect_uri and the raw
 * scopes granted. A code is consumed by deleting its row; the delete's row count decides a race between two
 * redemptions of the same code, so exactly one of them wins.
 */
import type { Knex } from 'knex';
import { asRows, readInt, readNullableInt, readNullableString, readString, readStringList, type Row } from './row.js';

type Db = Knex | Knex.Transaction;

export interface OAuthCodeRow {
  id: number;
  client_id: string;
  code: string;
  /** Unix seconds. */
  expires_at: number | null;
  redirect_uri: string;
  session_id: string | null;
  user_id: number;
  scopes: string[];
}

export interface NewOAuthCode {
  code: string;
  clientId: string;
  userId: number;
  sessionId: string | null;
  redirectUri: string;
  scopes: readonly string[];
  expiresAt: number;
}

function codeFromRow(row: Row): OAuthCodeRow {
  return {
    id: readInt(row, 'id'),
    client_id: readString(row, 'client_id'),
    code: readString(row, 'code'),
    expires_at: readNullableInt(row, 'expires_at'),
    redirect_uri: readNullableString(row, 'redirect_uri') ?? '',
    session_id: readNullableString(row, 'session_id'),
    user_id: readInt(row, 'user_id'),
    scopes: readStringList(row, 'scopes'),
  };
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

export async function createOAuthCode(db: Db, c: NewOAuthCode): Promise<void> {
  // Expired codes are useless; dropping them here keeps the table small without a timer.
  await db('oauth_codes').where('expires_at', '<', nowSeconds()).delete();
  await db('oauth_codes').insert({
    client_id: c.clientId,
    code: c.code,
    expires_at: c.expiresAt,
    redirect_uri: c.redirectUri,
    session_id: c.sessionId,
    user_id: c.userId,
    scopes: JSON.stringify([...c.scopes]),
  });
}

/** orm.py `OAuthCode.find`: a live code (no expiry, or not yet expired). */
export async function findOAuthCode(db: Db, code: string, now = nowSeconds()): Promise<OAuthCodeRow | null> {
  const rows = asRows(await db('oauth_codes').select('*').where({ code })
    .andWhere((q) => { void q.whereNull('expires_at').orWhere('expires_at', '>=', now); }));
  const row = rows[0];
  return row === undefined ? null : codeFromRow(row);
}

/** Consume a code; false if someone else consumed it first. */
export async function deleteOAuthCode(db: Db, id: number): Promise<boolean> {
  return (await db('oauth_codes').where({ id }).delete()) > 0;
}
