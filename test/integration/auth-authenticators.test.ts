import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig, type HubConfig } from '../../src/lib/config/index.js';
import { silentLogger } from '../../src/lib/log.js';
import { createAuthenticator } from '../../src/daemon/auth/authenticators/create-authenticator.js';
import { DummyAuthenticator } from '../../src/daemon/auth/authenticators/dummy-authenticator.js';
import { LocalAuthenticator } from '../../src/daemon/auth/authenticators/local-authenticator.js';
import { compileUsernamePattern } from '../../src/daemon/auth/authenticators/username-rules.js';
import type { AuthenticateResult, LoginData } from '../../src/daemon/auth/authenticators/types.js';
import type { UnixAccounts } from '../../src/daemon/auth/authenticators/unix-accounts.js';
import { tempDir } from '../helpers/cli.js';

async function configWith(overrides: string[], files: Record<string, string> = {}): Promise<{ config: HubConfig; dir: string }> {
  const dir = await tempDir();
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
  const loaded = await loadConfig({ cwd: dir, env: {}, overrides });
  return { config: loaded.config, dir };
}

const login = (username: string, password = 'pw'): LoginData => ({ username, password });

test('dummy: any password, or exactly DummyAuthenticator.password; names are normalised and validated', async () => {
  const open = await createAuthenticator((await configWith(['JupyterHub.authenticator_class=dummy'])).config, silentLogger);
  assert.equal(open.className, 'DummyAuthenticator');
  assert.deepEqual(await open.getAuthenticatedUser(login('Alice', 'anything'), null), { name: 'alice', admin: null, groups: null, auth_state: null });
  assert.equal(await open.getAuthenticatedUser(login('a/b'), null), null, "'/' is never valid");
  assert.equal(await open.getAuthenticatedUser(login(''), null), null, 'empty names are never valid');
  assert.equal(await open.getAuthenticatedUser(login(' bob'), null), null, 'surrounding space is never valid');

  const locked = await createAuthenticator((await configWith(['JupyterHub.authenticator_class=dummy', 'DummyAuthenticator.password=s3cret'])).config, silentLogger);
  assert.equal(await locked.getAuthenticatedUser(login('carol', 'wrong'), null), null);
  assert.equal((await locked.getAuthenticatedUser(login('carol', 's3cret'), null))?.name, 'carol');
});

test('blocked, allowed and admin users; username_map and username_pattern (re.match: anchored at the start only)', async () => {
  const { config } = await configWith([
    'JupyterHub.authenticator_class=dummy',
    'Authenticator.allowed_users=["alice","bob","root2","abc1"]',
    'Authenticator.blocked_users=["bob"]',
    'Authenticator.admin_users=["alice"]',
    'Authenticator.username_map={"al":"alice"}',
    'Authenticator.username_pattern=[a-z]+',
  ]);
  const a = await createAuthenticator(config, silentLogger);
  assert.equal((await a.getAuthenticatedUser(login('AL'), null))?.name, 'alice', 'lower-cased, then mapped');
  assert.equal((await a.getAuthenticatedUser(login('alice'), null))?.admin, true);
  assert.equal(await a.getAuthenticatedUser(login('bob'), null), null, 'blocked even though allowed');
  assert.equal(await a.getAuthenticatedUser(login('carol'), null), null, 'not in allowed_users');
  assert.equal((await a.getAuthenticatedUser(login('abc1'), null))?.name, 'abc1', 'a prefix match is enough, as with re.match');
  assert.equal(await a.getAuthenticatedUser(login('1abc'), null), null);
  // A user added through the API or the admin page joins the live allowed set.
  assert.equal(await a.getAuthenticatedUser(login('dave'), null), null);
  await a.addUser('dave');
  assert.equal((await a.getAuthenticatedUser(login('dave'), null))?.name, 'dave');
  await a.deleteUser('dave');
  assert.equal(await a.getAuthenticatedUser(login('dave'), null), null);
  await assert.rejects(a.addUser('1bad'), /Invalid username/);
});

test('username_pattern: Python spellings are translated; a broken pattern stops the start with a hint', () => {
  assert.ok(compileUsernamePattern('(?P<first>[a-z])\\w*\\Z')?.test('abc'));
  assert.equal(compileUsernamePattern('(?P<first>[a-z])\\w*\\Z')?.test('abc-'), false);
  assert.ok(compileUsernamePattern('(?i)[a-z]+$')?.test('ABC'));
  assert.throws(() => compileUsernamePattern('(['), /username_pattern is not a valid regular expression/);
});

test('post_auth_hook sees the authentication and may change it; a hook that returns nothing fails loudly', async () => {
  const { config } = await configWith(['JupyterHub.authenticator_class=dummy']);
  const seen: unknown[] = [];
  const hook = (_a: unknown, _req: unknown, auth: { name: string; auth_state: unknown }) => {
    seen.push(auth.name);
    return { ...auth, auth_state: { from: 'hook' }, groups: ['g1'] };
  };
  const a = new DummyAuthenticator({ config: { ...config.Authenticator, post_auth_hook: hook }, log: silentLogger });
  const auth = await a.getAuthenticatedUser(login('Erin'), null);
  assert.deepEqual(seen, ['erin'], 'runs after normalisation');
  assert.deepEqual(auth?.auth_state, { from: 'hook' });
  assert.deepEqual(auth?.groups, ['g1']);
  const broken = new DummyAuthenticator({ config: { ...config.Authenticator, post_auth_hook: () => undefined }, log: silentLogger });
  await assert.rejects(broken.getAuthenticatedUser(login('erin'), null), /post_auth_hook must return the authentication/);
});

