import { errnoCode } from '../../lib/errors.js';

/** Is a process with this pid there (and not a zombie we could reap)? EPERM means it exists under another uid. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errnoCode(err) === 'EPERM';
  }
}

async function waitGone(pid: number, ms: number, exited?: () => boolean): Promise<boolean> {
  const deadline = Date.now() + ms;
  let delay = 20;
  while (Date.now() < deadline) {
    if (exited?.() === true || !pidAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 250);
  }
  return exited?.() === true || !pidAlive(pid);
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (err) {
    if (errnoCode(err) !== 'ESRCH') throw err;
  }
}

/**
 * LocalProcessSpawner's stop: SIGINT and wait interrupt_timeout, then SIGTERM and wait term_timeout, then
 * SIGKILL and wait kill_timeout (JupyterHub: 10, 5, 5 s). `now` starts at SIGKILL.
 */
export async function killSequence(pid: number, t: { interrupt: number; term: number; kill: number }, now: boolean, exited?: () => boolean): Promise<boolean> {
  const steps: [NodeJS.Signals, number][] = now ? [['SIGKILL', t.kill]] : [['SIGINT', t.interrupt], ['SIGTERM', t.term], ['SIGKILL', t.kill]];
  for (const [sig, seconds] of steps) {
    if (exited?.() === true || !pidAlive(pid)) return true;
    signal(pid, sig);
    if (await waitGone(pid, seconds * 1000, exited)) return true;
  }
  return false;
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    return errnoCode(err) === 'EPERM';
  }
}

/**
 * What a server left behind in its process group once it is gone: servers start in a session of their own (as
 * JupyterHub's start_new_session), so a process still in group `pgid` is theirs: a command run through a shell
 * (popen_kwargs shell) whose shell was the one signalled, kernels orphaned by a SIGKILL. They get SIGTERM, then
 * SIGKILL after `graceMs`. JupyterHub signals the server's pid only and leaves these running. No group (the
 * leader took everything with it, or was never a leader) is nothing to do.
 */
export async function reapGroup(pgid: number, graceMs = 2000): Promise<void> {
  if (pgid <= 1 || !groupAlive(pgid)) return;
  signal(-pgid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!groupAlive(pgid)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  signal(-pgid, 'SIGKILL');
}
