import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Logger } from '../../src/lib/log.js';
import { checkStatsdSettings, createStatsd, NO_STATSD, StatsdClient } from '../../src/daemon/metrics/statsd.js';
import { counterLine, gaugeLine, prefixProblem, statName, timingLine } from '../../src/daemon/metrics/statsd-line.js';
import { startUdpCollector } from '../helpers/udp-collector.js';

/** A logger that keeps lines; `waitFor` resolves with the first line, logged before or after, that matches. */
function recordingLog(): { log: Logger; lines: string[]; waitFor: (re: RegExp) => Promise<string> } {
  const lines: string[] = [];
  const waiters = new Set<(line: string) => void>();
  const put = (level: string) => (msg: string): void => {
    const line = `${level} ${msg}`;
    lines.push(line);
    for (const w of waiters) w(line);
  };
  const log: Logger = { debug: put('DEBUG'), info: put('INFO'), warn: put('WARNING'), error: put('ERROR'), child: () => log };
  const waitFor = (re: RegExp): Promise<string> => new Promise((resolve) => {
    const seen = lines.find((l) => re.test(l));
    if (seen !== undefined) return resolve(seen);
    const w = (line: string): void => {
      if (!re.test(line)) return;
      waiters.delete(w);
      resolve(line);
    };
    waiters.add(w);
  });
  return { log, lines, waitFor };
}

test('lines as the Python statsd client writes them', () => {
  assert.equal(statName('jupyterhub', 'login.success'), 'jupyterhub.login.success');
  assert.equal(statName('', 'login.success'), 'login.success', 'an empty prefix adds no dot');
  assert.equal(counterLine('jupyterhub.logout', 1), 'jupyterhub.logout:1|c');
  assert.equal(timingLine('jupyterhub.spawner.success', 1234.5), 'jupyterhub.spawner.success:1234.500000|ms');
  assert.equal(timingLine('x', 0.0000004), 'x:0.000000|ms');
  assert.equal(gaugeLine('jupyterhub.users.active', 7), 'jupyterhub.users.active:7|g');
  assert.equal(gaugeLine('g', 0), 'g:0|g');
  assert.equal(gaugeLine('g', -3), 'g:0|g\ng:-3|g', 'a negative gauge is set, not decremented');
  assert.equal(timingLine('x', Number.NaN), null);
  assert.equal(counterLine('x', Number.POSITIVE_INFINITY), null);
});

test('settings: empty host is off; a URL, host:port, a port out of range or a separator in the prefix are refused', () => {
  const ok = { statsd_host: 'statsd.example.org', statsd_port: 8125, statsd_prefix: 'jupyterhub' };
  checkStatsdSettings(ok);
  checkStatsdSettings({ ...ok, statsd_host: '::1' });
  checkStatsdSettings({ ...ok, statsd_host: '', statsd_port: 0 });
  checkStatsdSettings({ ...ok, statsd_prefix: '' });
  assert.equal(createStatsd({ ...ok, statsd_host: '' }, recordingLog().log), NO_STATSD);
  for (const [bad, pattern] of [
    [{ statsd_host: 'udp://statsd:8125' }, /statsd_host .* is not a host name or IP address/],
    [{ statsd_host: 'statsd:8125' }, /statsd_host .* is not a host name or IP address/],
    [{ statsd_host: 'stats d' }, /statsd_host/],
    [{ statsd_port: 0 }, /statsd_port 0 is not a UDP port/],
    [{ statsd_port: 65536 }, /statsd_port 65536 is not a UDP port/],
    [{ statsd_prefix: 'a:b' }, /statsd_prefix "a:b" contains ":"/],
    [{ statsd_prefix: 'a\nb' }, /statsd_prefix/],
  ] as const) {
    assert.throws(() => checkStatsdSettings({ ...ok, ...bad }), (err: unknown) => err instanceof Error && pattern.test(err.message) && (err as { code?: unknown }).code === 'CONFIG_INVALID', JSON.stringify(bad));
  }
  assert.equal(prefixProblem('hubs.prod-1'), null);
});

test('NO_STATSD does nothing and never throws', async () => {
  NO_STATSD.incr('a');
  NO_STATSD.timing('a', Number.NaN);
  NO_STATSD.gauge('a', -1);
  await NO_STATSD.close();
});

test('a host name is looked up once (IPv4 first, as the Python client); metrics sent meanwhile are not lost', async () => {
  const udp = await startUdpCollector();
  const { log } = recordingLog();
  const client = new StatsdClient('localhost', udp.port, 'p', log);
  try {
    // Sent before the lookup can have finished: queued, then sent in order.
    client.incr('one');
    client.timing('two', 2);
    client.gauge('three', 3);
    client.incr('fence', 5);
    await udp.waitForLine('p.fence:5|c', 0);
    assert.deepEqual(udp.lines, ['p.one:1|c', 'p.two:2.000000|ms', 'p.three:3|g', 'p.fence:5|c']);
  } finally {
    await client.close();
    await udp.close();
  }
  client.incr('after.close');
});

test('send errors are logged once, not per packet, and the caller never sees them', async () => {
  const udp = await startUdpCollector();
  const rec = recordingLog();
  const client = new StatsdClient('127.0.0.1', udp.port, 'p', rec.log);
  try {
    // Larger than any UDP datagram: EMSGSIZE for each.
    const huge = 'x'.repeat(70_000);
    client.incr(huge);
    client.incr(huge);
    client.incr('fence');
    await udp.waitForLine('p.fence:1|c', 0);
    assert.match(await rec.waitFor(/^WARNING/), /^WARNING statsd: sending to 127\.0\.0\.1:\d+ failed \(EMSGSIZE\); further send errors are not logged$/);
    assert.equal(rec.lines.filter((l) => l.includes('failed')).length, 1, rec.lines.join('\n'));
    assert.deepEqual(udp.lines, ['p.fence:1|c'], 'the good packet still went out');
  } finally {
    await client.close();
    await udp.close();
  }
});

test('a host that does not resolve: one warning, metrics dropped, nothing thrown', async () => {
  const rec = recordingLog();
  const client = new StatsdClient('no-such-statsd.invalid', 8125, 'p', rec.log);
  client.incr('queued');
  assert.match(await rec.waitFor(/^WARNING/), /^WARNING statsd: cannot resolve JupyterHub\.statsd_host no-such-statsd\.invalid \(\w+\); metrics are dropped until it resolves/);
  // Within the retry interval: dropped without another lookup or log line.
  client.incr('dropped');
  client.timing('dropped', 1);
  await client.close();
  assert.equal(rec.lines.filter((l) => l.includes('cannot resolve')).length, 1, rec.lines.join('\n'));
});
