import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildStandin } from '../../bench/standin/standin.js';
import { runCli, startDaemon, tempDir, type CliResult, type RunningDaemon } from '../helpers/cli.js';

/**
 * `hub users` and `hub groups` end to end: bin/run.js against a running daemon over the control socket,
 * servers spawned as stand-ins (bench/standin) by the simple spawner.
 */
let dir = '';
let daemon: RunningDaemon | undefined;

async function hub(args: string[], input?: string): Promise<CliResult> {
  return runCli(args, { cwd: dir, ...(input !== undefined ? { input } : {}) });
}

before(async () => {
  dir = await tempDir('hub-cli-users-');
  const standin = await buildStandin();
  await writeFile(path.join(dir, 'spawn.sh'), `#!/bin/sh\nexec ${standin}\n`);
  await chmod(path.join(dir, 'spawn.sh'), 0o755);
  await writeFile(
    path.join(dir, 'hub.yml'),
    `ConfigurableHTTPProxy: {api_url: 'http://127.0.0.1:0'}
JupyterHub: {hub_ip: 127.0.0.1, hub_port: 0, ip: 127.0.0.1, port: 0, db_url: 'sqlite:///hub.sqlite', spawner_class: simple}
Spawner: {cmd: ['${dir}/spawn.sh']}
SimpleLocalProcessSpawner: {home_dir_template: '${dir}/home/{username}'}
Authenticator: {admin_users: [root-admin]}
`,
  );
  daemon = await startDaemon([], { cwd: dir });
});

after(async () => {
  await daemon?.stop();
});

function json<T>(r: CliResult): T {
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as T;
}

/** Reads a table back into records, cutting each line at the header's column starts. */
function table(text: string): Record<string, string>[] {
  const [header = '', ...lines] = text.trimEnd().split('\n');
  const starts = [...header.matchAll(/\S+(?: \S+)*/g)].map((m) => ({ name: m[0], at: m.index ?? 0 }));
  return lines.map((line) => Object.fromEntries(starts.map((c, i) => [c.name, line.slice(c.at, starts[i + 1]?.at ?? undefined).trim()])));
}

