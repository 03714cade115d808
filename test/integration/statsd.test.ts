/**
 * JupyterHub.statsd_host/port/prefix with a real hub, a real proxy and real server processes (the stand-in
 * single-user server, bench/standin, run by the simple spawner): a UDP socket of the test is the statsd server,
 * and every line the hub sends must be one JupyterHub 3.0 sends at the same point, with the configured prefix.
 *
 * Each step is closed by a fence: a `fence` counter sent through the hub's own client, which arrives after every
 * line of the step (one socket, loopback, in order). So a step's lines are compared exactly, an extra or
 * missing line fails at once, and no test waits a fixed time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildStandin } from '../../bench/standin/standin.js';
import { createUsers, getUserByName, type UserRow } from '../../src/daemon/db/users-repo.js';
import { NO_STATSD } from '../../src/daemon/metrics/statsd.js';
import { isHubError } from '../../src/lib/errors.js';
import { HttpBrowser } from '../helpers/browser.js';
import { tempDir } from '../helpers/cli.js';
import { request, startTestHub, type TestHub } from '../helpers/hub.js';
import { ownUdpSockets, startUdpCollector, type UdpCollector } from '../helpers/udp-collector.js';

const PREFIX = 'hubtest.metrics';
const START_TIMEOUT = 5;
const HTTP_TIMEOUT = 5;

/** Server behaviour by user name: crash* exits at once, hang* never answers, anyone else gets the stand-in. */
async function writeSpawnScript(dir: string): Promise<string> {
  const standin = await buildStandin();
  const file = path.join(dir, 'spawn.sh');
  await writeFile(file, `#!/bin/sh
case "$JUPYTERHUB_USER" in
  crash*) echo "crashing on purpose" >&2; exit 3;;
  hang*) exec sleep 60;;
  *) exec ${standin};;
esac
`);
  await chmod(file, 0o755);
  return file;
}

/**
 * The simple spawner, except that Spawner.start never returns for stuck* users (Spawner.start_timeout), and a
 * pre_spawn_hook that refuses hookfail* users (an error before the server runs).
 */
function configModule(dir: string, spawnScript: string, statsdPort: number): string {
  const spawnerModule = new URL('../../src/daemon/spawner/local-process-spawner.js', import.meta.url).href;
  return `
import { LocalProcessSpawner } from ${JSON.stringify(spawnerModule)};

class StuckSometimesSpawner extends LocalProcessSpawner {
  constructor(o) {
    super({ ...o, logDir: ${JSON.stringify(path.join(dir, 'logs'))}, simple: true });
  }
  start(req) {
    return req.user.name.startsWith('stuck') ? new Promise(() => {}) : super.start(req);
  }
}

export default {
  JupyterHub: {
    authenticator_class: 'dummy',
    spawner_class: StuckSometimesSpawner,
    statsd_host: '127.0.0.1',
    statsd_port: ${statsdPort},
    statsd_prefix: ${JSON.stringify(PREFIX)},
  },
  DummyAuthenticator: { password: 'right' },
  Spawner: {
    cmd: [${JSON.stringify(spawnScript)}],
    start_timeout: ${START_TIMEOUT},
    http_timeout: ${HTTP_TIMEOUT},
    pre_spawn_hook: (spawner) => {
      if (spawner.user.name.startsWith('hookfail')) throw new Error('refused by pre_spawn_hook');
    },
  },
  SimpleLocalProcessSpawner: { home_dir_template: ${JSON.stringify(path.join(dir, 'home', '{username}'))} },
};
`;
}

/** `name:value|type` with the timing value checked for the Python client's %0.6f and replaced by <ms>. */
function normalise(line: string): string {
  const m = /^(.*):(\d+\.\d{6})\|ms$/.exec(line);
  return m ? `${m[1]}:<ms>|ms` : line;
}

function timingOf(lines: string[], stat: string): number {
  const line = lines.find((l) => l.startsWith(`${PREFIX}.${stat}:`) && l.endsWith('|ms'));
  assert.ok(line, `a ${stat} timing in ${lines.join(', ')}`);
  return Number(line.slice(line.indexOf(':') + 1, -'|ms'.length));
}

class Steps {
  private seen = 0;

  constructor(private readonly hub: TestHub, private readonly udp: UdpCollector) {}

  /** The lines sent since the previous step, up to this step's fence (exclusive), as sent. */
  async take(): Promise<string[]> {
    this.hub.hub.statsd.incr('fence');
    const at = await this.udp.waitForLine(`${PREFIX}.fence:1|c`, this.seen);
    const got = this.udp.lines.slice(this.seen, at);
    this.seen = at + 1;
    return got;
  }

  async expect(expected: string[], what: string): Promise<string[]> {
    const got = await this.take();
    assert.deepEqual(got.map(normalise), expected.map((l) => `${PREFIX}.${l}`), what);
    return got;
  }

