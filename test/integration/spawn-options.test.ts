/**
 * Spawner options as JupyterHub 3.0 reads them, seen in a real server process (the stand-in single-user server,
 * run by the simple spawner; its /proc/<pid>/environ and cmdline are what the hub really gave it): cmd and args
 * (not template-expanded), shell_cmd, env_keep, environment (callables get the spawner), notebook_dir and
 * default_url through format_string's namespace ({username} as it is, {base_url}, {{ }}), debug,
 * disable_user_config, mem/cpu limits and guarantees in JupyterHub's units and spelling, SimpleLocalProcessSpawner's
 * home and SHELL, pre_spawn_hook, and post_stop_hook (whose failure is logged, not fatal to the stop).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildStandin } from '../../bench/standin/standin.js';
import { createUsers } from '../../src/daemon/db/users-repo.js';
import type { LocalServerManager } from '../../src/daemon/spawner/local-server-manager.js';
import { tempDir } from '../helpers/cli.js';
import { startTestHub } from '../helpers/hub.js';

const CONFIG = (standin: string, home: string): string => `
const calls = (globalThis.spawnOptionsCalls = []);
export default {
  JupyterHub: { spawner_class: 'simple' },
  Spawner: {
    cmd: [${JSON.stringify(standin)}],
    args: ['--flag', '{username}', 'a b'],
    env_keep: ['PATH', 'HUB_TEST_KEEP'],
    environment: {
      STATIC: 'static',
      DYN: (spawner) => spawner.user.name + ':' + JSON.stringify(spawner.userOptions),
      HOME: 'overridden by the spawner',
    },
    notebook_dir: '/srv/{username}',
    default_url: '{base_url}lab?{{x}}',
    debug: true,
    disable_user_config: true,
    mem_limit: '1.5G',
    mem_guarantee: '512M',
    cpu_limit: 2,
    cpu_guarantee: 0.5,
    http_timeout: 20,
    pre_spawn_hook: (spawner) => { calls.push('pre:' + spawner.user.name); spawner.env.FROM_PRE_SPAWN_HOOK = spawner.name || 'default'; },
    post_stop_hook: (spawner) => { calls.push('post:' + spawner.user.name); throw new Error('the hook broke'); },
  },
  LocalProcessSpawner: { shell_cmd: ['/bin/bash', '-c'], interrupt_timeout: 1 },
  SimpleLocalProcessSpawner: { home_dir_template: ${JSON.stringify(path.join(home, '{username}'))} },
};
`;

async function procRecord(pid: number, what: 'environ' | 'cmdline'): Promise<string[]> {
  return (await readFile(`/proc/${pid}/${what}`, 'utf8')).split('\0').filter(Boolean);
}

test('Spawner options reach a real server process as JupyterHub 3.0 passes them', { timeout: 60_000 }, async () => {
  const dir = await tempDir();
  const standin = await buildStandin();
  const home = path.join(dir, 'home');
  await writeFile(path.join(dir, 'hub.config.mjs'), CONFIG(standin, home));
  const t = await startTestHub({ dir, withProxy: true, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HUB_TEST_KEEP: 'kept', HUB_TEST_DROP: 'dropped' } });
  const calls = (globalThis as { spawnOptionsCalls?: string[] }).spawnOptionsCalls ?? assert.fail('the config file was not loaded');
  try {
    // A name that URL escaping changes: {username} is the name as it is, {base_url} the escaped prefix.
    const [user] = await createUsers(t.hub.db!, ['ada+b']);
    const manager = t.hub.servers as LocalServerManager;
    assert.equal(await manager.start(user!, '', { size: 'big' }), 'ready');
    const row = (await t.hub.db!('spawners').where({ user_id: user!.id, name: '' }).first('state')) as { state?: string };
    const pid = Number((JSON.parse(row.state ?? '{}') as { pid?: number }).pid);
    // shell_cmd: bash -c '<cmd> <args>' with each argument quoted (bash then execs the server itself); args are
    // passed as written, never template-expanded (spawner.py get_args).
    assert.deepEqual(await procRecord(pid, 'cmdline'), [standin, '--flag', '{username}', 'a b']);
    const env = Object.fromEntries((await procRecord(pid, 'environ')).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
    assert.ok('SHLVL' in env, 'the command ran through shell_cmd (bash exports SHLVL)');
    assert.equal(env.HUB_TEST_KEEP, 'kept', 'env_keep passes named variables of the hub');
    assert.equal(env.HUB_TEST_DROP, undefined, 'and only those');
    assert.equal(env.STATIC, 'static');
    assert.equal(env.DYN, 'ada+b:{"size":"big"}', 'a callable value is called with the spawner, user_options included');
    assert.equal(env.FROM_PRE_SPAWN_HOOK, 'default', 'pre_spawn_hook may change the environment');
    assert.equal(env.JUPYTERHUB_ROOT_DIR, '/srv/ada+b');
    assert.equal(env.JUPYTERHUB_DEFAULT_URL, '/user/ada%2Bb/lab?{x}');
    assert.equal(env.JUPYTERHUB_DEBUG, '1');
    assert.equal(env.JUPYTERHUB_DISABLE_USER_CONFIG, '1');
    assert.equal(env.MEM_LIMIT, String(1.5 * 1024 ** 3));
    assert.equal(env.MEM_GUARANTEE, String(512 * 1024 ** 2));
    assert.equal(env.CPU_LIMIT, '2.0', "a Float trait: JupyterHub writes str(2.0)");
    assert.equal(env.CPU_GUARANTEE, '0.5');
    // SimpleLocalProcessSpawner.user_env wins over Spawner.environment.
    assert.equal(env.HOME, path.join(home, 'ada+b'));
    assert.equal(env.SHELL, '/bin/bash');
    assert.equal(env.USER, 'ada+b');
    assert.deepEqual(calls, ['pre:ada+b']);

    await manager.stop(user!, '');
    assert.deepEqual(calls, ['pre:ada+b', 'post:ada+b']);
    assert.ok(t.logs.some((l) => l.includes('Error in Spawner.post_stop_hook for ada+b: the hook broke')), t.logs.join('\n'));
    assert.equal(manager.runtime('ada+b', '').stopped, true, 'a failing post_stop_hook does not fail the stop');
    const server = await t.hub.db!('servers').count({ n: '*' }).first() as { n: number };
    assert.equal(Number(server.n), 0);
  } finally {
    await t.stop();
  }
});

test('a failed spawn runs post_stop_hook too (user.py stops a server that failed to start)', { timeout: 60_000 }, async () => {
  const dir = await tempDir();
  await writeFile(path.join(dir, 'hub.config.mjs'), `
const calls = (globalThis.failedSpawnCalls = []);
export default {
  JupyterHub: { spawner_class: 'simple' },
  Spawner: { cmd: ['/bin/false'], post_stop_hook: (spawner) => { calls.push('post:' + spawner.user.name); } },
  SimpleLocalProcessSpawner: { home_dir_template: ${JSON.stringify(path.join(dir, 'home', '{username}'))} },
};
`);
  const t = await startTestHub({ dir, withProxy: true, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  try {
    const [user] = await createUsers(t.hub.db!, ['bo']);
    await assert.rejects((t.hub.servers as LocalServerManager).start(user!, '', {}), /exited before it answered/);
    assert.deepEqual((globalThis as { failedSpawnCalls?: string[] }).failedSpawnCalls, ['post:bo']);
  } finally {
    await t.stop();
  }
});

test('consecutive_failure_limit: a warning on the way, then the hub stops itself', { timeout: 60_000 }, async () => {
  const dir = await tempDir();
  // The hub stops itself as on SIGTERM; this listener takes the signal in place of main.ts's.
  let stopped = false;
  const signalled = new Promise<void>((resolve) => process.once('SIGTERM', () => {
    stopped = true;
    resolve();
  }));
  const t = await startTestHub({ dir, withProxy: true, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, overrides: [
    'JupyterHub.spawner_class=simple', 'Spawner.cmd=["/bin/false"]', 'Spawner.consecutive_failure_limit=3',
    `SimpleLocalProcessSpawner.home_dir_template=${path.join(dir, 'home', '{username}')}`,
  ] });
  try {
    const users = await createUsers(t.hub.db!, ['f1', 'f2', 'f3']);
    const manager = t.hub.servers as LocalServerManager;
    for (const user of users.slice(0, 2)) await assert.rejects(manager.start(user, '', {}));
    assert.ok(t.logs.some((l) => l.includes('2 consecutive spawns failed.  Hub will exit if failure count reaches 3 before succeeding')), t.logs.join('\n'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(stopped, false, 'two failures of three do not stop the hub');
    await assert.rejects(manager.start(users[2]!, '', {}));
    await signalled;
    assert.ok(t.logs.some((l) => l.includes('Aborting due to 3 consecutive spawn failures')));
    // The daemon's exit status 1 is checked on the real process in test/e2e/crash-recovery.test.ts.
  } finally {
    await t.stop();
  }
});

test("oauth_client_allowed_scopes (a function of the spawner) and the deprecated oauth_roles shape the server's OAuth client", { timeout: 60_000 }, async () => {
  const dir = await tempDir();
  const standin = await buildStandin();
  const home = JSON.stringify(path.join(dir, 'home', '{username}'));
  await writeFile(path.join(dir, 'hub.config.mjs'), `
export default {
  JupyterHub: { spawner_class: 'simple', load_roles: [{ name: 'reader', scopes: ['read:users:name'] }] },
  Spawner: {
    cmd: [${JSON.stringify(standin)}],
    oauth_client_allowed_scopes: async (spawner) => spawner.userOptions.roles ? [] : ['read:users!user=' + spawner.user.name],
    oauth_roles: (spawner) => spawner.userOptions.roles ?? ['reader'],
  },
  LocalProcessSpawner: { interrupt_timeout: 1 },
  SimpleLocalProcessSpawner: { home_dir_template: ${home} },
};
`);
  const t = await startTestHub({ dir, withProxy: true, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  try {
    const [ada, bo, cy] = await createUsers(t.hub.db!, ['ada', 'bo', 'cy']);
    const manager = t.hub.servers as LocalServerManager;
    const clientScopes = async (name: string): Promise<unknown> => {
      const row = (await t.hub.db!('oauth_clients').where({ identifier: `jupyterhub-user-${name}` }).first('allowed_scopes')) as { allowed_scopes: string };
      return JSON.parse(row.allowed_scopes);
    };
    assert.equal(await manager.start(ada!, '', {}), 'ready');
    assert.deepEqual(await clientScopes('ada'), ['access:servers!server=ada/', 'access:servers!user=ada', 'read:users!user=ada']);
    assert.ok(t.logs.some((l) => l.includes('Ignoring deprecated Spawner.oauth_roles=["reader"] in favor of Spawner.oauth_client_allowed_scopes.')), t.logs.join('\n'));
    const row = (await t.hub.db!('spawners').where({ user_id: ada!.id, name: '' }).first('state')) as { state?: string };
    const environ = await procRecord(Number((JSON.parse(row.state ?? '{}') as { pid?: number }).pid), 'environ');
    assert.ok(environ.includes('JUPYTERHUB_OAUTH_CLIENT_ALLOWED_SCOPES=["read:users!user=ada"]'), environ.join('\n'));
    await manager.stop(ada!, '');

    // No scopes: the roles' scopes; an unknown role fails the spawn before anything is written.
    assert.equal(await manager.start(bo!, '', { roles: ['reader', 'server'] }), 'ready');
    assert.deepEqual(await clientScopes('bo'), ['access:servers!server=bo/', 'access:servers!user', 'access:servers!user=bo', 'read:users:name', 'users:activity!user']);
    await manager.stop(bo!, '');
    await assert.rejects(manager.start(cy!, '', { roles: ['reader', 'nosuchrole'] }), /No such role\(s\): nosuchrole/);
  } finally {
    await t.stop();
  }
});

test("pre_spawn_hook changes JupyterHub's spawner attributes and the server gets them; the same object reaches post_stop_hook", { timeout: 60_000 }, async () => {
  const dir = await tempDir();
  const standin = await buildStandin();
  // Ported as written from a jupyterhub_config.py: snake_case attributes, user_options, spawner.log.
  await writeFile(path.join(dir, 'hub.config.mjs'), `
const seen = (globalThis.hookSpawnerSeen = { pre: [], post: [] });
export default {
  JupyterHub: { spawner_class: 'simple' },
  Spawner: {
    cmd: ['/bin/false'],
    args: ['--from-config'],
    notebook_dir: '/config/{username}',
    environment: { FROM_CONFIG: 'config' },
    pre_spawn_hook: async (spawner) => {
      seen.pre.push(spawner);
      spawner.log.info('pre_spawn_hook for ' + spawner.user.name + ' project ' + spawner.user_options.project);
      if (spawner.user_options.project === 'broken') { spawner.mem_limit = 'lots'; return; }
      spawner.cmd = [${JSON.stringify(standin)}];
      spawner.args.push('--project=' + spawner.user_options.project);
      spawner.notebook_dir = '/data/{username}/' + spawner.user_options.project;
      spawner.default_url = '/lab/tree/' + spawner.user_options.project;
      spawner.environment.PROJECT = spawner.user_options.project;
      spawner.environment.CALLED = (s) => s.name + ':' + s.user_options.project;
      spawner.mem_limit = '2G';
      spawner.cpu_guarantee = 0.25;
      spawner.http_timeout = 15;
      spawner.env.LEGACY_ENV = 'still works';
      delete spawner.env.FROM_CONFIG;
    },
    post_stop_hook: (spawner) => { seen.post.push(spawner); },
  },
  LocalProcessSpawner: { interrupt_timeout: 1 },
  SimpleLocalProcessSpawner: { home_dir_template: ${JSON.stringify(path.join(dir, 'home', '{username}'))} },
};
`);
  const t = await startTestHub({ dir, withProxy: true, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  const seen = (globalThis as { hookSpawnerSeen?: { pre: Record<string, unknown>[]; post: Record<string, unknown>[] } }).hookSpawnerSeen ?? assert.fail('the config file was not loaded');
  try {
    const [user] = await createUsers(t.hub.db!, ['ada']);
    const manager = t.hub.servers as LocalServerManager;
    // A value traitlets would refuse fails the spawn with what was expected, and the next spawn gets a fresh
    // spawner (user.get_spawner(replace_failed=True)), not the one the failed hook left.
    await assert.rejects(manager.start(user!, '', { project: 'broken' }), /spawner\.mem_limit must be a number of bytes .*found "lots".*set by a Spawner hook/s);
    assert.equal(seen.post.length, 1, 'the failed spawn was stopped, post_stop_hook ran');
    assert.equal(manager.runtime('ada', '').stopped, true);

    assert.equal(await manager.start(user!, '', { project: 'apollo' }), 'ready');
    assert.notEqual(seen.pre[1], seen.pre[0], 'a fresh spawner after the failed spawn');
    assert.deepEqual(seen.pre[1]!.args, ['--from-config', '--project=apollo']);
    const row = (await t.hub.db!('spawners').where({ user_id: user!.id, name: '' }).first('state')) as { state?: string };
    const pid = Number((JSON.parse(row.state ?? '{}') as { pid?: number }).pid);
    assert.deepEqual(await procRecord(pid, 'cmdline'), [standin, '--from-config', '--project=apollo'], 'cmd and args as the hook left them');
    const env = Object.fromEntries((await procRecord(pid, 'environ')).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
    assert.equal(env.JUPYTERHUB_ROOT_DIR, '/data/ada/apollo', "notebook_dir, through format_string as spawner.py's get_env does");
    assert.equal(env.JUPYTERHUB_DEFAULT_URL, '/lab/tree/apollo');
    assert.equal(env.PROJECT, 'apollo');
    assert.equal(env.CALLED, ':apollo', 'a callable environment value gets the spawner');
    assert.equal(env.MEM_LIMIT, String(2 * 1024 ** 3), "'2G' as ByteSpecification reads it");
    assert.equal(env.CPU_GUARANTEE, '0.25');
    assert.equal(env.LEGACY_ENV, 'still works', "hub's earlier spawner.env still adds variables");
    assert.equal(env.FROM_CONFIG, undefined, 'and removes them');
    assert.ok(t.logs.some((l) => l.includes('[ada] pre_spawn_hook for ada project apollo')), t.logs.join('\n'));

    await manager.stop(user!, '');
    assert.equal(seen.post[1], seen.pre[1], 'post_stop_hook gets the object pre_spawn_hook had');
    assert.equal(seen.post[1]!.user_options && (seen.post[1]!.user_options as { project?: string }).project, 'apollo');
    assert.equal((seen.post[1]!.userOptions as { project?: string }).project, 'apollo', 'userOptions is an alias');
  } finally {
    await t.stop();
  }
});
