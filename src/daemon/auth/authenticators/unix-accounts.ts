import { execFile } from 'node:child_process';
import { loadPamBinding, type GroupEntry, type PasswdEntry } from './pam-binding.js';

/**
 * Unix account look-ups through NSS, so LDAP/sssd users count like /etc/passwd ones. The PAM addon answers
 * in-process (getpwnam_r & co); without it, `getent` and `id` do, one process per look-up, which is fine on
 * the login path but slow for thousands of users at hub start.
 */
export interface UnixAccounts {
  getpwnam(name: string): Promise<PasswdEntry | null>;
  getgrnam(name: string): Promise<GroupEntry | null>;
  getgrouplist(name: string, gid: number): Promise<number[]>;
}

function run(cmd: string, args: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { encoding: 'utf8', timeout: 10_000 }, (err, stdout) => {
      if (err && typeof err.code !== 'number') {
        reject(err);
        return;
      }
      resolve({ code: err ? Number(err.code) : 0, stdout });
    });
  });
}

const viaGetent: UnixAccounts = {
  async getpwnam(name) {
    const { code, stdout } = await run('getent', ['passwd', '--', name]);
    const f = stdout.trim().split('\n')[0]?.split(':') ?? [];
    if (code !== 0 || f.length < 7) return null;
    return { name: f[0] ?? name, uid: Number(f[2]), gid: Number(f[3]), dir: f[5] ?? '', shell: f[6] ?? '' };
  },
  async getgrnam(name) {
    const { code, stdout } = await run('getent', ['group', '--', name]);
    const f = stdout.trim().split('\n')[0]?.split(':') ?? [];
    if (code !== 0 || f.length < 4) return null;
    return { name: f[0] ?? name, gid: Number(f[2]), members: (f[3] ?? '').split(',').filter((m) => m !== '') };
  },
  async getgrouplist(name, gid) {
    const { code, stdout } = await run('id', ['-G', '--', name]);
    const ids = code === 0 ? stdout.trim().split(/\s+/).map(Number).filter(Number.isInteger) : [];
    return [...new Set([gid, ...ids])];
  },
};

export function unixAccounts(): UnixAccounts {
  const loaded = loadPamBinding();
  if (!('binding' in loaded)) return viaGetent;
  const b = loaded.binding;
  // NSS cannot name a NUL byte; such a name simply has no account (the addon would throw).
  const ok = (name: string): boolean => !name.includes('\0');
  return {
    getpwnam: async (name) => (ok(name) ? b.getpwnam(name) : null),
    getgrnam: async (name) => (ok(name) ? b.getgrnam(name) : null),
    getgrouplist: async (name, gid) => (ok(name) ? b.getgrouplist(name, gid) : [gid]),
  };
}

export const getentAccounts = viaGetent;
