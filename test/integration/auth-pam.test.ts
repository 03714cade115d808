import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { loadConfig, type HubConfig } from '../../src/lib/config/index.js';
import { createLogger, silentLogger, type Logger } from '../../src/lib/log.js';
import { PAMAuthenticator } from '../../src/daemon/auth/authenticators/pam-authenticator.js';
import { loadPamBinding } from '../../src/daemon/auth/authenticators/pam-binding.js';
import { getentAccounts } from '../../src/daemon/auth/authenticators/unix-accounts.js';
import { getUserByName } from '../../src/daemon/db/users-repo.js';
import { HttpBrowser } from '../helpers/browser.js';
import { tempDir } from '../helpers/cli.js';
import { startTestHub } from '../helpers/hub.js';
import { createUnixGroup, createUnixUser, expireAccount, randomName, removeUnixUser, userExists, type UnixUser } from '../helpers/unix-user.js';

/**
 * PAMAuthenticator against the machine's real PAM stack (the 'login' service: pam_unix via common-auth), with
 * unix accounts made here by useradd and chpasswd and removed afterwards. Runs as root.
 */
let alice: UnixUser;
let bob: UnixUser;
let admins: { name: string; remove: () => Promise<void> };
const cleanups: (() => Promise<void>)[] = [];

async function pamConfig(overrides: string[] = []): Promise<HubConfig> {
  return (await loadConfig({ cwd: await tempDir(), env: {}, overrides: ['JupyterHub.authenticator_class=pam', ...overrides] })).config;
}

function capture(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  return { log: createLogger({ level: 10, format: '%(levelname)s %(message)s', datefmt: '', write: (l) => lines.push(l) }), lines };
}

before(async () => {
  const loaded = loadPamBinding();
  assert.ok('binding' in loaded, `the PAM addon must be built for these tests: ${'error' in loaded ? loaded.error.message : ''}`);
  admins = await createUnixGroup();
  alice = await createUnixUser({ groups: [admins.name], password: 'ålice pw ✓' });
  bob = await createUnixUser();
});

after(async () => {
  for (const c of cleanups.reverse()) await c();
  await alice.remove();
  await bob.remove();
  await admins.remove();
});

test('PAM: the right password logs in, a wrong one or an unknown user does not', async () => {
  const { log, lines } = capture();
  const pam = new PAMAuthenticator({ config: (await pamConfig()).Authenticator, log });
  assert.equal(pam.className, 'PAMAuthenticator');
  assert.deepEqual(await pam.getAuthenticatedUser({ username: alice.name, password: alice.password }, null), { name: alice.name, admin: null, groups: null, auth_state: null });
  assert.equal(await pam.getAuthenticatedUser({ username: alice.name, password: 'wrong' }, null), null);
  assert.equal(await pam.getAuthenticatedUser({ username: randomName('nosuch'), password: 'x' }, null), null);
  assert.ok(lines.some((l) => /PAM Authentication failed .*pam_authenticate: Authentication failure/.test(l)), lines.join('\n'));
});

test('PAM: encoding decides the bytes PAM sees (a latin-1 hub cannot log in a UTF-8 password with non-ASCII letters)', async () => {
  const config = await pamConfig(['PAMAuthenticator.encoding=latin-1']);
  const latin = new PAMAuthenticator({ config: config.Authenticator, log: silentLogger });
  assert.equal(await latin.authenticate({ username: alice.name, password: alice.password }), null);
  assert.throws(() => new PAMAuthenticator({ config: { ...config.Authenticator, encoding: 'ebcdic-nonsense' }, log: silentLogger }), /PAMAuthenticator.encoding "ebcdic-nonsense" is not supported/);
});

test('PAM: check_account runs the account stack (an expired account is refused even with its password)', async () => {
  const carol = await createUnixUser();
  cleanups.push(carol.remove);
  await expireAccount(carol.name);
  const checking = new PAMAuthenticator({ config: (await pamConfig()).Authenticator, log: silentLogger });
  assert.equal(await checking.authenticate({ username: carol.name, password: carol.password }), null);
  const lax = new PAMAuthenticator({ config: (await pamConfig(['PAMAuthenticator.check_account=false'])).Authenticator, log: silentLogger });
  assert.equal(await lax.authenticate({ username: carol.name, password: carol.password }), carol.name);
});

