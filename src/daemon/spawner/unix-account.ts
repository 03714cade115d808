import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { HubError } from '../../lib/errors.js';

const run = promisify(execFile);

/** A unix account as pwd.getpwnam reports it: what LocalProcessSpawner runs a user's server as. */
export interface UnixAccount {
  name: string;
  uid: number;
  gid: number;
  home: string;
  shell: string;
}

export async function lookupAccount(name: string): Promise<UnixAccount> {
  let out: string;
  try {
    out = (await run('getent', ['passwd', name])).stdout.trim();
  } catch {
    throw new HubError('NOT_FOUND', `there is no unix account named ${name}`, {
      hint: `LocalProcessSpawner runs each server as the user's own account: create it (useradd -m ${name}), set LocalAuthenticator.create_system_users: true, or use spawner_class: simple.`,
    });
  }
  const f = out.split('\n')[0]?.split(':') ?? [];
  const [, , uid = '', gid = '', , home = '/', shell = '/bin/sh'] = f;
  return { name, uid: Number(uid), gid: Number(gid), home, shell };
}
