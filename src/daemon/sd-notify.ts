import { execFile } from 'node:child_process';
import type { Logger } from '../lib/log.js';

/**
 * systemd's readiness protocol (Type=notify). Node has no AF_UNIX datagram sockets, so we hand the message to
 * `systemd-notify`; it sends from its own pid, which is why contrib/hub.service sets NotifyAccess=all, and we
 * pass MAINPID so systemd tracks the daemon rather than the helper.
 */
export async function sdNotify(fields: Record<string, string>, log: Logger, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  if (!env.NOTIFY_SOCKET) return false;
  const args = Object.entries({ MAINPID: String(process.pid), ...fields }).map(([k, v]) => `${k}=${v}`);
  return new Promise((resolve) => {
    execFile('systemd-notify', args, { env, timeout: 5000 }, (err) => {
      if (err) log.warn(`could not notify systemd (${args.join(' ')}): ${err.message}`);
      resolve(!err);
    });
  });
}
