/**
 * A memo of token checks that succeeded, for the hot path of API requests. A token an admin chose (a service's
 * api_token from the config) is stored with 16384 rounds of sha512, about 1 ms of CPU per check; every
 * invalidation of the identity cache (a server stopping removes its OAuth client) would make the next request
 * with that token pay it again. A stored hash and a token that matched once always match, so the memo keeps
 * (stored hash -> sha256 of the token) and answers a repeat from it. Only successes are kept: a wrong token is
 * always checked in full. Stored hashes stay JupyterHub's (token-hash.ts); nothing here is written anywhere.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { compareToken } from './token-hash.js';

/** Bounded: cleared when full, which costs one full check per token afterwards. */
const MAX_ENTRIES = 10_000;
const verified = new Map<string, Buffer>();

/** Generated tokens are hashed with one round: checking them is cheaper than any memo. */
function isCheap(hashed: string): boolean {
  return hashed.split(':', 2)[1] === '1';
}

export function compareTokenRemembered(hashed: string, token: string): boolean {
  if (isCheap(hashed)) return compareToken(hashed, token);
  const digest = createHash('sha256').update(token, 'utf8').digest();
  const known = verified.get(hashed);
  if (known !== undefined && timingSafeEqual(known, digest)) return true;
  if (!compareToken(hashed, token)) return false;
  if (verified.size >= MAX_ENTRIES) verified.clear();
  verified.set(hashed, digest);
  return true;
}