  /** Nothing else arrived after the last fence: a further fence is the very next line. */
  async expectNothingMore(): Promise<void> {
    await this.expect([], 'no further lines');
    assert.equal(this.udp.lines.length, this.seen, this.udp.lines.slice(this.seen).join(', '));
  }

  get db(): NonNullable<TestHub['hub']['db']> {
    const db = this.hub.hub.db;
    assert.ok(db);
    return db;
  }
}

test('statsd: login, logout, spawns that succeed and fail in each way, stop, redirects, CSP reports and the activity gauges', { timeout: 120_000 }, async () => {
  const udp = await startUdpCollector();
  const dir = await tempDir('hub-statsd-');
  await writeFile(path.join(dir, 'hub.config.mjs'), configModule(dir, await writeSpawnScript(dir), udp.port));
  const t = await startTestHub({ dir, withProxy: true, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  const origin = new URL(t.status.hub_url).origin;
  const steps = new Steps(t, udp);
  const started: UserRow[] = [];
  try {
    assert.ok(t.logs.some((l) => l.includes(`Sending statsd metrics to 127.0.0.1:${udp.port} with prefix "${PREFIX}"`)), 'the hub says where metrics go');
    const b = new HttpBrowser(origin);

    assert.equal((await b.login('/hub/', 'ada', 'wrong')).status, 200, 'refused: the form again');
    await steps.expect(['login.request:1|c', 'login.failure:1|c', 'login.authenticate.failure:<ms>|ms'], 'a failed login');

    assert.equal((await b.login('/hub/', 'ada', 'right')).status, 302);
    await steps.expect(['login.request:1|c', 'login.success:1|c', 'login.authenticate.success:<ms>|ms'], 'a successful login');

    const ada = await getUserByName(steps.db, 'ada');
    assert.ok(ada);
    const before = performance.now();
    assert.equal(await t.hub.servers.start(ada, '', {}), 'ready');
    const spawnMs = performance.now() - before;
    started.push(ada);
    const success = await steps.expect(['spawner.success:<ms>|ms'], 'a spawn that succeeds');
    const successMs = timingOf(success, 'spawner.success');
    assert.ok(successMs > 0 && successMs <= spawnMs, `spawner.success ${successMs} ms, within the ${spawnMs} ms the start took`);

    // The proxy stamps a new route's last_activity: one route, one user active within active_user_window.
    assert.ok(t.hub.activity);
    await t.hub.activity.pollOnce();
    await steps.expect(['users.running:1|g', 'users.active:1|g'], 'the activity poll');

    const userUrl = await b.get('/hub/user/ada/tree');
    assert.equal(userUrl.status, 302);
    assert.equal(userUrl.headers.location, '/user/ada/tree?redirects=1');
    await steps.expect(['redirects.user_after_login:1|c'], 'a running server: back to /user/');

    const report = await request({ url: `${origin}/hub/security/csp-report`, method: 'POST', headers: { 'content-type': 'application/csp-report' }, body: '{"csp-report":{"blocked-uri":"inline"}}' });
    assert.equal(report.status, 204);
    await steps.expect(['csp_report:1|c'], 'a CSP report');

    assert.equal(await t.hub.servers.stop(ada, ''), 'stopped');
    started.pop();
    await steps.expect(['spawner.stop:<ms>|ms'], 'a stop');

    await t.hub.activity.pollOnce();
    await steps.expect(['users.running:0|g', 'users.active:0|g'], 'the activity poll with no server');

    assert.equal((await b.get('/hub/logout')).status, 302);
    await steps.expect(['logout:1|c'], 'a logout');
    assert.equal((await b.get('/hub/logout')).status, 302);
    await steps.expect([], 'a logout without a login counts nothing, as in JupyterHub');

    const users = new Map((await createUsers(steps.db, ['crash1', 'hookfail1', 'stuck1', 'hang1'])).map((u) => [u.name, u]));
    const spawnFails = async (name: string, pattern: RegExp): Promise<void> => {
      const user = users.get(name);
      assert.ok(user);
      await assert.rejects(t.hub.servers.start(user, '', {}), pattern, name);
    };
    await spawnFails('crash1', /exited before it answered/);
    await steps.expect(['spawner.failure.http_error:1|c', 'spawner.failure:<ms>|ms'], 'a server that exits before it answers');
    await spawnFails('hookfail1', /refused by pre_spawn_hook/);
    await steps.expect(['spawner.failure.error:1|c', 'spawner.failure:<ms>|ms'], 'an error before the server runs');

    // The two timeouts run side by side (their lines may interleave): compared as sets.
    await Promise.all([spawnFails('stuck1', /start_timeout/), spawnFails('hang1', /http_timeout/)]);
    const timeouts = await steps.take();
    assert.deepEqual(timeouts.map(normalise).sort(), [
      'spawner.failure.http_timeout:1|c', 'spawner.failure.timeout:1|c', 'spawner.failure:<ms>|ms', 'spawner.failure:<ms>|ms',
    ].map((l) => `${PREFIX}.${l}`).sort());
    for (const line of timeouts.filter((l) => l.startsWith(`${PREFIX}.spawner.failure:`))) {
      assert.ok(timingOf([line], 'spawner.failure') >= Math.min(START_TIMEOUT, HTTP_TIMEOUT) * 1000, `a timed-out spawn took at least its timeout: ${line}`);
    }

    await steps.expectNothingMore();
  } finally {
    for (const u of started) await t.hub.servers.stop(u, '').catch(() => undefined);
    await t.stop();
    await udp.close();
  }
});

test('statsd_host empty (the default): no client, no UDP socket, no packet', async () => {
  const udp = await startUdpCollector();
  const socketsBefore = ownUdpSockets();
  // Everything but the host, so a client that ignored the empty host would have somewhere to send.
  const t = await startTestHub({ overrides: ['JupyterHub.authenticator_class=dummy', `JupyterHub.statsd_port=${udp.port}`, 'JupyterHub.statsd_prefix=nothing'] });
  try {
    assert.equal(t.hub.statsd, NO_STATSD);
    const origin = new URL(t.status.hub_url).origin;
    const b = new HttpBrowser(origin);
    assert.equal((await b.login('/hub/', 'bo', 'x')).status, 302);
    assert.equal((await b.get('/hub/logout')).status, 302);
    assert.deepEqual(ownUdpSockets(), socketsBefore, 'the hub opened no UDP socket');
    assert.deepEqual(udp.lines, []);
    assert.ok(!t.logs.some((l) => /statsd/i.test(l)), t.logs.filter((l) => /statsd/i.test(l)).join('\n'));
  } finally {
    await t.stop();
    await udp.close();
  }
});

test('bad statsd settings stop the start with a config error naming the option', async () => {
  const cases: [string, RegExp][] = [
    ['JupyterHub.statsd_port=0', /JupyterHub\.statsd_port 0 is not a UDP port/],
    ['JupyterHub.statsd_port=70000', /JupyterHub\.statsd_port 70000 is not a UDP port/],
    ['JupyterHub.statsd_host=udp://metrics:8125', /JupyterHub\.statsd_host "udp:\/\/metrics:8125" is not a host name or IP address/],
    ['JupyterHub.statsd_host=metrics:8125', /JupyterHub\.statsd_host "metrics:8125" is not a host name/],
    ['JupyterHub.statsd_prefix=hub|prod', /JupyterHub\.statsd_prefix "hub\|prod" contains "\|"/],
  ];
  for (const [override, message] of cases) {
    const host = override.includes('statsd_host') ? [] : ['JupyterHub.statsd_host=127.0.0.1'];
    await assert.rejects(startTestHub({ overrides: [...host, override] }), (err: unknown) => {
      assert.ok(isHubError(err), String(err));
      assert.equal(err.code, 'CONFIG_INVALID');
      assert.match(err.message, message);
      return true;
    }, override);
  }
});

test('a statsd host that does not resolve does not stop the hub (the client warns, unit-tested in statsd-client)', async () => {
  const t = await startTestHub({ overrides: ['JupyterHub.authenticator_class=dummy', 'JupyterHub.statsd_host=no-such-statsd.invalid'] });
  try {
    assert.notEqual(t.hub.statsd, NO_STATSD);
    const b = new HttpBrowser(new URL(t.status.hub_url).origin);
    assert.equal((await b.login('/hub/', 'cy', 'x')).status, 302);
    assert.equal((await b.get('/hub/home')).status, 200);
  } finally {
    await t.stop();
  }
});

test('last_activity_interval: a real hub polls its proxy every interval (the activity gauges go out each time); 0 turns the poll off', { timeout: 30_000 }, async () => {
  for (const every of [1, 0]) {
    const udp = await startUdpCollector();
    const t = await startTestHub({ withProxy: true, overrides: ['JupyterHub.authenticator_class=dummy', 'JupyterHub.statsd_host=127.0.0.1', `JupyterHub.statsd_port=${udp.port}`,
      `JupyterHub.last_activity_interval=${every}`] });
    try {
      await new Promise((r) => setTimeout(r, 2600));
      const polls = udp.lines.filter((l) => l === 'jupyterhub.users.running:0|g').length;
      if (every === 1) assert.ok(polls >= 2, `polled every second: ${polls} polls in 2.6 s`);
      else assert.equal(polls, 0, udp.lines.join('\n'));
    } finally {
      await t.stop();
      await udp.close();
    }
  }
});
