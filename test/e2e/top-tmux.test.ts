import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { buildStandin } from '../../bench/standin/standin.js';
import { BIN, cleanEnv, runCli, startDaemon, tempDir, type RunningDaemon } from '../helpers/cli.js';
import { Tmux } from '../helpers/tmux.js';

/**
 * `hub top` in a real terminal (tmux, 100x30) while a spawn storm of 50 stand-in servers runs through the
 * socket API against concurrent_spawn_limit 10: the counts on screen change as the storm goes, the 429s show,
 * and the final screen agrees with `hub servers ls --json`. Then the dashboard stops a server, resizes to
 * 80x24, and quits on q.
 */
const STORM = 50;
const LIMIT = 10;
let dir = '';
let daemon: RunningDaemon | undefined;
let tmux: Tmux | undefined;

before(async () => {
  dir = await tempDir('hub-top-tmux-');
  const standin = await buildStandin();
  // Each spawn takes a second, so pending spawns pile up against the limit and show on screen.
  await writeFile(path.join(dir, 'spawn.sh'), `#!/bin/sh\nsleep 1\nexec ${standin}\n`);
  await chmod(path.join(dir, 'spawn.sh'), 0o755);
  await writeFile(
    path.join(dir, 'hub.yml'),
    `ConfigurableHTTPProxy: {api_url: 'http://127.0.0.1:0'}
JupyterHub: {hub_ip: 127.0.0.1, hub_port: 0, ip: 127.0.0.1, port: 0, db_url: 'sqlite:///hub.sqlite', spawner_class: simple, concurrent_spawn_limit: ${LIMIT}}
Spawner: {cmd: ['${dir}/spawn.sh']}
SimpleLocalProcessSpawner: {home_dir_template: '${dir}/home/{username}'}
`,
  );
  daemon = await startDaemon([], { cwd: dir });
});

after(async () => {
  await tmux?.kill();
  await daemon?.stop();
});

const users = Array.from({ length: STORM }, (_, i) => `storm${String(i).padStart(2, '0')}`);

