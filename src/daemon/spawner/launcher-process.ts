/**
 * A small process that starts server processes for the hub (launcher.ts says why), told what to start over its
 * IPC channel, reporting each start and exit back by pid. It exits when the hub goes (the channel closes); the
 * servers it started are detached and carry on, as they would if the hub had started them itself.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { isLaunchMessage, type FromLauncher, type LaunchMessage } from './launcher-protocol.js';

function post(m: FromLauncher): void {
  process.send?.(m);
}

function launch(m: LaunchMessage): void {
  let fd: number;
  try {
    if (m.mkdir !== undefined) mkdirSync(m.mkdir, { recursive: true, mode: 0o700 });
    // A log file, not a pipe: a server must not die of a broken pipe when the hub restarts.
    fd = openSync(m.logFile, 'w', 0o600);
  } catch (err) {
    post({ kind: 'failed', id: m.id, message: err instanceof Error ? err.message : String(err) });
    return;
  }
  try {
    // spawn() forks synchronously, so a umask set around it is the child's alone.
    const before = m.umask === undefined ? undefined : process.umask(m.umask);
    let child;
    try {
      child = spawn(m.file, m.args, { cwd: m.cwd, env: m.env, detached: true, stdio: ['ignore', fd, fd] });
    } finally {
      if (before !== undefined) process.umask(before);
    }
    child.once('error', (err) => post({ kind: 'failed', id: m.id, message: err.message }));
    child.once('spawn', () => post({ kind: 'spawned', id: m.id, pid: child.pid ?? -1 }));
    // Killed by a signal: minus its number, as Python's Popen.returncode gives JupyterHub (-9 for SIGKILL).
    child.once('exit', (code, sig) => post({ kind: 'exit', pid: child.pid ?? -1, code: code ?? (sig ? -constants.signals[sig] : 1) }));
    child.unref();
  } catch (err) {
    post({ kind: 'failed', id: m.id, message: err instanceof Error ? err.message : String(err) });
  } finally {
    closeSync(fd);
  }
}

process.on('message', (m: unknown) => {
  if (isLaunchMessage(m)) launch(m);
});
process.on('disconnect', () => process.exit(0));
// A terminal's Ctrl-C reaches the whole process group: stopping is the hub's decision, not ours.
process.on('SIGINT', () => undefined);
// Without a listener Node would open its inspector on SIGUSR1 (the hub's process group may be sent it).
process.on('SIGUSR1', () => undefined);
