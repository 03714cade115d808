import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import chalk from 'chalk';
import { render } from 'ink';
import type { PressureSnapshot } from '../../src/lib/client/pressure-model.js';
import type { ServerRow } from '../../src/lib/client/servers-api.js';
import { TopApp, type Connection, type TopSource } from '../../src/ui/top/top-app.js';
import { pressureLines, lineText } from '../../src/ui/top/pressure-lines.js';
import { gauge, sparkline } from '../../src/ui/top/sparkline.js';
import { renderSnapshot } from '../../src/ui/top/snapshot.js';

chalk.level = 0;

/** A terminal for Ink: a sized stdout that keeps every frame, and a stdin that types. */
class FakeStdout extends EventEmitter {
  isTTY = true;
  frames: string[] = [];
  constructor(
    public columns: number,
    public rows: number,
  ) {
    super();
  }
  write(s: string): boolean {
    this.frames.push(s);
    return true;
  }
  resize(columns: number, rows: number): void {
    this.columns = columns;
    this.rows = rows;
    this.emit('resize');
  }
  /** The last full frame (debug mode writes whole frames), without escape sequences. */
  lastFrame(): string {
    // eslint-disable-next-line no-control-regex
    return (this.frames.filter((f) => f.includes('hub top')).at(-1) ?? '').replace(/\x1b\[[0-9;?]*[a-zA-Z]/g, '');
  }
}

class FakeStdin extends EventEmitter {
  isTTY = true;
  private data: string | null = null;
  type(s: string): void {
    this.data = s;
    this.emit('readable');
  }
  read(): string | null {
    const d = this.data;
    this.data = null;
    return d;
  }
  setEncoding(): void {}
  setRawMode(): void {}
  resume(): void {}
  pause(): void {}
  ref(): void {}
  unref(): void {}
}

function snapshot(running: number, pending: number, over: Partial<PressureSnapshot> = {}): PressureSnapshot {
  return {
    time: '2026-11-25T12:00:00.000Z',
    users: { total: 120, active: 7, active_window_seconds: 1800 },
    servers: { running, pending_spawn: pending, pending_stop: 0 },
    limits: { concurrent_spawn_limit: 10, active_server_limit: 0 },
    spawn: {
      window_minutes: 30,
      spawns_per_minute: 12.4,
      ready_p50_seconds: 1.2,
      ready_p95_seconds: 3.5,
      throttled_last_5m: 4,
      failed_last_5m: 1,
      history: Array.from({ length: 30 }, (_, i) => ({ minute: `m${i}`, requested: i % 7, ready: 0, failed: 0, throttled: 0, stopped: 0 })),
    },
    ...over,
  };
}

function server(user: string, state: ServerRow['state'] = 'ready'): ServerRow {
  return { user, name: '', state, url: `/user/${user}/`, started: new Date().toISOString(), last_activity: new Date().toISOString(), uptime_seconds: 42 };
}

/** A hub the test drives: push() sends a pressure event; stops are recorded. */
function fakeSource(servers: ServerRow[]) {
  let onPressure: (p: PressureSnapshot) => void = () => undefined;
  let onConnection: (c: Connection) => void = () => undefined;
  const stopped: string[] = [];
  const source: TopSource = {
    watch(p, c) {
      onPressure = p;
      onConnection = c;
      return () => undefined;
    },
    listServers: async () => [...servers],
    async stopServer(row) {
      stopped.push(row.user);
      servers.splice(servers.indexOf(row), 1);
      return 'stopped';
    },
  };
  return { source, stopped, push: (p: PressureSnapshot) => { onConnection({ state: 'live' }); onPressure(p); } };
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function mount(columns: number, rows: number, servers: ServerRow[]) {
  const stdout = new FakeStdout(columns, rows);
  const stdin = new FakeStdin();
  const hub = fakeSource(servers);
  const app = render(<TopApp source={hub.source} />, {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    debug: true,
    patchConsole: false,
    exitOnCtrlC: false,
  });
  return { stdout, stdin, hub, app };
}

test('the dashboard shows pushed pressure and the server list, fits 80x24, and quits on q', async () => {
  const { stdout, stdin, hub, app } = mount(80, 24, [server('alice'), server('bob'), server('carol', 'spawning')]);
  assert.match(stdout.lastFrame(), /waiting for the first snapshot/);
  hub.push(snapshot(2, 1));
  await until(() => /running 2/.test(stdout.lastFrame()) && /carol/.test(stdout.lastFrame()), 'first snapshot and list');
  const frame = stdout.lastFrame();
  assert.match(frame, /● live/);
  assert.match(frame, /7 active \(last 30m\), 120 total/);
  assert.match(frame, /pending 1/);
  assert.match(frame, /spawns 1\/10 \[█░░░░░░░░░\]/);
  assert.match(frame, /active 3\/∞/);
  assert.match(frame, /12\.4\/min\s+ready p50 1\.2s p95 3\.5s\s+429s 4\s+failed 1/);
  assert.match(frame, /^> alice\s+\(default\)\s+ready/m, 'first row selected');
  assert.match(frame, /q quit/);
  const lines = frame.split('\n');
  assert.ok(lines.length <= 23, `fits 24 rows (${lines.length} lines)`);
  for (const line of lines) assert.ok(line.length <= 80, `fits 80 columns: ${line}`);

  hub.push(snapshot(3, 0));
  await until(() => /running 3/.test(stdout.lastFrame()), 'second snapshot');
  stdin.type('q');
  await app.waitUntilExit();
});

test('select a row, x asks, y stops that server; a filter narrows the list', async () => {
  const servers = [server('alice'), server('bob'), server('carol')];
  const { stdout, stdin, hub, app } = mount(100, 30, servers);
  hub.push(snapshot(3, 0));
  await until(() => /carol/.test(stdout.lastFrame()), 'the list');
  stdin.type('j');
  await until(() => /^> bob/m.test(stdout.lastFrame()), 'bob selected');
  stdin.type('x');
  await until(() => /Stop bob's server\? y to stop/.test(stdout.lastFrame()), 'the confirmation');
  assert.deepEqual(hub.stopped, [], 'nothing stopped before y');
  stdin.type('y');
  await until(() => hub.stopped.length === 1, 'the stop');
  assert.deepEqual(hub.stopped, ['bob']);
  await until(() => /bob's server: stopped/.test(stdout.lastFrame()) && !/^. bob/m.test(stdout.lastFrame()), 'the list without bob');

  stdin.type('/car\r');
  await until(() => /1 of 2 servers\s+sorted by user\s+filter "car"/.test(stdout.lastFrame()), 'the filter');
  const frame = stdout.lastFrame();
  assert.match(frame, /^> carol/m);
  assert.doesNotMatch(frame, /^. alice/m);
  stdin.type('q');
  await app.waitUntilExit();
});

test('a resize re-renders to the new size', async () => {
  const many = Array.from({ length: 40 }, (_, i) => server(`student${String(i).padStart(2, '0')}`));
  const { stdout, stdin, hub, app } = mount(120, 40, many);
  hub.push(snapshot(40, 0));
  await until(() => /student25/.test(stdout.lastFrame()), 'a tall list');
  stdout.resize(60, 16);
  await until(() => !/student25/.test(stdout.lastFrame()), 'the shorter list');
  const lines = stdout.lastFrame().split('\n');
  assert.ok(lines.length <= 15, `fits 16 rows (${lines.length})`);
  for (const line of lines) assert.ok(line.length <= 60, `fits 60 columns: ${line}`);
  assert.match(stdout.lastFrame(), /q quit/, 'the key bar is still on screen');
  stdin.type('q');
  await app.waitUntilExit();
});

test('pressure lines: gauges and sparklines, tones at the limits, every line within 80 columns', () => {
  assert.equal(sparkline([0, 1, 2, 4, 8]), '▁▂▃▅█');
  assert.equal(sparkline([0, 0, 0]), '▁▁▁');
  assert.equal(sparkline([1, 2, 3, 4], 2), '▇█', 'the last two, scaled to their own maximum');
  assert.equal(gauge(5, 10), '[█████░░░░░]');
  assert.equal(gauge(5, 0), '[··········]', 'no limit');
  const at = pressureLines(snapshot(5, 10), [0, 3, 10], 80);
  const spawns = at[2]?.find((s) => s.text.startsWith('['));
  assert.equal(spawns?.tone, 'bad', 'at concurrent_spawn_limit');
  for (const l of at) assert.ok(lineText(l).length <= 80, lineText(l));
  const none = pressureLines(snapshot(0, 0, { spawn: null }), [], 80);
  assert.match(lineText(none.at(-1) ?? []), /no spawner statistics/);
  const text = renderSnapshot(snapshot(1, 0), [server('alice')], undefined);
  assert.match(text, /^hub top/);
  assert.match(text, /running 1/);
  assert.match(text, /^alice\s+\(default\)\s+ready/m);
});
