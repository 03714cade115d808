/**
 * Authenticator.delete_invalid_users, as app.py init_users: at start every user in the database goes through the
 * authenticator's add_user; one it refuses (here: PAM's LocalAuthenticator, for a name with no unix account) is
 * kept with a warning by default, and deleted from the database with delete_invalid_users.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createUsers, getUserByName } from '../../src/daemon/db/users-repo.js';
import { tempDir } from '../helpers/cli.js';
import { startTestHub } from '../helpers/hub.js';
import { randomName } from '../helpers/unix-user.js';

test('delete_invalid_users: a user the authenticator refuses at start is kept with a warning, or deleted when set', { timeout: 60_000 }, async () => {
  const dir = await tempDir();
  const ghost = randomName('ghost');
  const first = await startTestHub({ dir });
  await createUsers(first.hub.db!, [ghost, 'root']);
  await first.stop();

  const kept = await startTestHub({ dir });
  try {
    assert.ok(await getUserByName(kept.hub.db!, ghost), 'kept by default');
    assert.ok(kept.logs.some((l) => l.includes(`User ${ghost} is in the database but the authenticator refuses it`)), kept.logs.join('\n'));
  } finally {
    await kept.stop();
  }

  const cleaned = await startTestHub({ dir, overrides: ['Authenticator.delete_invalid_users=true'] });
  try {
    assert.equal(await getUserByName(cleaned.hub.db!, ghost), null);
    assert.ok(await getUserByName(cleaned.hub.db!, 'root'), 'a valid user stays');
    assert.ok(cleaned.logs.some((l) => l.includes(`Deleting invalid user ${ghost} from the database`)), cleaned.logs.join('\n'));
  } finally {
    await cleaned.stop();
  }
});
