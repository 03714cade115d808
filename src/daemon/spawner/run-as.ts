import { HubError } from '../../lib/errors.js';
import type { UnixAccount } from './unix-account.js';

/**
 * argv that runs `argv` as `account`: uid, gid and the account's supplementary groups via util-linux
 * `setpriv --init-groups` (Node's spawn can set uid/gid but not the groups). The hub's own account needs no
 * wrapper; any other needs the hub to be root.
 */
export function runAsArgv(account: UnixAccount, argv: string[], what: string, hint = `Run the hub as root, or run ${what} as the hub's own user.`): string[] {
  const me = process.getuid?.() ?? -1;
  if (me === account.uid) return argv;
  if (me !== 0) {
    throw new HubError('FORBIDDEN', `cannot start ${what} as ${account.name}: the hub does not run as root`, { hint });
  }
  return ['setpriv', `--reuid=${account.uid}`, `--regid=${account.gid}`, '--init-groups', '--', ...argv];
}
