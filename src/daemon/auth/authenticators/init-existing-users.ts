import type { Knex } from 'knex';
import { formatError } from '../../../lib/errors.js';
import type { Logger } from '../../../lib/log.js';
import { deleteUser, listUsers } from '../../db/users-repo.js';
import type { Authenticator } from './types.js';

/**
 * JupyterHub's init_users, authenticator half: every user already in the database is passed to
 * `addUser` at start. That puts them in a live allowed set, and lets a LocalAuthenticator with
 * create_system_users recreate unix accounts a fresh container lost (with the same uid from `uids`).
 * A user the authenticator refuses is deleted with delete_invalid_users, else kept with a warning.
 */
export async function initExistingUsers(db: Knex, authenticator: Authenticator, opts: { deleteInvalid: boolean; log: Logger }): Promise<void> {
  const { rows } = await listUsers(db);
  let refused = 0;
  for (const user of rows) {
    try {
      await authenticator.addUser(user.name);
    } catch (err) {
      refused++;
      if (opts.deleteInvalid) {
        opts.log.warn(`Deleting invalid user ${user.name} from the database: ${formatError(err)}`);
        await deleteUser(db, user.name);
      } else if (refused <= 20) {
        opts.log.warn(`User ${user.name} is in the database but the authenticator refuses it: ${formatError(err)}`);
      }
    }
  }
  if (refused > 20 && !opts.deleteInvalid) opts.log.warn(`... and ${refused - 20} more users the authenticator refuses (set Authenticator.delete_invalid_users to remove them)`);
}
