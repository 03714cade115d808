import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runCli, startDaemon, tempDir, type CliResult, type RunningDaemon } from '../helpers/cli.js';

/** `hub tokens` end to end; a created token is checked against the hub's own API on its TCP port. */
const SERVICE_TOKEN = 'announcer-secret-0123456789abcdef';
let dir = '';
let daemon: RunningDaemon | undefined;
let hubUrl = '';

async function hub(args: string[]): Promise<CliResult> {
  return runCli(args, { cwd: dir });
}

function json<T>(r: CliResult): T {
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as T;
}

function assertOneLineError(r: CliResult, code: number, pattern: RegExp): void {
  assert.equal(r.code, code, `exit ${r.code}: ${r.stderr}`);
  assert.match(r.stderr, pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
}

/** Who the hub says a token belongs to (GET /hub/api/user), or the HTTP status when it refuses it. */
async function whoami(token: string): Promise<string | number> {
  const res = await fetch(new URL('api/user', hubUrl), { headers: { authorization: `token ${token}` } });
  if (res.status !== 200) return res.status;
  return ((await res.json()) as { name: string }).name;
}

interface Token {
  id: string;
  user?: string;
  service?: string;
  scopes: string[];
  note: string | null;
  expires_at: string | null;
  prefix?: string;
  token?: string;
}

before(async () => {
  dir = await tempDir('hub-cli-tokens-');
  await writeFile(
    path.join(dir, 'hub.yml'),
    `ConfigurableHTTPProxy: {api_url: 'http://127.0.0.1:0'}
JupyterHub:
  hub_ip: 127.0.0.1
  hub_port: 0
  ip: 127.0.0.1
  port: 0
  db_url: 'sqlite:///hub.sqlite'
  services: [{name: announcer, api_token: '${SERVICE_TOKEN}'}]
Authenticator: {admin_users: [alice]}
`,
  );
  daemon = await startDaemon([], { cwd: dir });
  hubUrl = json<{ hub_url: string }>(await hub(['status', '--json'])).hub_url;
  assert.equal((await hub(['users', 'add', 'alice', 'bob'])).code, 0);
});

after(async () => {
  await daemon?.stop();
});

test('create prints the secret alone on stdout, once; it works, and ls never shows it', async () => {
  const created = await hub(['tokens', 'create', '--user', 'alice', '--note', 'laptop']);
  assert.equal(created.code, 0, created.stderr);
  assert.match(created.stdout, /^[0-9a-f]{32}\n$/, 'only the token on stdout');
  assert.match(created.stderr, /token a\d+ for alice; it is shown only now/);
  const secret = created.stdout.trim();
  assert.equal(await whoami(secret), 'alice');

  const listed = await hub(['tokens', 'ls', '--user', 'alice']);
  assert.equal(listed.code, 0, listed.stderr);
  assert.ok(!listed.stdout.includes(secret), 'ls never prints the secret');
  const asJson = json<Token[]>(await hub(['tokens', 'ls', '--user', 'alice', '--json']));
  assert.equal(asJson.length, 1);
  assert.equal(asJson[0]?.note, 'laptop');
  assert.ok(secret.startsWith(asJson[0]?.prefix ?? '-'), 'the prefix is how the secret starts');
  assert.ok(!JSON.stringify(asJson).includes(secret));
  // No --scopes: the token has its owner's permissions (JupyterHub 3.0's `inherit`); it was just used.
  assert.match(listed.stdout, new RegExp(`^${asJson[0]?.id}\\s+${asJson[0]?.prefix}\\s+alice\\s+\\(?inherit\\)?\\s+laptop\\s+\\d+s ago\\s+never\\s+\\d+s ago$`, 'm'));
});

test('create with --scopes, --expires-in and --json; bad input and unknown users fail clearly', async () => {
  const t = json<Token>(await hub(['tokens', 'create', '--user', 'alice', '--scopes', 'read:users:name,list:users', '--expires-in', '2h', '--note', 'bot', '--json']));
  assert.equal(t.user, 'alice');
  for (const scope of ['list:users', 'read:users:name']) assert.ok(t.scopes.includes(scope), `${scope} in ${t.scopes.join(' ')}`);
  const lifetime = Date.parse(t.expires_at ?? '') - Date.now();
  assert.ok(lifetime > 7100_000 && lifetime <= 7200_000, `expires in about 2h (${lifetime} ms)`);
  assert.match(t.token ?? '', /^[0-9a-f]{32}$/, '--json carries the secret');
  assert.equal(await whoami(t.token ?? ''), 'alice');
  const shown = await hub(['tokens', 'ls', '--user', 'alice']);
  assert.match(shown.stdout, /list:users .*\s+bot\s+\d+s ago\s+in (1h59m|2h00m)/);
  assert.equal((await hub(['tokens', 'create', '--user', 'bob', '--note', 'plain'])).code, 0);

  assertOneLineError(await hub(['tokens', 'create', '--user', 'nobody']), 13, /no such user: nobody/);
  assertOneLineError(await hub(['tokens', 'create', '--user', 'bob', '--expires-in', 'soon']), 2, /--expires-in soon: not a duration/);
  assert.equal((await hub(['tokens', 'create'])).code, 2, '--user is required');
  // `--scopes "$SCOPES"` with an empty variable must not mint a token with all of the user's permissions.
  for (const empty of ['', ',', ' , ']) assertOneLineError(await hub(['tokens', 'create', '--user', 'bob', '--scopes', empty]), 2, /--scopes names no scope/);
  const notHeld = await hub(['tokens', 'create', '--user', 'bob', '--scopes', 'admin:users']);
  assert.notEqual(notHeld.code, 0, 'a scope bob does not hold is refused by the hub');
  assert.match(notHeld.stderr, /admin:users/);
  assert.match(notHeld.stderr, /\n {2}Give bob a role with these scopes \(JupyterHub\.load_roles/, 'with the fix');
  assert.doesNotMatch(notHeld.stderr, /\n\s+at /);
  const plain = json<Token[]>(await hub(['tokens', 'ls', '--user', 'bob', '--json']));
  assert.ok(plain.some((t) => t.note === 'plain'));
  assert.equal((await hub(['tokens', 'create', '--user', 'bob'])).code, 0);
  const noted = json<Token[]>(await hub(['tokens', 'ls', '--user', 'bob', '--json'])).map((t) => t.note);
  assert.ok(noted.includes('Requested via api by the operator'), noted.join(' | '));
});

test('ls of everyone, of one service, of one user; --json holds what the table shows', async () => {
  const all = json<Token[]>(await hub(['tokens', 'ls', '--json']));
  assert.ok(all.some((t) => t.service === 'announcer'), 'the configured service token is listed');
  assert.ok(all.some((t) => t.user === 'alice') && all.some((t) => t.user === 'bob'));
  const service = json<Token[]>(await hub(['tokens', 'ls', '--service', 'announcer', '--json']));
  assert.deepEqual(service.map((t) => t.service), ['announcer']);
  assert.ok(SERVICE_TOKEN.startsWith(service[0]?.prefix ?? '-'));

  const table = (await hub(['tokens'])).stdout.trim().split('\n').slice(1);
  assert.deepEqual(
    table.map((line) => line.split(/\s+/).slice(0, 3)),
    all.map((t) => [t.id, t.prefix, t.user ?? `service:${t.service ?? ''}`]),
  );
  assertOneLineError(await hub(['tokens', 'ls', '--user', 'nobody']), 13, /no such user: nobody/);
  assertOneLineError(await hub(['tokens', 'ls', '--service', 'nope']), 13, /no such service: nope/);
  assert.equal((await hub(['tokens', 'ls', '--user', 'alice', '--service', 'announcer'])).code, 2, 'one owner at a time');
});

test('revoke by id asks first, then the token stops working; --user NAME --all; unknown ids; service tokens made and revoked', async () => {
  const secret = (await hub(['tokens', 'create', '--user', 'alice', '--note', 'to revoke'])).stdout.trim();
  const id = json<Token[]>(await hub(['tokens', 'ls', '--user', 'alice', '--json'])).find((t) => t.note === 'to revoke')?.id ?? '';
  assertOneLineError(await hub(['tokens', 'revoke', id]), 11, new RegExp(`Revoke token ${id} of alice\\?`));
  assert.equal(await whoami(secret), 'alice', 'still valid after the refused prompt');
  const revoked = json<{ target: string; ok: boolean; result: string }[]>(await hub(['tokens', 'revoke', id, '--answer-yes', '--json']));
  assert.deepEqual(revoked, [{ target: `${id} (alice)`, ok: true, result: 'revoked' }]);
  assert.equal(await whoami(secret), 403);

  assertOneLineError(await hub(['tokens', 'revoke', 'a99999', '-y']), 13, /no such token: a99999/);
  assertOneLineError(await hub(['tokens', 'revoke', id, '--user', 'bob', '-y']), 13, /no such token/);
  assertOneLineError(await hub(['tokens', 'revoke', '-y']), 2, /which token\?/);
  // A service token made from the CLI works as the service, and revoking it ends it at once.
  const made = await hub(['tokens', 'create', '--service', 'announcer', '--note', 'rotation']);
  assert.equal(made.code, 0, made.stderr);
  assert.match(made.stderr, /for service announcer/);
  const serviceSecret = made.stdout.trim();
  assert.equal(await whoami(serviceSecret), 'announcer');
  const serviceId = json<Token[]>(await hub(['tokens', 'ls', '--service', 'announcer', '--json'])).find((t) => t.note === 'rotation')?.id ?? '';
  assert.equal((await hub(['tokens', 'revoke', serviceId, '-y'])).code, 0);
  assert.equal(await whoami(serviceSecret), 403);
  assert.equal(await whoami(SERVICE_TOKEN), 'announcer', 'the configured token is untouched');
  assertOneLineError(await hub(['tokens', 'create', '--service', 'nope']), 13, /no such service: nope/);

  const bobs = json<Token[]>(await hub(['tokens', 'ls', '--user', 'bob', '--json']));
  assert.ok(bobs.length >= 1);
  const all = await hub(['tokens', 'revoke', '--user', 'bob', '--all', '--force']);
  assert.equal(all.code, 0, all.stderr);
  assert.deepEqual(json<Token[]>(await hub(['tokens', 'ls', '--user', 'bob', '--json'])), []);
  assert.match((await hub(['tokens', 'revoke', '--user', 'bob', '--all', '-y'])).stdout, /no tokens to revoke/);
});

test("rotating a service's api_token in the config revokes the old one at the next start", async () => {
  const rdir = await tempDir('hub-cli-rotate-');
  const config = (token: string): string => `ConfigurableHTTPProxy: {api_url: 'http://127.0.0.1:0'}
JupyterHub:
  hub_ip: 127.0.0.1
  hub_port: 0
  ip: 127.0.0.1
  port: 0
  db_url: 'sqlite:///hub.sqlite'
  services: [{name: culler, api_token: '${token}'}]
`;
  const ask = async (url: string, token: string): Promise<number> => (await fetch(new URL('api/user', url), { headers: { authorization: `token ${token}` } })).status;
  const OLD = 'culler-old-0123456789abcdef0123';
  const NEW = 'culler-new-0123456789abcdef0123';
  await writeFile(path.join(rdir, 'hub.yml'), config(OLD));
  const first = await startDaemon([], { cwd: rdir });
  const url1 = json<{ hub_url: string }>(await runCli(['status', '--json'], { cwd: rdir })).hub_url;
  assert.equal(await ask(url1, OLD), 200);
  await first.stop();
  await writeFile(path.join(rdir, 'hub.yml'), config(NEW));
  const second = await startDaemon([], { cwd: rdir });
  try {
    const url2 = json<{ hub_url: string }>(await runCli(['status', '--json'], { cwd: rdir })).hub_url;
    assert.equal(await ask(url2, NEW), 200);
    assert.equal(await ask(url2, OLD), 403, 'the old configured token no longer works');
  } finally {
    await second.stop();
  }
});
