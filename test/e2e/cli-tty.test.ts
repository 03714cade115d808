import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BIN, cleanEnv, runCli, startDaemon, tempDir, type RunningDaemon } from '../helpers/cli.js';
import { Tmux } from '../helpers/tmux.js';

/**
 * The CLI on a real terminal (tmux): destructive commands ask and honour the answer, tables are cut to the
 * terminal's width, colour appears on a terminal and never with NO_COLOR.
 */
let dir = '';
let daemon: RunningDaemon | undefined;
const terminals: Tmux[] = [];

before(async () => {
  dir = await tempDir('hub-cli-tty-');
  await writeFile(
    path.join(dir, 'hub.yml'),
    `ConfigurableHTTPProxy: {api_url: 'http://127.0.0.1:0'}
JupyterHub: {hub_ip: 127.0.0.1, hub_port: 0, ip: 127.0.0.1, port: 0, db_url: 'sqlite:///hub.sqlite'}
`,
  );
  daemon = await startDaemon([], { cwd: dir });
  assert.equal((await runCli(['users', 'add', 'alice', 'bob'], { cwd: dir })).code, 0);
});

after(async () => {
  for (const t of terminals) await t.kill();
  await daemon?.stop();
});

/** Runs `hub ARGS` in a fresh terminal of the given width; colour unless NO_COLOR is given in `env`. */
async function onTerminal(args: string[], width = 100, env: Record<string, string> = {}): Promise<Tmux> {
  const base = cleanEnv(env);
  if (env.NO_COLOR === undefined) delete base.NO_COLOR;
  delete base.CI;
  const t = await Tmux.start([process.execPath, BIN, ...args], { cwd: dir, width, height: 20, env: base });
  terminals.push(t);
  return t;
}

test('on a terminal, rm asks: n aborts (exit 12) and keeps the user, y deletes', async () => {
  const no = await onTerminal(['users', 'rm', 'alice']);
  await no.waitFor((s) => /Delete user alice, stopping their servers\? \[y\/N\]$/m.test(s), 'the question');
  await no.sendKeys('n', 'Enter');
  assert.equal(await no.exited(), 12);
  assert.match(await no.capture(), /aborted; nothing was changed/);
  assert.equal((await runCli(['users', 'show', 'alice'], { cwd: dir })).code, 0, 'alice is still there');

  const yes = await onTerminal(['users', 'rm', 'alice']);
  await yes.waitFor((s) => /\[y\/N\]$/m.test(s), 'the question');
  await yes.sendKeys('y', 'Enter');
  assert.equal(await yes.exited(), 0);
  assert.match(await yes.capture(), /^alice\s+deleted$/m);
  assert.equal((await runCli(['users', 'show', 'alice'], { cwd: dir })).code, 13);
});

test('tables are cut to the terminal width; colour on a terminal, none with NO_COLOR or in a pipe', async () => {
  const long = 'a-group-with-a-name-long-enough-to-overflow-a-narrow-terminal';
  assert.equal((await runCli(['groups', 'add', long], { cwd: dir })).code, 0);
  assert.equal((await runCli(['groups', 'members', 'add', long, 'bob'], { cwd: dir })).code, 0);

  const narrow = await onTerminal(['users', 'ls'], 50);
  assert.equal(await narrow.exited(), 0);
  const screen = await narrow.capture();
  assert.match(screen, /^bob\s.*…/m, 'the groups column is cut with an ellipsis');
  for (const line of screen.split('\n')) assert.ok(line.length <= 50, `fits 50 columns: ${line}`);
  // eslint-disable-next-line no-control-regex
  assert.match(await narrow.capture({ ansi: true }), /\x1b\[1m/, 'a bold header on a terminal');

  const plain = await onTerminal(['users', 'ls'], 50, { NO_COLOR: '1' });
  assert.equal(await plain.exited(), 0);
  // eslint-disable-next-line no-control-regex
  assert.doesNotMatch(await plain.capture({ ansi: true }), /\x1b\[1m/, 'NO_COLOR: no attributes');

  const piped = await runCli(['users', 'ls'], { cwd: dir, env: { ...cleanEnv(), NO_COLOR: '' } });
  assert.ok(piped.stdout.includes(long), 'not cut in a pipe');
  // eslint-disable-next-line no-control-regex
  assert.doesNotMatch(piped.stdout, /\x1b\[/, 'no escapes in a pipe');
});
