/**
 * The hub's record of the proxy it started (ConfigurableHTTPProxy.pid_file, JupyterHub's jupyterhub-proxy.pid),
 * so that a restarted hub, or a hub taking over from JupyterHub, can find it: adopt it when it still answers
 * with our token, or stop a leftover that does not.
 */
import { readFile, unlink, writeFile } from 'node:fs/promises';
import { errnoCode } from '../../lib/errors.js';

export async function readPidFile(file: string): Promise<number | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw err;
  }
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 1 ? pid : undefined;
}

export async function writePidFile(file: string, pid: number): Promise<void> {
  await writeFile(file, String(pid), { mode: 0o644 });
}

export async function removePidFile(file: string): Promise<void> {
  try {
    await unlink(file);
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw err;
  }
}

/** Signal 0 checks existence; EPERM means it exists but belongs to someone else. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errnoCode(err) === 'EPERM';
  }
}

/**
 * Whether the process still runs the proxy command: pids are reused, and signalling whatever now has the
 * proxy's old pid would be a nasty surprise. Without /proc (not Linux) there is no way to tell: assume yes.
 */
export async function commandLineMentions(pid: number, needles: readonly string[]): Promise<boolean> {
  try {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.split('\0').some((arg) => needles.some((n) => n !== '' && arg.includes(n)));
  } catch (err) {
    return errnoCode(err) !== 'ENOENT' || !(await procMounted());
  }
}

async function procMounted(): Promise<boolean> {
  try {
    await readFile('/proc/self/cmdline');
    return true;
  } catch {
    return false;
  }
}
