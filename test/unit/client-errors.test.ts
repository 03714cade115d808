import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiError } from '../../src/lib/client/hub-client.js';
import { exitCodeFor } from '../../src/lib/errors.js';

test('the CLI maps daemon answers to exit codes: 429 is "throttled" (19), apart from a failed spawn (16)', () => {
  const res = (status: number, body: unknown, headers: Record<string, string> = {}) => ({ status, body, headers });
  const busy = apiError('POST', '/users/ada/server', res(429, { message: 'Too many users trying to log in right now. Try again in 42 seconds.' }, { 'retry-after': '42' }));
  assert.equal(busy.code, 'THROTTLED');
  assert.equal(exitCodeFor(busy), 19);
  assert.match(busy.hint ?? '', /try again in 42 s/);
  assert.equal(exitCodeFor(apiError('POST', '/users/ada/server', res(500, { message: 'Spawn failed: boom' }))), 16);
  assert.equal(exitCodeFor(apiError('GET', '/users/zed', res(404, { message: 'No such user: zed' }))), 13);
  assert.equal(exitCodeFor(apiError('GET', '/users', res(403, { message: 'forbidden' }))), 15);
  assert.equal(exitCodeFor(apiError('GET', '/nothing', res(404, { message: 'no such path /hub/nothing' }))), 18);
});

test('a refusal a config option lifts names the option', () => {
  const named = apiError('POST', '/users/ada/servers/gpu', { status: 400, body: { status: 400, message: 'Named servers are not enabled.' }, headers: {} });
  assert.equal(exitCodeFor(named), 16);
  assert.match(named.hint ?? '', /JupyterHub\.allow_named_servers: true/);
  assert.equal(apiError('GET', '/users', { status: 400, body: { message: 'other' }, headers: {} }).hint, undefined);
});