const MODULE = `
export default class TeamAuthenticator {
  constructor({ config }) { this.admins = config.admin_users; }
  async authenticate({ username, password }) {
    if (password !== 'team-pw') return null;
    return { name: username, groups: ['team'], auth_state: { via: 'module' } };
  }
  async isAdmin() { return false; }
  customHtml() { return '<p class="custom">{{ username }}</p>'; }
}
`;

test('a custom authenticator from a module path gets the pipeline around it (blocked_users still applies)', async () => {
  const { config } = await configWith(['JupyterHub.authenticator_class=./team-auth.mjs', 'Authenticator.blocked_users=["mallory"]', 'Authenticator.admin_users=["trent"]'], { 'team-auth.mjs': MODULE });
  const a = await createAuthenticator(config, silentLogger);
  assert.equal(a.className, 'TeamAuthenticator');
  assert.equal(await a.getAuthenticatedUser(login('trent', 'nope'), null), null);
  const trent = await a.getAuthenticatedUser(login('Trent', 'team-pw'), null);
  assert.deepEqual(trent, { name: 'trent', admin: false, groups: ['team'], auth_state: { via: 'module' } }, 'its isAdmin replaces admin_users');
  assert.equal(await a.getAuthenticatedUser(login('mallory', 'team-pw'), null), null);
  assert.equal(a.customHtml('/hub/'), '<p class="custom">{{ username }}</p>');
});

test('a custom authenticator class given as a value (JS config), and a factory function', async () => {
  const { config } = await configWith(['JupyterHub.authenticator_class=dummy']);
  class OnlyBob {
    async authenticate(data: LoginData): Promise<AuthenticateResult> {
      return data.username === 'bob' ? 'bob' : null;
    }
  }
  config.JupyterHub.authenticator_class = OnlyBob;
  const a = await createAuthenticator(config, silentLogger);
  assert.equal(a.className, 'OnlyBob');
  assert.equal((await a.getAuthenticatedUser(login('bob'), null))?.name, 'bob');
  assert.equal(await a.getAuthenticatedUser(login('eve'), null), null);

  config.JupyterHub.authenticator_class = () => ({ authenticate: async () => 'factory-user', className: 'Factory' });
  const f = await createAuthenticator(config, silentLogger);
  assert.equal(f.className, 'Factory');
  assert.equal((await f.getAuthenticatedUser(login('whoever'), null))?.name, 'factory-user');

  config.JupyterHub.authenticator_class = () => ({ nothing: true });
  await assert.rejects(createAuthenticator(config, silentLogger), /without an authenticate\(data, req\) method/);
});

class FakeLocal extends LocalAuthenticator {
  readonly className = 'FakeLocal';
  async authenticate(data: LoginData): Promise<AuthenticateResult> {
    return data.username;
  }
}

test('LocalAuthenticator: allowed_groups by member list, addUser needs the unix account or creates it with add_user_cmd', async () => {
  const dir = await tempDir();
  const log = path.join(dir, 'created.txt');
  const existing = new Set(['ann']);
  const accounts: UnixAccounts = {
    getpwnam: async (n) => (existing.has(n) ? { name: n, uid: 1000, gid: 1000, dir: `/home/${n}`, shell: '/bin/sh' } : null),
    getgrnam: async (g) => (g === 'staff' ? { name: 'staff', gid: 50, members: ['ann'] } : null),
    getgrouplist: async (_n, gid) => [gid],
  };
  const { config } = await configWith(['JupyterHub.authenticator_class=pam']);
  const base = { ...config.Authenticator, allowed_groups: ['staff', 'nosuchgroup'], add_user_cmd: ['sh', '-c', `echo "$@" >> ${log}`, 'USERNAME-ignored'] };
  const strict = new FakeLocal({ config: base, log: silentLogger, accounts });
  assert.equal((await strict.getAuthenticatedUser(login('ann'), null))?.name, 'ann');
  assert.equal(await strict.getAuthenticatedUser(login('zed'), null), null, 'not a member of any allowed group');
  await assert.rejects(strict.addUser('zed'), /User zed does not exist on the system/);

  const creating = new FakeLocal({ config: { ...base, create_system_users: true, uids: { zed: 4242 } }, log: silentLogger, accounts });
  await creating.addUser('zed');
  const { readFile } = await import('node:fs/promises');
  assert.equal((await readFile(log, 'utf8')).trim(), '--uid 4242 zed', 'USERNAME replaced, --uid from uids, the name appended');
  await assert.rejects(creating.addUser('-rf'), /Refusing to create a system user whose name starts with '-'|Invalid username/);
});
