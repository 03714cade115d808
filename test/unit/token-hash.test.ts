import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  compareToken, GENERATED_TOKEN_ROUNDS, hashGeneratedToken, hashToken, USER_TOKEN_ROUNDS,
} from '../../src/daemon/auth/token-hash.js';
import { jupyterhubHashToken } from '../helpers/jupyterhub-db.js';

describe('token-hash', () => {
  it('formats sha512:<rounds>:<salt hex>:<digest> with JupyterHub defaults', () => {
    const hashed = hashToken('secret-token');
    const [alg, rounds, salt, digest] = hashed.split(':');
    assert.equal(alg, 'sha512');
    assert.equal(rounds, String(USER_TOKEN_ROUNDS));
    assert.match(salt ?? '', /^[0-9a-f]{16}$/);
    assert.match(digest ?? '', /^[0-9a-f]{128}$/);
  });

  it('hashes the salt as its hex string followed by the token repeated rounds times', () => {
    const salt = '0123456789abcdef';
    const expected = createHash('sha512').update(salt + 'tok'.repeat(3)).digest('hex');
    assert.equal(hashToken('tok', { salt, rounds: 3 }), `sha512:3:${salt}:${expected}`);
  });

  it('hashes generated tokens with one round and an 8-byte salt, as orm.py does', () => {
    const [, rounds, salt] = hashGeneratedToken('0123456789abcdef0123456789abcdef').split(':');
    assert.equal(rounds, String(GENERATED_TOKEN_ROUNDS));
    assert.equal(salt?.length, 16);
  });

  it('verifies its own hashes and rejects a wrong token', () => {
    const hashed = hashToken('right-token', { rounds: 10 });
    assert.equal(compareToken(hashed, 'right-token'), true);
    assert.equal(compareToken(hashed, 'wrong-token'), false);
    assert.equal(compareToken(hashed, 'right-token '), false);
  });

  it('uses a fresh salt each time', () => {
    assert.notEqual(hashToken('same', { rounds: 1 }), hashToken('same', { rounds: 1 }));
  });

  it('verifies hashes computed by JupyterHub 3.0 (python jupyterhub.utils.hash_token)', async () => {
    const token = 'f3a1c0ffee0123456789abcdef012345';
    const generated = await jupyterhubHashToken(token, 1);
    assert.match(generated, /^sha512:1:[0-9a-f]{16}:[0-9a-f]{128}$/);
    assert.equal(compareToken(generated, token), true);
    assert.equal(compareToken(generated, token.replace('f3', 'f4')), false);

    const chosen = await jupyterhubHashToken('my chosen tökén', USER_TOKEN_ROUNDS);
    assert.equal(compareToken(chosen, 'my chosen tökén'), true);
    assert.equal(compareToken(chosen, 'my chosen token'), false);
  });

  it('produces exactly what JupyterHub produces for the same salt and rounds', async () => {
    const fromPython = await jupyterhubHashToken('abc-123', 7);
    const salt = fromPython.split(':')[2] ?? '';
    assert.equal(hashToken('abc-123', { salt, rounds: 7 }), fromPython);
  });

  it('never matches malformed stored hashes', () => {
    assert.equal(compareToken('', 'x'), false);
    assert.equal(compareToken('sha512:1:abc', 'x'), false);
    assert.equal(compareToken('sha512:lots:abc:def', 'x'), false);
    assert.equal(compareToken('nosuchalg:1:abc:def', 'x'), false);
    assert.equal(compareToken('sha512:99999999999:abc:def', 'x'), false);
  });
});
