/**
 * JupyterHub.last_activity_interval and init_spawners_timeout at their edges, as app.py reads them: a 0 interval
 * turns the activity poll off; a negative init_spawners_timeout waits a day, and the wait is at least 1 s.
 */
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import type { Knex } from 'knex';
import { startActivityPoll } from '../../src/daemon/activity-poll.js';
import type { ChpClient } from '../../src/daemon/proxy/chp-client.js';
import { NO_STATSD } from '../../src/daemon/metrics/statsd.js';
import { createLogger } from '../../src/lib/log.js';
import { initSpawnersTimeoutMs } from '../../src/daemon/spawner/adopt.js';

const log = createLogger({ level: 10, format: '%(message)s', datefmt: '', write: () => undefined });

function polls(intervalSeconds: number): number {
  let calls = 0;
  const client = { getAllRoutes: async () => { calls++; return {}; } } as unknown as ChpClient;
  mock.timers.enable({ apis: ['setInterval'] });
  try {
    const poll = startActivityPoll({ db: {} as Knex, client, intervalSeconds, activeUserWindowSeconds: 600, statsd: NO_STATSD, log });
    mock.timers.tick(10_000);
    poll.stop();
  } finally {
    mock.timers.reset();
  }
  return calls;
}

test('last_activity_interval: polls the proxy every interval; 0 turns the poll off (not every second)', () => {
  assert.equal(polls(5), 2);
  assert.equal(polls(0), 0);
});

test('init_spawners_timeout: negative waits a day, 0 waits 1 s, otherwise the seconds given', () => {
  assert.equal(initSpawnersTimeoutMs(-1), 86_400_000);
  assert.equal(initSpawnersTimeoutMs(0), 1000);
  assert.equal(initSpawnersTimeoutMs(10), 10_000);
});
