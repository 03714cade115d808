import { test } from 'node:test';
import assert from 'node:assert/strict';
import { retryWithBackoff } from '../../src/daemon/proxy/backoff.js';

const transient = Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });
const isTransient = (err: unknown): boolean => err === transient;

test('retries a transient failure until it succeeds', async () => {
  let calls = 0;
  const value = await retryWithBackoff(
    async () => {
      calls++;
      if (calls < 4) throw transient;
      return 'ok';
    },
    isTransient,
    { deadlineMs: 5000, startMs: 1, random: () => 1 },
  );
  assert.equal(value, 'ok');
  assert.equal(calls, 4);
});

test('a failure that is not retryable is thrown at once', async () => {
  let calls = 0;
  const fatal = new Error('403');
  await assert.rejects(
    retryWithBackoff(
      async () => {
        calls++;
        throw fatal;
      },
      isTransient,
      { deadlineMs: 5000, startMs: 1 },
    ),
    (err: unknown) => err === fatal,
  );
  assert.equal(calls, 1);
});

test('past the deadline the last error is thrown, with waits that grew exponentially', async () => {
  const stamps: number[] = [];
  const started = Date.now();
  await assert.rejects(
    retryWithBackoff(
      async () => {
        stamps.push(Date.now());
        throw transient;
      },
      isTransient,
      { deadlineMs: 200, startMs: 10, factor: 2, maxMs: 80, random: () => 1 },
    ),
    (err: unknown) => err === transient,
  );
  const elapsed = Date.now() - started;
  assert.ok(elapsed >= 200 && elapsed < 1000, `elapsed ${elapsed}`);
  // 10, 20, 40, 80, 80...: far fewer attempts than a fixed 10 ms poll would make.
  assert.ok(stamps.length >= 4 && stamps.length <= 8, `attempts ${stamps.length}`);
});
