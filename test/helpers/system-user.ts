import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/**
 * A real unix account for a test (we run as root, as the hub does): created with `useradd -m`, removed with
 * its home afterwards. Names are random so parallel tests and earlier crashed runs never collide.
 */
export interface SystemUser {
  name: string;
  uid: number;
  home: string;
  remove(): void;
}

export function createSystemUser(prefix = 'hubt'): SystemUser {
  const name = `${prefix}${randomBytes(3).toString('hex')}`;
  execFileSync('useradd', ['-m', '-s', '/bin/bash', name]);
  const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
  const home = execFileSync('getent', ['passwd', name], { encoding: 'utf8' }).split(':')[5] ?? `/home/${name}`;
  return {
    name,
    uid,
    home,
    remove: () => {
      try {
        execFileSync('pkill', ['-KILL', '-u', name]);
      } catch {
        /* no processes left: fine */
      }
      execFileSync('userdel', ['-r', name], { stdio: 'ignore' });
    },
  };
}