function assertOneLineError(r: CliResult, code: number, pattern: RegExp): void {
  assert.equal(r.code, code, `exit ${r.code}: ${r.stderr}`);
  assert.match(r.stderr, pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
}

interface User {
  name: string;
  admin: boolean;
  groups: string[];
  servers: Record<string, unknown>;
  blocked?: boolean;
}

test('ls --sort takes every listed value, -created too (oclif alone reads -c... as --config)', async () => {
  for (const sort of ['-created', '--sort=-created', '-name']) {
    const args = sort.startsWith('--') ? ['users', 'ls', sort] : ['users', 'ls', '--sort', sort];
    assert.equal((await hub(args)).code, 0, `${args.join(' ')}`);
  }
  assertOneLineError(await hub(['users', 'ls', '--sort', '-bogus']), 2, /one of: name, -name/);
});

test('add from arguments, a file and stdin, with --admin and --group; adding again is idempotent', async () => {
  assertOneLineError(await hub(['users', 'add', 'x', '--group', 'nosuch']), 13, /no such group: nosuch/);
  assert.deepEqual(json<User[]>(await hub(['users', 'ls', '--json'])).map((u) => u.name).includes('x'), false, 'nobody created when the group is wrong');

  assert.equal((await hub(['groups', 'add', 'cs101', 'staff'])).code, 0);
  const admins = await hub(['users', 'add', 'ada', 'grace', '--admin', '--group', 'staff']);
  assert.equal(admins.code, 0, admins.stderr);
  assert.match(admins.stdout, /2 created, 0 already existed; all 2 in group staff/);

  await writeFile(path.join(dir, 'class.txt'), '# cs101, autumn\nstud01\nstud02\n\nstud03  # late enrolment\nstud01\n');
  const fromFile = json<{ name: string; result: string; group: string }[]>(await hub(['users', 'add', '--file', 'class.txt', '--group', 'cs101', '--json']));
  assert.deepEqual(fromFile, ['stud01', 'stud02', 'stud03'].map((name) => ({ name, result: 'created', group: 'cs101' })));

  const fromStdin = await hub(['users', 'add', '-', 'stud04'], 'stud03\nstud05\n');
  assert.equal(fromStdin.code, 0, fromStdin.stderr);
  assert.deepEqual(table(fromStdin.stdout.split('\n').slice(0, -2).join('\n')).map((r) => [r.NAME, r.RESULT]), [['stud04', 'created'], ['stud03', 'exists'], ['stud05', 'created']]);

  const again = json<{ result: string }[]>(await hub(['users', 'add', 'ada', 'stud01', '--json']));
  assert.deepEqual(again.map((r) => r.result), ['exists', 'exists'], 'every name exists: success, nothing created');
  assertOneLineError(await hub(['users', 'add']), 2, /no names given/);
});

test('ls filters by name, group and admin, sorts either way, and --json holds what the table shows', async () => {
  const names = async (...args: string[]): Promise<string[]> => json<User[]>(await hub(['users', 'ls', ...args, '--json'])).map((u) => u.name);
  assert.deepEqual(await names('--name', 'stud'), ['stud01', 'stud02', 'stud03', 'stud04', 'stud05']);
  assert.deepEqual((await names('--group', 'staff')).sort(), ['ada', 'grace']);
  assert.deepEqual((await names('--admin')).sort(), ['ada', 'grace', 'root-admin']);
  assert.deepEqual(await names('--no-admin', '--group', 'cs101', '--sort', '-name'), ['stud03', 'stud02', 'stud01']);
  const sorted = await names('--sort', 'name');
  assert.deepEqual(sorted, [...sorted].sort((a, b) => a.localeCompare(b)));
  assertOneLineError(await hub(['users', 'ls', '--group', 'nosuch']), 13, /no such group: nosuch/);
  assertOneLineError(await hub(['users', 'ls', '--sort', 'shoe-size']), 2, /Expected --sort=shoe-size to be one of/);

  const asJson = json<User[]>(await hub(['users', 'ls', '--json']));
  const asTable = table((await hub(['users', 'ls'])).stdout);
  assert.deepEqual(
    asTable.map((r) => [r.NAME, r.ADMIN === 'yes', r.GROUPS]),
    asJson.map((u) => [u.name, u.admin, u.groups.join(',')]),
  );
  assert.deepEqual(json<User[]>(await hub(['users', '--json'])), asJson, 'the topic alone lists the same');
});

test('ls is complete across pages: 450 users from stdin come back, every one', async () => {
  const many = Array.from({ length: 450 }, (_, i) => `many${String(i).padStart(3, '0')}`);
  const added = await hub(['users', 'add', '-'], many.join('\n'));
  assert.equal(added.code, 0, added.stderr);
  assert.match(added.stdout, /450 created/);
  const listed = json<User[]>(await hub(['users', 'ls', '--name', 'many', '--sort', 'name', '--json'])).map((u) => u.name);
  assert.deepEqual(listed, many);
});

test('show, rename, admin --on/--off; unknown users are one line and exit 13', async () => {
  const ada = json<User>(await hub(['users', 'show', 'ada', '--json']));
  assert.equal(ada.admin, true);
  assert.deepEqual(ada.groups, ['staff']);
  assert.equal(ada.blocked, false);
  const shown = await hub(['users', 'show', 'ada']);
  assert.match(shown.stdout, /^admin\s+yes$/m);
  assert.match(shown.stdout, /^groups\s+staff$/m);

  assertOneLineError(await hub(['users', 'show', 'nobody']), 13, /^Error: no such user: nobody\n/);
  assertOneLineError(await hub(['users', 'show', 'nobody', '--json']), 13, /no such user: nobody/);

  assert.equal(json<User>(await hub(['users', 'rename', 'grace', 'hopper', '--json'])).name, 'hopper');
  assertOneLineError(await hub(['users', 'rename', 'grace', 'x']), 13, /no such user: grace/);
  const taken = await hub(['users', 'rename', 'hopper', 'ada']);
  assert.notEqual(taken.code, 0, 'renaming onto an existing user fails');
  assert.doesNotMatch(taken.stderr, /\n\s+at /);

  assert.equal(json<User>(await hub(['users', 'admin', 'hopper', '--off', '--json'])).admin, false);
  assert.match((await hub(['users', 'admin', 'hopper', '--on'])).stdout, /hopper is now an admin/);
  assert.equal((await hub(['users', 'admin', 'hopper'])).code, 2, '--on or --off is required');
  assertOneLineError(await hub(['users', 'admin', 'nobody', '--on']), 13, /no such user: nobody/);
});

test('block ends the running server at once and shows as blocked; unblock undoes it', async () => {
  const started = await hub(['servers', 'start', 'stud05']);
  assert.equal(started.code, 0, started.stderr);
  assert.equal(Object.keys(json<User>(await hub(['users', 'show', 'stud05', '--json'])).servers).length, 1);
  const byState = async (state: string): Promise<string[]> => json<User[]>(await hub(['users', 'ls', '--state', state, '--name', 'stud', '--json'])).map((u) => u.name);
  assert.deepEqual(await byState('active'), ['stud05']);
  assert.deepEqual(await byState('ready'), ['stud05']);
  assert.deepEqual(await byState('inactive'), ['stud01', 'stud02', 'stud03', 'stud04']);

  assertOneLineError(await hub(['users', 'block', 'stud05']), 11, /refusing without confirmation.*\n\s+Run again with --answer-yes/);
  const blocked = await hub(['users', 'block', 'stud05', '--force']);
  assert.equal(blocked.code, 0, blocked.stderr);
  const after = json<User>(await hub(['users', 'show', 'stud05', '--json']));
  assert.equal(after.blocked, true);
  assert.deepEqual(Object.values(after.servers).filter((s) => (s as { stopped?: boolean }).stopped !== true), [], 'no running server');

  assertOneLineError(await hub(['users', 'block', 'nobody', '-y']), 13, /no such user: nobody/);
  assert.equal((await hub(['users', 'unblock', 'stud05'])).code, 0);
  assert.equal(json<User>(await hub(['users', 'show', 'stud05', '--json'])).blocked, false);
});

test('rm asks (refuses off a terminal without --answer-yes), deletes, and reports each name', async () => {
  assertOneLineError(await hub(['users', 'rm', 'stud04']), 11, /Delete user stud04/);
  assert.equal((await hub(['users', 'show', 'stud04'])).code, 0, 'still there');

  const rm = await hub(['users', 'rm', 'stud04', 'nobody', 'stud03', '--answer-yes', '--json']);
  assert.equal(rm.code, 13, 'one unknown name fails the command');
  assert.deepEqual(JSON.parse(rm.stdout), [
    { target: 'stud04', ok: true, result: 'deleted' },
    { target: 'nobody', ok: false, result: 'no such user: nobody' },
    { target: 'stud03', ok: true, result: 'deleted' },
  ]);
  assert.match(rm.stderr, /1 of 3 deletions failed/);
  assert.equal((await hub(['users', 'show', 'stud03'])).code, 13);
});

test('groups: add, ls, show, members add/rm (from stdin too), rm with confirmation', async () => {
  const added = json<{ target: string; result: string }[]>(await hub(['groups', 'add', 'cs101', 'cs102', '--json']));
  assert.deepEqual(added.map((r) => r.result), ['exists', 'created']);
  const members = json<{ users: string[] }>(await hub(['groups', 'members', 'add', 'cs102', 'stud01', '-', '--json'], 'stud02\n'));
  assert.deepEqual(members.users.sort(), ['stud01', 'stud02']);
  assert.match((await hub(['groups', 'members', 'rm', 'cs102', 'stud01'])).stdout, /cs102: removed 1 user; 1 member$/m);
  assertOneLineError(await hub(['groups', 'members', 'add', 'cs102', 'stud01', 'nobody']), 13, /no such user: nobody; group cs102 was left as it was\n {2}hub users add nobody creates the user/);
  assert.deepEqual(json<{ users: string[] }>(await hub(['groups', 'show', 'cs102', '--json'])).users, ['stud02'], 'all or nothing, as JupyterHub');
  const show = await hub(['groups', 'show', 'cs102']);
  assert.match(show.stdout, /^members\s+1: stud02$/m);

  const ls = await hub(['groups', 'ls']);
  const rows = table(ls.stdout);
  assert.deepEqual(rows.map((r) => r.NAME).sort(), ['cs101', 'cs102', 'staff']);
  assert.equal(rows.find((r) => r.NAME === 'staff')?.MEMBERS, '2');
  assert.deepEqual(json<{ name: string }[]>(await hub(['groups', '--json'])).map((g) => g.name).sort(), ['cs101', 'cs102', 'staff']);

  assertOneLineError(await hub(['groups', 'add', '']), 2, /no group names given/);
  assertOneLineError(await hub(['groups', 'show', 'nosuch']), 13, /no such group: nosuch/);
  assertOneLineError(await hub(['groups', 'members', 'add', 'nosuch', 'stud01']), 13, /no such group: nosuch/);
  assertOneLineError(await hub(['groups', 'rm', 'cs102']), 11, /Delete group cs102\?/);
  assert.equal((await hub(['groups', 'rm', 'cs102', '-y'])).code, 0);
  assertOneLineError(await hub(['groups', 'rm', 'cs102', '-y']), 13, /no such group: cs102/);
  assert.deepEqual(json<User>(await hub(['users', 'show', 'stud02', '--json'])).groups, ['cs101'], 'the user stays, without the group');
});
