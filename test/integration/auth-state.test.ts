import { after, before, describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { fernetDecrypt } from '../../src/daemon/auth/fernet.js';
import { cryptKeeperFor } from '../../src/daemon/auth/crypt-keeper.js';
import { authenticatorSpawnHooks } from '../../src/daemon/auth/authenticators/spawn-hooks.js';
import { createToken } from '../../src/daemon/db/tokens-repo.js';
import { getUserByName } from '../../src/daemon/db/users-repo.js';
import { isHubError } from '../../src/lib/errors.js';
import { createLogger } from '../../src/lib/log.js';
import { HttpBrowser } from '../helpers/browser.js';
import { tempDir } from '../helpers/cli.js';
import { request, startTestHub, type TestHub } from '../helpers/hub.js';
import { SYSTEM_PYTHON } from '../helpers/jupyterhub-db.js';

type Model = Record<string, unknown>;
const run = promisify(execFile);

/** A custom authenticator as an admin would write one: auth_state from authenticate, read back in pre_spawn_start. */
const AUTHENTICATOR = `
export const seen = [];
export default class TokenAuthenticator {
  async authenticate({ username, password }) {
    if (password === 'no-state') return { name: username };
    return { name: username, auth_state: { access_token: 'tok-' + username, scopes: ['read', 'write'], note: 'caf\\u00e9' } };
  }
  async preSpawnStart(user, serverName) {
    seen.push({ name: user.name, serverName, authState: await user.getAuthState() });
  }
}
`;

const OVERRIDES = ['JupyterHub.authenticator_class=./token-auth.mjs', 'Authenticator.enable_auth_state=true', 'Authenticator.admin_users=["root"]'];

/** What JupyterHub 3.0 itself would leave in users.encrypted_auth_state: its CryptKeeper, its key parsing. */
const PY_WRITE = `
import os, sqlite3, sys
from jupyterhub.crypto import CryptKeeper
blob = CryptKeeper()._encrypt({'written_by': 'jupyterhub', 'n': 1})
db = sqlite3.connect(sys.argv[1])
db.execute('UPDATE users SET encrypted_auth_state = ? WHERE name = ?', (blob, sys.argv[2]))
db.commit()
`;

async function getUser(t: TestHub, name: string, token: string): Promise<Model> {
  const res = await request({ url: `${t.status.hub_url}api/users/${name}`, headers: { authorization: `token ${token}` } });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body as Model;
}

async function rawColumn(t: TestHub, name: string): Promise<Buffer | null> {
  return (await getUserByName(t.hub.db!, name))?.encrypted_auth_state ?? null;
}

describe('auth_state with enable_auth_state and JUPYTERHUB_CRYPT_KEY', () => {
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  let dir: string;
  let t: TestHub;
  let adminToken: string;

  const start = async (cryptKey: string): Promise<TestHub> => startTestHub({ dir, env: { JUPYTERHUB_CRYPT_KEY: cryptKey }, overrides: OVERRIDES });
  const login = async (name: string, password: string): Promise<void> => {
    const res = await new HttpBrowser(new URL(t.status.hub_url).origin).login('/hub/', name, password);
    assert.equal(res.status, 302, `login of ${name}`);
  };

  before(async () => {
    dir = await tempDir();
    await writeFile(path.join(dir, 'token-auth.mjs'), AUTHENTICATOR);
    t = await start(oldKey.toString('hex'));
    await login('root', 'pw');
    const root = await getUserByName(t.hub.db!, 'root');
    adminToken = (await createToken(t.hub.db!, { userId: root!.id })).token;
  });
  after(async () => t.stop());

  it('a login stores it encrypted; GET /users/{name} shows it to admin:auth_state only, the list never', async () => {
    await login('ann', 'pw');
    const blob = await rawColumn(t, 'ann');
    assert.ok(blob !== null);
    assert.match(blob.toString('latin1'), /^gAAAAA[A-Za-z0-9_-]+=*$/, 'a Fernet token, as JupyterHub stores it');
    assert.ok(!blob.toString('latin1').includes('tok-ann'), 'no plaintext in the column');
    assert.equal(JSON.parse(fernetDecrypt([oldKey], blob).toString()).access_token, 'tok-ann');

    const expected = { access_token: 'tok-ann', scopes: ['read', 'write'], note: 'caf\u00e9' };
    assert.deepEqual((await getUser(t, 'ann', adminToken)).auth_state, expected);
    const root = await getUserByName(t.hub.db!, 'root');
    const reader = (await createToken(t.hub.db!, { userId: root!.id }, { scopes: ['read:users'] })).token;
    assert.ok(!('auth_state' in (await getUser(t, 'ann', reader))), 'read:users without admin:auth_state');
    const ann = await getUserByName(t.hub.db!, 'ann');
    const own = (await createToken(t.hub.db!, { userId: ann!.id })).token;
    assert.ok(!('auth_state' in (await getUser(t, 'ann', own))), 'a user does not see their own auth_state');

    const list = await request({ url: `${t.status.hub_url}api/users`, headers: { authorization: `token ${adminToken}` } });
    const inList = (list.body as Model[]).find((u) => u.name === 'ann');
    assert.equal(inList?.auth_state, null, 'JupyterHub 3.0 lists keep the null placeholder');
  });

  it('pre_spawn_start reads it with user.getAuthState(), as JupyterHub\'s user.get_auth_state()', async () => {
    const mod = (await import(pathToFileURL(path.join(dir, 'token-auth.mjs')).href)) as { seen: Model[] };
    const hooks = authenticatorSpawnHooks(t.hub.authenticator!, { db: t.hub.db!, keeper: cryptKeeperFor(t.hub.config.CryptKeeper), log: createLogger({ level: 40, format: '%(message)s', datefmt: '', write: () => undefined }) });
    await hooks.preSpawnStart({ name: 'ann' }, 'lab');
    assert.deepEqual(mod.seen.at(-1), { name: 'ann', serverName: 'lab', authState: { access_token: 'tok-ann', scopes: ['read', 'write'], note: 'caf\u00e9' } });
  });

  it('a login without auth_state clears it (save_auth_state(None)); PATCH sets it and answers it', async () => {
    await login('bea', 'pw');
    assert.notEqual(await rawColumn(t, 'bea'), null);
    await login('bea', 'no-state');
    assert.equal(await rawColumn(t, 'bea'), null);
    assert.equal((await getUser(t, 'bea', adminToken)).auth_state, null);

    const patched = await request({ url: `${t.status.hub_url}api/users/bea`, method: 'PATCH', headers: { authorization: `token ${adminToken}` }, body: JSON.stringify({ auth_state: { set: 'by patch' } }) });
    assert.equal(patched.status, 200);
    assert.deepEqual((patched.body as Model).auth_state, { set: 'by patch' });
    assert.deepEqual((await getUser(t, 'bea', adminToken)).auth_state, { set: 'by patch' });
  });

  it('reads what JupyterHub\'s own CryptKeeper wrote into the column', async () => {
    await login('cy', 'no-state');
    await run(SYSTEM_PYTHON, ['-c', PY_WRITE, path.join(dir, 'hub.sqlite'), 'cy'], { env: { ...process.env, JUPYTERHUB_CRYPT_KEY: oldKey.toString('base64url').concat('=') } });
    assert.deepEqual((await getUser(t, 'cy', adminToken)).auth_state, { written_by: 'jupyterhub', n: 1 });
  });

  it('key rotation: new key first, old second still decrypts, and what is read is re-encrypted under the new key', async () => {
    await t.stop();
    t = await start(`${newKey.toString('hex')};${oldKey.toString('hex')}`);
    assert.deepEqual((await getUser(t, 'ann', adminToken)).auth_state, { access_token: 'tok-ann', scopes: ['read', 'write'], note: 'caf\u00e9' });
    const blob = await rawColumn(t, 'ann');
    assert.equal(JSON.parse(fernetDecrypt([newKey], blob!).toString()).access_token, 'tok-ann', 'rewritten under the first key');
    assert.throws(() => fernetDecrypt([oldKey], blob!));

    // A hub that lost the new key cannot read it: null and a warning, not a failed request.
    await t.stop();
    t = await start(oldKey.toString('hex'));
    assert.equal((await getUser(t, 'ann', adminToken)).auth_state, null);
    assert.ok(t.logs.some((l) => /Failed to retrieve encrypted auth_state for ann/.test(l)));
  });
});

test('enable_auth_state without any key: the hub refuses to start and says how to make one', async () => {
  const dir = await tempDir();
  await writeFile(path.join(dir, 'token-auth.mjs'), AUTHENTICATOR);
  await assert.rejects(startTestHub({ dir, env: {}, overrides: OVERRIDES }), (err: unknown) => {
    assert.ok(isHubError(err));
    assert.equal(err.code, 'CONFIG_INVALID');
    assert.match(err.message, /auth_state is enabled, but encryption is not available.*JUPYTERHUB_CRYPT_KEY/);
    assert.match(err.hint ?? '', /export JUPYTERHUB_CRYPT_KEY=\$\(openssl rand -hex 32\)/);
    return true;
  });
});
