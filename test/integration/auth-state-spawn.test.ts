/**
 * Spawner.auth_state_hook with a real spawn: a custom authenticator returns auth_state at login, the hook (in a
 * JS config file) puts a value from it into the server's environment, and the running jupyterhub-singleuser
 * process has it (read from /proc/<pid>/environ). JupyterHub's order: auth_state_hook before pre_spawn_hook. The
 * authenticator's preSpawnStart gets the spawner object too, as JupyterHub's pre_spawn_start(user, spawner).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startTestHub } from '../helpers/hub.js';
import { HttpBrowser } from '../helpers/browser.js';
import { tempDir } from '../helpers/cli.js';
import { getUserByName } from '../../src/daemon/db/users-repo.js';

const AUTHENTICATOR = `
export default class TokenAuthenticator {
  async authenticate({ username }) {
    return { name: username, auth_state: { access_token: 'tok-' + username } };
  }
  // JupyterHub's pre_spawn_start(user, spawner): the spawner object is the third argument here.
  async preSpawnStart(user, serverName, spawner) {
    spawner.environment.FROM_AUTHENTICATOR = (await user.getAuthState()).access_token + '@' + (serverName || 'default');
  }
}
`;

const CONFIG = (home: string): string => `
export default {
  JupyterHub: { authenticator_class: './token-auth.mjs', spawner_class: 'simple' },
  Authenticator: { enable_auth_state: true },
  Spawner: {
    cmd: ['jupyterhub-singleuser', '--allow-root'],
    http_timeout: 60,
    auth_state_hook: (spawner, authState) => { spawner.env.UPSTREAM_TOKEN = authState ? authState.access_token : 'none'; spawner.env.ORDER = 'state'; },
    pre_spawn_hook: (spawner) => { spawner.env.ORDER += ',pre'; },
  },
  SimpleLocalProcessSpawner: { home_dir_template: ${JSON.stringify(path.join(home, '{username}'))} },
};
`;

test('Spawner.auth_state_hook gets the decrypted auth_state and shapes the real server environment', { timeout: 120_000 }, async () => {
  const dir = await tempDir();
  await writeFile(path.join(dir, 'token-auth.mjs'), AUTHENTICATOR);
  await writeFile(path.join(dir, 'hub.config.mjs'), CONFIG(path.join(dir, 'home')));
  const t = await startTestHub({ dir, withProxy: true, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', JUPYTERHUB_CRYPT_KEY: randomBytes(32).toString('hex') } });
  try {
    const b = new HttpBrowser(t.status.public_url.replace(/\/$/, ''));
    assert.equal((await b.login('/hub/', 'kim', 'x')).status, 302);
    const user = await getUserByName(t.hub.db!, 'kim');
    assert.ok(user);
    assert.equal(await t.hub.servers.start(user, '', {}), 'ready');
    const row = (await t.hub.db!('spawners').where({ user_id: user.id, name: '' }).first('state')) as { state?: string };
    const pid = Number((JSON.parse(row.state ?? '{}') as { pid?: number }).pid);
    const environ = Object.fromEntries((await readFile(`/proc/${pid}/environ`, 'utf8')).split('\0').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
    assert.equal(environ.UPSTREAM_TOKEN, 'tok-kim');
    assert.equal(environ.ORDER, 'state,pre');
    assert.equal(environ.FROM_AUTHENTICATOR, 'tok-kim@default', "the authenticator's pre_spawn_start set the spawner's environment");
    await t.hub.servers.stop(user, '');
  } finally {
    await t.stop();
  }
});
