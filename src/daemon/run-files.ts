import net from 'node:net';
import { promises as fs, type Stats } from 'node:fs';
import path from 'node:path';
import { HubError, errnoCode } from '../lib/errors.js';
import type { Logger } from '../lib/log.js';
import { MAX_SOCKET_PATH } from '../lib/paths.js';

/**
 * The files that say "a hub runs here": the control socket and the pid file. A live socket means another
 * daemon owns this state and we refuse; a socket nobody answers on, or a pid file of a dead process, is what a
 * killed daemon leaves behind, and we clean it up with a warning.
 */
export async function socketAnswers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const conn = net.connect(socketPath);
    conn.once('connect', () => {
      conn.destroy();
      resolve(true);
    });
    conn.once('error', () => resolve(false));
  });
}

export async function prepareSocketPath(socketPath: string, log: Logger): Promise<void> {
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH) {
    throw new HubError('USAGE', `control socket path is too long for a unix socket (${Buffer.byteLength(socketPath)} > ${MAX_SOCKET_PATH} bytes): ${socketPath}`, {
      hint: 'Pass a shorter --socket PATH (or HUB_SOCKET), e.g. /run/hub/hub.sock.',
    });
  }
  const dir = path.dirname(socketPath);
  // A directory the hub makes is private (0700); one that was there is left as it is (--socket /srv/hub/ctl.sock
  // must not change /srv/hub's mode): the socket itself is born 0600, so only who may replace it matters.
  if (await makeSocketDir(socketPath)) await fs.chmod(dir, 0o700);
  else checkSocketDir(dir, await fs.stat(dir));
  let st: Stats;
  try {
    st = await fs.lstat(socketPath);
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw err;
    return;
  }
  // Whatever else is at that path (a mistyped --socket naming a config file) is not ours to delete.
  if (!st.isSocket()) {
    throw new HubError('USAGE', `${socketPath} exists and is not a socket; the hub will not replace it with its control socket`, {
      hint: 'Choose another --socket PATH (or HUB_SOCKET, Hub.control_socket), or move that file away.',
    });
  }
  if (await socketAnswers(socketPath)) {
    throw new HubError('DAEMON_ALREADY_RUNNING', `a hub is already running with this state (its control socket ${socketPath} answers)`, {
      hint: 'Stop it first (hub status shows its pid; systemctl stop hub, or kill <pid>), or start this one with another database and --socket.',
    });
  }
  log.warn(`Removing stale control socket ${socketPath} left by a hub that did not stop cleanly`);
  await fs.unlink(socketPath);
}

/**
 * An existing socket directory must not let anyone else replace or remove the socket: it is owned by the hub's
 * user (or root, who can do anything anyway), and not writable by group or others unless it is sticky (/tmp),
 * where nobody may rename or delete another's file.
 */
function checkSocketDir(dir: string, st: Stats): void {
  const uid = process.getuid?.() ?? 0;
  if (st.uid !== uid && st.uid !== 0) {
    throw new HubError('SECRET_INSECURE', `control socket directory ${dir} belongs to another user (uid ${st.uid}), who could replace the socket`, {
      hint: `chown it to the hub's user, or choose another --socket (the default is .hub/hub.sock beside the database).`,
    });
  }
  if ((st.mode & 0o022) !== 0 && (st.mode & 0o1000) === 0) {
    throw new HubError('SECRET_INSECURE', `control socket directory ${dir} is writable by ${st.mode & 0o002 ? 'others' : 'its group'}, who could replace the socket`, {
      hint: `chmod go-w ${dir} (or +t, as /tmp), or choose another --socket (the default is .hub/hub.sock beside the database).`,
    });
  }
}

/**
 * Only the socket's own directory is made (`.hub` beside the database): making its parents too would create a
 * mistyped db_url's directory as well, and the hub would start on a new, empty database there.
 */
async function makeSocketDir(socketPath: string): Promise<boolean> {
  const dir = path.dirname(socketPath);
  try {
    await fs.mkdir(dir, { mode: 0o700 });
    return true;
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'EEXIST') return false;
    const parent = path.dirname(dir);
    if (code === 'ENOENT') {
      throw new HubError('IO_ERROR', `the directory ${parent} does not exist (the control socket ${socketPath} goes in it)`, {
        hint: `check JupyterHub.db_url (the hub keeps its state beside the SQLite file) or --socket/Hub.control_socket; or create it: mkdir -p ${parent}`,
      });
    }
    if (code === 'EACCES' || code === 'EROFS' || code === 'EPERM') {
      throw new HubError('IO_ERROR', `cannot create the control socket directory ${dir}: ${code} (the state directory ${parent} is not writable)`, {
        hint: `make ${parent} writable by the user running the hub (chown it), or keep the state elsewhere: JupyterHub.db_url, or --socket PATH`,
      });
    }
    throw err;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errnoCode(err) === 'EPERM';
  }
}

export async function writePidFile(file: string, log: Logger): Promise<void> {
  try {
    const old = Number((await fs.readFile(file, 'utf8')).trim());
    if (Number.isInteger(old) && old > 0 && old !== process.pid && processAlive(old)) {
      throw new HubError('DAEMON_ALREADY_RUNNING', `pid file ${file} names process ${old}, which is still running`, {
        hint: `Stop that process first (kill ${old}), or set JupyterHub.pid_file to another path.`,
      });
    }
    log.warn(`Replacing stale pid file ${file} (process ${old} is gone)`);
  } catch (err) {
    if (err instanceof HubError) throw err;
    if (errnoCode(err) !== 'ENOENT') throw new HubError('IO_ERROR', `cannot read pid file ${file}: ${errnoCode(err) ?? String(err)}`);
  }
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, `${process.pid}\n`, { mode: 0o644 });
}

export async function removeFile(file: string): Promise<void> {
  await fs.rm(file, { force: true });
}
