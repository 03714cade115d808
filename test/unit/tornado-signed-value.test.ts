import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { createTornadoSignedValue, decodeTornadoSignedValue, unquoteCookieValue } from '../../src/daemon/auth/tornado-signed-value.js';
import { signCookieValue, verifyCookieValue } from '../../src/daemon/auth/cookies.js';
import { SYSTEM_PYTHON } from '../helpers/jupyterhub-db.js';

const run = promisify(execFile);

/**
 * Against Debian's tornado (the one JupyterHub 3.0 runs on): what it signs we read, what we sign it reads, and the
 * Set-Cookie value Python's http.cookies makes of it (quoted, because base64 has `=`) is read too.
 */
const PY = `
import json, sys, time
from http.cookies import SimpleCookie
from tornado.web import create_signed_value, decode_signed_value
req = json.loads(sys.argv[1])
secret = bytes.fromhex(req['secret'])
signed = create_signed_value(secret, req['name'], req['value'], clock=lambda: req['time']).decode()
c = SimpleCookie()
c[req['name']] = signed
header = c.output(header='').strip()
ours = decode_signed_value(secret, req['name'], req['ours'], max_age_days=req['days'], clock=lambda: req['time'])
print(json.dumps({'signed': signed, 'header': header, 'ours': ours.decode() if ours is not None else None}))
`;

interface PyOut { signed: string; header: string; ours: string | null }

async function tornado(req: Record<string, unknown>): Promise<PyOut> {
  const { stdout } = await run(SYSTEM_PYTHON, ['-c', PY, JSON.stringify(req)]);
  return JSON.parse(stdout) as PyOut;
}

test('tornado v2 signed values: the same bytes as tornado, read both ways, quoted Set-Cookie values too', async () => {
  const secret = randomBytes(32);
  const name = 'jupyterhub-hub-login';
  const value = randomBytes(16).toString('hex');
  const now = 1_800_000_000_000;
  const ours = createTornadoSignedValue(secret, name, value, now);
  const py = await tornado({ secret: secret.toString('hex'), name, value, time: now / 1000, days: 14, ours });
  assert.equal(ours, py.signed, 'byte for byte what tornado makes');
  assert.equal(py.ours, value, 'tornado reads ours');
  assert.equal(decodeTornadoSignedValue(secret, name, py.signed, 14, now), value);
  const quoted = py.header.slice(py.header.indexOf('=') + 1);
  assert.match(quoted, /^"2\|/, 'http.cookies quotes it');
  assert.equal(unquoteCookieValue(quoted), py.signed);
  assert.equal(decodeTornadoSignedValue(secret, name, quoted, 14, now), value);
});

test('tornado v2 signed values: wrong secret, name, tampering and age are refused', () => {
  const secret = randomBytes(32);
  const now = 1_800_000_000_000;
  const signed = createTornadoSignedValue(secret, 'jupyterhub-hub-login', 'abc', now);
  assert.equal(decodeTornadoSignedValue(randomBytes(32), 'jupyterhub-hub-login', signed, 14, now), null);
  assert.equal(decodeTornadoSignedValue(secret, 'other-cookie', signed, 14, now), null);
  assert.equal(decodeTornadoSignedValue(secret, 'jupyterhub-hub-login', `${signed.slice(0, -1)}${signed.endsWith('0') ? '1' : '0'}`, 14, now), null);
  assert.equal(decodeTornadoSignedValue(secret, 'jupyterhub-hub-login', signed.replace('|10:', '|9:'), 14, now), null);
  assert.equal(decodeTornadoSignedValue(secret, 'jupyterhub-hub-login', signed, 14, now + 14 * 86_400_000 - 1000), 'abc');
  assert.equal(decodeTornadoSignedValue(secret, 'jupyterhub-hub-login', signed, 14, now + 14 * 86_400_000 + 1000), null, 'older than max_age_days');
  // hub's earlier format is no tornado value (it is still read by the session manager, through verifyCookieValue).
  const legacy = signCookieValue(secret, 'jupyterhub-hub-login', 'abc', 60, now);
  assert.equal(decodeTornadoSignedValue(secret, 'jupyterhub-hub-login', legacy, 14, now), null);
  assert.equal(verifyCookieValue(secret, 'jupyterhub-hub-login', legacy, now), 'abc');
});
