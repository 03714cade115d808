import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { fernetDecrypt, fernetEncrypt, InvalidToken } from '../../src/daemon/auth/fernet.js';
import { CryptKeeper } from '../../src/daemon/auth/crypt-keeper.js';
import { parseCryptKey, splitCryptKeys } from '../../src/lib/config/crypt-key.js';
import { SYSTEM_PYTHON } from '../helpers/jupyterhub-db.js';

const run = promisify(execFile);

/**
 * One run of Debian's python3-cryptography and JupyterHub's crypto.py (the real ones) per test: it reads a JSON
 * request on argv and answers JSON, so every comparison is against their output, not our reading of the spec.
 */
const PY = `
import base64, json, os, sys
from cryptography.fernet import Fernet, MultiFernet, InvalidToken
req = json.loads(sys.argv[1])
k = lambda h: base64.urlsafe_b64encode(bytes.fromhex(h))
out = {}
if 'fixed' in req:
    f = req['fixed']
    out['fixed'] = Fernet(k(f['key']))._encrypt_from_parts(f['data'].encode(), f['time'], bytes.fromhex(f['iv'])).decode()
if 'encrypt' in req:
    out['encrypted'] = Fernet(k(req['encrypt']['key'])).encrypt(req['encrypt']['data'].encode()).decode()
if 'decrypt' in req:
    d = req['decrypt']
    try:
        out['decrypted'] = MultiFernet([Fernet(k(h)) for h in d['keys']]).decrypt(d['token'].encode()).decode()
    except InvalidToken:
        out['decrypted'] = None
if 'crypt_key_env' in req:
    os.environ['JUPYTERHUB_CRYPT_KEY'] = req['crypt_key_env']
    from jupyterhub.crypto import CryptKeeper
    ck = CryptKeeper()
    out['keys'] = [key.hex() for key in ck.keys]
    out['stored'] = ck._encrypt(req['state']).decode()
    if 'read' in req:
        out['read'] = ck._decrypt(req['read'].encode())
print(json.dumps(out))
`;

async function python(req: Record<string, unknown>): Promise<Record<string, unknown>> {
  const { stdout } = await run(SYSTEM_PYTHON, ['-c', PY, JSON.stringify(req)]);
  return JSON.parse(stdout) as Record<string, unknown>;
}

test('with the same key, IV and time, our token is byte for byte cryptography\'s', async () => {
  const key = randomBytes(32);
  const iv = randomBytes(16);
  for (const data of ['', 'x', '{"access_token": "ab\u00e9c"}', 'y'.repeat(16), 'z'.repeat(1000)]) {
    const out = await python({ fixed: { key: key.toString('hex'), data, time: 1_700_000_123, iv: iv.toString('hex') } });
    assert.equal(fernetEncrypt(key, Buffer.from(data), { iv, time: 1_700_000_123 }), out.fixed, JSON.stringify(data.slice(0, 20)));
  }
});

test('tokens cross both ways: cryptography decrypts ours, we decrypt its (MultiFernet over several keys)', async () => {
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  const ours = fernetEncrypt(newKey, Buffer.from('from node \u2603'));
  const out = await python({
    encrypt: { key: oldKey.toString('hex'), data: 'from python \u2603' },
    decrypt: { keys: [oldKey.toString('hex'), newKey.toString('hex')], token: ours },
  });
  assert.equal(out.decrypted, 'from node \u2603');
  assert.match(String(out.encrypted), /^gAAAAA[A-Za-z0-9_-]+=*$/);
  assert.equal(fernetDecrypt([newKey, oldKey], String(out.encrypted)).toString(), 'from python \u2603');
  assert.equal(fernetDecrypt([oldKey], Buffer.from(String(out.encrypted), 'ascii')).toString(), 'from python \u2603', 'the blob column holds the ASCII token');
  assert.throws(() => fernetDecrypt([newKey], String(out.encrypted)), InvalidToken, 'a key that did not make it does not open it');
});

test('damaged tokens are InvalidToken, never garbage', () => {
  const key = randomBytes(32);
  const token = fernetEncrypt(key, Buffer.from('{"a": 1}'));
  const flipped = `${token.slice(0, 30)}${token[30] === 'A' ? 'B' : 'A'}${token.slice(31)}`;
  for (const bad of [flipped, token.slice(0, -4), `${token}AAAA`, token.replace(/=+$/, '').concat('!'), '', 'not a token', `h${token.slice(1)}`]) {
    assert.throws(() => fernetDecrypt([key], bad), InvalidToken, bad.slice(0, 12));
  }
});

test('JupyterHub\'s CryptKeeper and ours read JUPYTERHUB_CRYPT_KEY alike and open each other\'s auth_state', async () => {
  const hex = randomBytes(32).toString('hex');
  const b64 = randomBytes(32).toString('base64url').concat('=');
  const env = `${hex};${b64}`;
  const keys = splitCryptKeys(env).map((k) => parseCryptKey(k));
  assert.ok(keys.every((k) => k !== undefined));
  const keeper = new CryptKeeper(keys as Buffer[]);
  const state = { access_token: 'tok', refresh: null, scopes: ['a', 'b'], n: 3 };
  const ours = keeper.encrypt({ from: 'hub', nested: { ok: true } }).toString('ascii');
  const out = await python({ crypt_key_env: env, state, read: ours });
  assert.deepEqual(out.keys, keys.map((k) => k?.toString('hex')), 'same 32-byte keys from the hex and base64 forms');
  assert.deepEqual(out.read, { from: 'hub', nested: { ok: true } });
  assert.deepEqual(keeper.decrypt(Buffer.from(String(out.stored), 'ascii')), state);
});

test('a CryptKeeper without keys refuses with the fix in the hint', () => {
  const keeper = new CryptKeeper([]);
  assert.equal(keeper.available, false);
  assert.throws(() => keeper.encrypt({ a: 1 }), (err: unknown) => {
    const e = err as { code?: string; hint?: string; message?: string };
    return e.code === 'CONFIG_INVALID' && /JUPYTERHUB_CRYPT_KEY/.test(e.message ?? '') && /openssl rand -hex 32/.test(e.hint ?? '');
  });
});
