/**
 * The Authenticator's pre_spawn_start/post_spawn_stop as the spawner calls them. JupyterHub hands these hooks
 * its User object, whose `get_auth_state()` a custom authenticator typically awaits in pre_spawn_start (to put
 * an access token into the server's environment). The spawner only knows a name; this adds `getAuthState()`,
 * read from the database when the hook asks, so nothing is decrypted for authenticators that never look.
 */
import type { Knex } from 'knex';
import type { Logger } from '../../../lib/log.js';
import { getUserByName } from '../../db/users-repo.js';
import { getAuthState } from '../auth-state.js';
import type { CryptKeeper } from '../crypt-keeper.js';
import type { Authenticator, HookUser } from './types.js';

export interface SpawnHookDeps {
  db: Knex;
  keeper: CryptKeeper;
  log: Logger;
}

export interface AuthenticatorSpawnHooks {
  preSpawnStart(user: { name: string }, server: string, spawner?: unknown): Promise<void>;
  postSpawnStop(user: { name: string }, server: string, spawner?: unknown): Promise<void>;
  authState(user: { name: string }): Promise<unknown>;
}

export function hookUser(name: string, d: SpawnHookDeps): HookUser {
  return {
    name,
    getAuthState: async () => {
      const row = await getUserByName(d.db, name);
      return row === null ? null : getAuthState(d.db, d.keeper, row, d.log);
    },
  };
}

export function authenticatorSpawnHooks(authenticator: Authenticator, d: SpawnHookDeps): AuthenticatorSpawnHooks {
  return {
    preSpawnStart: (user, server, spawner) => authenticator.preSpawnStart(hookUser(user.name, d), server, spawner),
    postSpawnStop: (user, server, spawner) => authenticator.postSpawnStop(hookUser(user.name, d), server, spawner),
    authState: (user) => hookUser(user.name, d).getAuthState?.() ?? Promise.resolve(null),
  };
}