test('PAM: admin_groups makes members admins; blocked users fail even with the right password', async () => {
  const config = await pamConfig([`PAMAuthenticator.admin_groups=["${admins.name}"]`, `Authenticator.blocked_users=["${bob.name}"]`]);
  const pam = new PAMAuthenticator({ config: config.Authenticator, log: silentLogger });
  assert.equal((await pam.getAuthenticatedUser({ username: alice.name, password: alice.password }, null))?.admin, true);
  assert.equal(await pam.getAuthenticatedUser({ username: bob.name, password: bob.password }, null), null);
  const open = new PAMAuthenticator({ config: (await pamConfig([`PAMAuthenticator.admin_groups=["${admins.name}"]`])).Authenticator, log: silentLogger });
  assert.equal((await open.getAuthenticatedUser({ username: bob.name, password: bob.password }, null))?.admin, false, 'authoritative: not a member is not an admin');
  const typo = new PAMAuthenticator({ config: (await pamConfig(['PAMAuthenticator.admin_groups=["no-such-group-xyz"]'])).Authenticator, log: silentLogger });
  await assert.rejects(typo.getAuthenticatedUser({ username: bob.name, password: bob.password }, null), /no such group/);
});

test('PAM: open_sessions opens and closes real sessions, and turns itself off after a failure', async () => {
  const service = `hub-test-${randomBytes(4).toString('hex')}`;
  const file = `/etc/pam.d/${service}`;
  await writeFile(file, 'auth required pam_unix.so\naccount required pam_unix.so\nsession required pam_unix.so\n');
  const denying = `${service}-deny`;
  await writeFile(`/etc/pam.d/${denying}`, 'auth required pam_unix.so\naccount required pam_unix.so\nsession required pam_deny.so\n');
  cleanups.push(() => rm(file, { force: true }), () => rm(`/etc/pam.d/${denying}`, { force: true }));

  const { log, lines } = capture();
  const pam = new PAMAuthenticator({ config: (await pamConfig([`PAMAuthenticator.service=${service}`, 'PAMAuthenticator.open_sessions=true'])).Authenticator, log });
  assert.equal(await pam.authenticate({ username: bob.name, password: bob.password }), bob.name, 'the custom service authenticates');
  await pam.preSpawnStart({ name: bob.name });
  await pam.postSpawnStop({ name: bob.name });
  assert.equal(pam.sessionsEnabled, true, lines.join('\n'));

  const failing = new PAMAuthenticator({ config: (await pamConfig([`PAMAuthenticator.service=${denying}`, 'PAMAuthenticator.open_sessions=true'])).Authenticator, log });
  await failing.preSpawnStart({ name: bob.name });
  assert.equal(failing.sessionsEnabled, false);
  assert.ok(lines.some((l) => /Failed to open PAM session for .*pam_open_session/.test(l)), lines.join('\n'));
  assert.ok(lines.some((l) => /Disabling PAM sessions from now on/.test(l)));
});

test('PAM: addUser checks the unix account; create_system_users makes it with add_user_cmd and uids', async () => {
  const name = randomName('hubc');
  cleanups.push(() => removeUnixUser(name));
  const plain = new PAMAuthenticator({ config: (await pamConfig()).Authenticator, log: silentLogger });
  await assert.rejects(plain.addUser(name), /does not exist on the system/);
  await plain.addUser(alice.name);

  const uid = 40000 + Math.floor(Math.random() * 10000);
  const creating = new PAMAuthenticator({ config: (await pamConfig(['LocalAuthenticator.create_system_users=true', `LocalAuthenticator.uids={"${name}": ${uid}}`])).Authenticator, log: silentLogger });
  await creating.addUser(name);
  assert.ok(await userExists(name), 'the default add_user_cmd (adduser) created the account');
  assert.equal((await getentAccounts.getpwnam(name))?.uid, uid);
  assert.equal((await getentAccounts.getgrouplist(alice.name, (await getentAccounts.getpwnam(alice.name))?.gid ?? -1)).length >= 2, true, 'getent fallback lists groups too');
});

test('PAM through the hub: /hub/login with a real account; blocked and wrong look the same', async () => {
  const t = await startTestHub({ overrides: [`Authenticator.blocked_users=["${bob.name}"]`] });
  try {
    assert.equal(t.hub.authenticator?.className, 'PAMAuthenticator', 'pam is the default');
    const origin = new URL(t.status.hub_url).origin;
    const ok = new HttpBrowser(origin);
    const res = await ok.login('/hub/', alice.name, alice.password, '/hub/home');
    assert.equal(res.status, 302, res.text);
    assert.equal(res.headers.location, '/hub/home');
    assert.ok(await getUserByName(t.hub.db!, alice.name), 'the user row is created at first login');
    const home = await ok.get('/hub/home');
    assert.equal(home.status, 200);
    assert.ok(home.text.includes(alice.name));

    const blocked = await new HttpBrowser(origin).login('/hub/', bob.name, bob.password);
    const wrong = await new HttpBrowser(origin).login('/hub/', alice.name, 'not-the-password');
    const unknown = await new HttpBrowser(origin).login('/hub/', 'nosuchuser', 'x');
    for (const r of [blocked, wrong, unknown]) {
      assert.equal(r.status, 200);
      assert.match(r.text, /class="login_error"[^>]*>\s*Invalid username or password\s*</);
    }
    assert.equal(await getUserByName(t.hub.db!, bob.name), null, 'a blocked user never gets a row');
  } finally {
    await t.stop();
  }
});
