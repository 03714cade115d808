import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { parseDuration } from '../../src/cli/duration.js';
import { parseNames, readNames } from '../../src/cli/names-input.js';
import { parseServerRef } from '../../src/cli/server-ref.js';
import { HubError } from '../../src/lib/errors.js';
import { parseEvents } from '../../src/lib/client/event-stream.js';
import { idleServers, serverRow, serverState } from '../../src/lib/client/servers-api.js';
import { sortUsers } from '../../src/lib/client/users-api.js';
import { runBatch, batchFailure } from '../../src/lib/client/batch.js';
import type { UserModel } from '../../src/lib/client/models.js';
import { duration, preview, until } from '../../src/ui/format.js';

const usage = (e: unknown): boolean => e instanceof HubError && e.code === 'USAGE';

test('durations: units, combinations, bare seconds; anything else is a usage error', () => {
  assert.equal(parseDuration('90s', '--x'), 90);
  assert.equal(parseDuration('2h', '--x'), 7200);
  assert.equal(parseDuration('1h30m', '--x'), 5400);
  assert.equal(parseDuration('1w', '--x'), 604800);
  assert.equal(parseDuration('3600', '--x'), 3600);
  assert.equal(parseDuration('1.5d', '--x'), 129600);
  for (const bad of ['', 'banana', '2x', '1h banana', '-5m']) assert.throws(() => parseDuration(bad, '--x'), usage, bad);
  assert.equal(duration(45), '45s');
  assert.equal(duration(3 * 3600 + 5 * 60), '3h05m');
  assert.equal(duration(null), '-');
  assert.equal(until('2026-01-01T02:00:00Z', Date.parse('2026-01-01T00:00:00Z')), 'in 2h00m');
  assert.equal(until('2025-01-01T00:00:00Z', Date.parse('2026-01-01T00:00:00Z')), 'expired');
  assert.equal(preview(['a', 'b', 'c', 'd', 'e']), 'a, b, c and 2 more');
});

test('server references: USER, USER/NAME, USER/ (default); no user is a usage error', () => {
  assert.deepEqual(parseServerRef('alice'), { user: 'alice', name: '' });
  assert.deepEqual(parseServerRef('alice/gpu'), { user: 'alice', name: 'gpu' });
  assert.deepEqual(parseServerRef('alice/'), { user: 'alice', name: '' });
  assert.throws(() => parseServerRef('/gpu'), usage);
});

test('names from arguments, files and stdin: comments and blanks skipped, duplicates dropped in order', async () => {
  assert.deepEqual(parseNames('alice\n\n# staff\nbob  # late\r\ncarol\n'), ['alice', 'bob', 'carol']);
  const stdin = new PassThrough();
  stdin.end('dave\nalice\n');
  assert.deepEqual(await readNames(['alice', '-', 'erin'], undefined, stdin), ['alice', 'erin', 'dave']);
  await assert.rejects(readNames([], undefined), usage);
  await assert.rejects(readNames([], '/nonexistent/names.txt'), (e: unknown) => e instanceof HubError && e.code === 'NOT_FOUND');
});

test('event streams: events split across chunks, named and unnamed, comments and keep-alives skipped', () => {
  const first = parseEvents('\n\ndata: {"progress":0}\n\nevent: pressure\ndata: {"a"');
  assert.deepEqual(first.events, [{ event: 'message', data: '{"progress":0}' }]);
  const second = parseEvents(`${first.rest}:1}\n\n: keep-alive\n\ndata: a\ndata: b\n\n`);
  assert.deepEqual(second.events, [
    { event: 'pressure', data: '{"a":1}' },
    { event: 'message', data: 'a\nb' },
  ]);
  assert.equal(second.rest, '');
});

test('users sort by name, last activity or created, either way, never-active users last', () => {
  const u = (name: string, last: string | null, created: string): UserModel => ({ name, admin: false, groups: [], roles: [], server: null, pending: null, created, last_activity: last, servers: {} });
  const users = [u('b', '2026-01-02T00:00:00Z', '2026-01-01T00:00:00Z'), u('a', null, '2026-01-03T00:00:00Z'), u('c', '2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z')];
  assert.deepEqual(sortUsers(users, 'name').map((x) => x.name), ['a', 'b', 'c']);
  assert.deepEqual(sortUsers(users, '-name').map((x) => x.name), ['c', 'b', 'a']);
  assert.deepEqual(sortUsers(users, 'last_activity').map((x) => x.name), ['c', 'b', 'a']);
  assert.deepEqual(sortUsers(users, '-last_activity').map((x) => x.name), ['b', 'c', 'a']);
  assert.deepEqual(sortUsers(users, 'created').map((x) => x.name), ['b', 'c', 'a']);
});

test('server rows: state from pending/ready/stopped, uptime from start; idle means running without recent activity', () => {
  const now = Date.parse('2026-01-01T12:00:00Z');
  const base = { name: '', ready: true, pending: null, url: '/user/a/', started: '2026-01-01T10:00:00Z', last_activity: '2026-01-01T11:00:00Z' };
  assert.equal(serverState({ ...base, pending: 'spawn' }), 'spawning');
  assert.equal(serverState({ ...base, pending: 'stop' }), 'stopping');
  assert.equal(serverState({ ...base, stopped: true, ready: false }), 'stopped');
  assert.equal(serverState({ ...base, ready: false }), 'unready');
  const a = serverRow('a', base, now);
  assert.equal(a.uptime_seconds, 7200);
  const b = serverRow('b', { ...base, last_activity: null, started: '2026-01-01T11:59:00Z' }, now);
  const c = serverRow('c', { ...base, pending: 'spawn', last_activity: '2026-01-01T00:00:00Z' }, now);
  assert.deepEqual(idleServers([a, b, c], 1800, now).map((r) => r.user), ['a'], 'b is new, c is still spawning');
  assert.deepEqual(idleServers([a, b, c], 30, now).map((r) => r.user), ['a', 'b']);
  assert.deepEqual(idleServers([a, b, c], 86400, now), []);
});

test('batches try every target a few at a time, keep the order, and fail with the first failure code', async () => {
  let running = 0;
  let peak = 0;
  const results = await runBatch(
    Array.from({ length: 20 }, (_, i) => i),
    async (i) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setImmediate(r));
      running--;
      if (i % 7 === 3) throw new HubError('NOT_FOUND', `no such thing: ${i}`);
      return `done ${i}`;
    },
    4,
  );
  assert.equal(results.length, 20);
  assert.ok(peak <= 4, `at most 4 at once (saw ${peak})`);
  assert.deepEqual(results.filter((r) => !r.ok).map((r) => r.target), [3, 10, 17]);
  assert.equal(results[5]?.result, 'done 5');
  const failure = batchFailure(results, 'things');
  assert.equal(failure?.code, 'NOT_FOUND');
  assert.equal(failure?.message, '3 of 20 things failed');
  assert.equal(batchFailure(results.filter((r) => r.ok), 'things'), undefined);
});
