import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/**
 * Real unix accounts for PAM tests (we run as root): made with useradd, given a password with chpasswd, and
 * removed with userdel afterwards. Names are random so parallel runs and leftovers never collide.
 */
function run(cmd: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { encoding: 'utf8', timeout: 30_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')}: ${stderr || err.message}`));
      else resolve(stdout);
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

export function randomName(prefix = 'hubt'): string {
  return `${prefix}${randomBytes(4).toString('hex')}`;
}

export interface UnixUser {
  name: string;
  password: string;
  uid: number;
  home: string;
  remove: () => Promise<void>;
}

export async function createUnixUser(opts: { password?: string; groups?: string[]; name?: string } = {}): Promise<UnixUser> {
  const name = opts.name ?? randomName();
  const password = opts.password ?? `pw-${randomBytes(6).toString('hex')}`;
  const args = ['--create-home', '--shell', '/bin/sh'];
  if (opts.groups && opts.groups.length > 0) args.push('--groups', opts.groups.join(','));
  await run('useradd', [...args, name]);
  await run('chpasswd', [], `${name}:${password}\n`);
  const fields = (await run('getent', ['passwd', name])).split(':');
  return { name, password, uid: Number(fields[2]), home: fields[5] ?? `/home/${name}`, remove: () => removeUnixUser(name) };
}

export async function removeUnixUser(name: string): Promise<void> {
  // userdel refuses while the account has processes (a server a failed test left behind).
  await run('pkill', ['-KILL', '-u', name]).catch(() => undefined);
  await run('userdel', ['--remove', name]).catch(() => run('userdel', [name]).catch(() => undefined));
}

export async function userExists(name: string): Promise<boolean> {
  return run('getent', ['passwd', name]).then(() => true, () => false);
}

export async function createUnixGroup(name = randomName('hubg')): Promise<{ name: string; remove: () => Promise<void> }> {
  await run('groupadd', [name]);
  return { name, remove: () => run('groupdel', [name]).then(() => undefined, () => undefined) };
}

/** Expires the account (the PAM account stack then refuses it even with the right password). */
export async function expireAccount(name: string): Promise<void> {
  await run('chage', ['-E', '0', name]);
}