/** POST over the control socket on a connection of its own: all 50 at once, as a storm is (no agent's pool limit). */
function spawnRequest(socketPath: string, user: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, path: `/hub/api/users/${user}/server`, method: 'POST', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Eager clients: each POSTs its spawn and, refused with 429, asks again a moment later (not after Retry-After). */
async function storm(socketPath: string): Promise<number> {
  let refused = 0;
  await Promise.all(
    users.map(async (u) => {
      for (;;) {
        const status = await spawnRequest(socketPath, u);
        if (status !== 429) {
          assert.ok(status === 201 || status === 202, `${u}: spawn answered ${status}`);
          return;
        }
        refused++;
        await new Promise((r) => setTimeout(r, 200));
      }
    }),
  );
  return refused;
}

function counts(screen: string): { running: number; pending: number } | null {
  const m = /^servers\s+running (\d+)\s+pending (\d+)/m.exec(screen);
  return m ? { running: Number(m[1]), pending: Number(m[2]) } : null;
}

test('hub top follows a spawn storm live and agrees with servers ls at the end', async (t) => {
  const added = await runCli(['users', 'add', '-'], { cwd: dir, input: users.join('\n') });
  assert.equal(added.code, 0, added.stderr);
  const env = cleanEnv();
  // A real user's terminal: colours on, and Ink's CI mode (no live frames) off whatever runs the tests.
  delete env.NO_COLOR;
  delete env.CI;
  tmux = await Tmux.start([process.execPath, BIN, 'top'], { cwd: dir, width: 100, height: 30, env });
  const first = await tmux.waitFor((s) => /● live/.test(s) && counts(s) !== null, 'the first snapshot');
  assert.deepEqual(counts(first), { running: 0, pending: 0 });
  assert.match(first, /^pressure\s+spawns 0\/10 /m);
  assert.match(first, /q quit/);

  const seen: { running: number; pending: number }[] = [];
  let storming = true;
  const watching = (async () => {
    while (storming) {
      const c = counts(await tmux.capture());
      if (c) seen.push(c);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  const refused = await storm(path.join(dir, '.hub', 'hub.sock'));
  storming = false;
  await watching;

  // The list is re-read at most once a second (refresh-throttle.ts), so its rows may trail the counts briefly.
  const allReady = (s: string): boolean => {
    const rows = [...s.matchAll(/^[> ] (storm\d\d)\s+\(default\)\s+(\S+)/gm)];
    return rows.length >= 10 && rows.every((m) => m[2] === 'ready');
  };
  const final = await tmux.waitFor((s) => counts(s)?.running === STORM && new RegExp(`^${STORM} servers\\s+sorted by user`, 'm').test(s) && allReady(s), `running ${STORM} and ${STORM} rows, all ready`);
  t.diagnostic(`storm: ${refused} spawns refused with 429; running counts seen: ${[...new Set(seen.map((c) => c.running))].join(' ')}; max pending ${Math.max(...seen.map((c) => c.pending))}`);
  for (const line of `final screen (100x30):\n${final}`.split('\n')) t.diagnostic(line);
  const distinct = new Set(seen.map((c) => c.running));
  assert.ok(distinct.size >= 3, `the running count changed on screen during the storm (saw ${[...distinct].join(', ')})`);
  assert.ok(seen.some((c) => c.pending > 0 && c.pending <= LIMIT), 'pending spawns showed, never above the limit');
  assert.ok(refused > 0, 'the storm hit concurrent_spawn_limit');
  const throttled = Number(/429s (\d+)/.exec(final)?.[1] ?? -1);
  assert.ok(throttled > 0, `the dashboard counts the 429s (${throttled})`);
  assert.deepEqual(counts(final), { running: STORM, pending: 0 });

  const ls = await runCli(['servers', 'ls', '--json'], { cwd: dir });
  assert.equal(ls.code, 0, ls.stderr);
  const rows = JSON.parse(ls.stdout) as { user: string; state: string }[];
  assert.equal(rows.length, STORM, 'servers ls agrees with the dashboard');
  assert.ok(rows.every((r) => r.state === 'ready'));
  const shownUsers = [...final.matchAll(/^[> ] (storm\d\d)\s+\(default\)\s+ready/gm)].map((m) => m[1]);
  assert.ok(shownUsers.length >= 10, 'the list fills the window');
  assert.deepEqual(shownUsers, rows.map((r) => r.user).slice(0, shownUsers.length), 'and shows the same servers, in order');
});

test('hub top stops the selected server after y, resizes to 80x24, and quits on q', async (t) => {
  assert.ok(tmux, 'the dashboard from the storm test runs');
  await tmux.sendKeys('j');
  await tmux.waitFor((s) => /^> storm01/m.test(s), 'storm01 selected');
  await tmux.sendKeys('x');
  await tmux.waitFor((s) => /Stop storm01's server\? y to stop/.test(s), 'the confirmation');
  await tmux.sendKeys('y');
  const after = await tmux.waitFor((s) => counts(s)?.running === STORM - 1 && !/storm01/.test(s), 'one server fewer');
  assert.match(after, /^> storm0[02]/m);
  const ls = JSON.parse((await runCli(['servers', 'ls', '--json'], { cwd: dir })).stdout) as { user: string }[];
  assert.equal(ls.length, STORM - 1);
  assert.ok(!ls.some((r) => r.user === 'storm01'));

  await tmux.resize(80, 24);
  // The whole layout on 24 rows: the title on the first line and the key bar on the last one shown.
  const small = await tmux.waitFor((s) => /^hub top/.test(s) && /q quit$/.test(s), 'the 80x24 layout');
  assert.ok(small.split('\n').length <= 23, `fits 24 rows:\n${small}`);
  for (const line of small.split('\n')) assert.ok(line.length <= 80, `fits 80 columns: ${line}`);
  assert.match(small, /^servers\s+running 49/m);
  for (const line of `screen after resizing to 80x24:\n${small}`.split('\n')) t.diagnostic(line);

  await tmux.sendKeys('/', 's', 't', 'o', 'r', 'm', '4', '2', 'Enter');
  await tmux.waitFor((s) => /1 of 49 servers\s+sorted by user\s+filter "storm42"/.test(s), 'the filter');

  await tmux.sendKeys('q');
  assert.equal(await tmux.exited(), 0, 'q quits with exit status 0');
  assert.doesNotMatch(await tmux.capture(), /hub top/, 'and leaves the alternate screen: the shell screen is back');
});
