import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { LoadedConfig } from '../lib/config/index.js';
import { errnoCode, HubError, type ErrorCode } from '../lib/errors.js';
import { resolveSocketPath } from '../lib/paths.js';

/**
 * `hub start --detach`: the same command in a new session with stdout/stderr to a log file and an IPC
 * channel on which the daemon says `ready` (with its status) or `error`. We return only then, so a script
 * that runs `hub start --detach && hub users ls` never races the daemon.
 */
export interface DetachedStatus {
  pid: number;
  public_url: string;
  hub_url: string;
  socket: string;
  logFile: string;
}

/**
 * The default log file goes in the socket's directory, which only that directory is made for (as the daemon
 * makes it): creating its parents would create a mistyped db_url's directory. A --log-file gets its parents.
 */
function openLogFile(file: string, makeParents: boolean): number {
  const dir = path.dirname(file);
  try {
    if (!existsSync(dir)) mkdirSync(dir, { recursive: makeParents, mode: 0o700 });
    return openSync(file, 'a', 0o600);
  } catch (err) {
    const code = errnoCode(err) ?? String(err);
    throw new HubError('IO_ERROR', `cannot open the log file ${file}: ${code}`, {
      hint: code === 'ENOENT'
        ? `the directory ${path.dirname(dir)} does not exist: check JupyterHub.db_url (the hub keeps its state beside the SQLite file), or pass --log-file PATH`
        : `make ${existsSync(dir) ? dir : path.dirname(dir)} writable by the user running the hub, or pass --log-file PATH`,
    });
  }
}

export async function startDetached(opts: {
  root: string;
  argv: string[];
  answerYes: boolean;
  logFile: string | undefined;
  loaded: LoadedConfig;
  socketFlag: string | undefined;
}): Promise<DetachedStatus> {
  const cwd = process.cwd();
  const socket = resolveSocketPath({ flag: opts.socketFlag, env: process.env, configured: opts.loaded.config.Hub.control_socket, dbUrl: opts.loaded.config.JupyterHub.db_url, cwd });
  const logFile = opts.logFile ? path.resolve(cwd, opts.logFile) : path.join(path.dirname(socket.path), 'hub.log');
  const fd = openLogFile(logFile, opts.logFile !== undefined);
  const args = opts.argv.filter((a) => a !== '--detach' && a !== '-d' && !a.startsWith('--log-file'));
  // --log-file VALUE as two words: drop the value too.
  const i = opts.argv.indexOf('--log-file');
  if (i >= 0 && opts.argv[i + 1] !== undefined) args.splice(args.indexOf(opts.argv[i + 1] as string), 1);
  if (opts.answerYes && !args.includes('--answer-yes') && !args.includes('-y')) args.push('--answer-yes');
  const child = spawn(process.execPath, [path.join(opts.root, 'bin', 'run.js'), 'start', ...args], {
    cwd,
    env: process.env,
    detached: true,
    stdio: ['ignore', fd, fd, 'ipc'],
  });
  closeSync(fd);
  return new Promise((resolve, reject) => {
    let settled = false;
    child.on('message', (msg: unknown) => {
      if (settled || typeof msg !== 'object' || msg === null || !('type' in msg)) return;
      settled = true;
      if (msg.type === 'ready' && 'status' in msg) {
        const status = msg.status as { pid: number; public_url: string; hub_url: string; socket: string };
        child.disconnect();
        child.unref();
        resolve({ pid: status.pid, public_url: status.public_url, hub_url: status.hub_url, socket: status.socket, logFile });
      } else {
        const m = msg as { message?: string; hint?: string; code?: ErrorCode };
        reject(new HubError(m.code ?? 'DAEMON_START_FAILED', `the hub did not start: ${m.message ?? 'unknown error'}`, { hint: m.hint ?? `Its log: ${logFile}` }));
      }
    });
    child.on('exit', (code, signal) => {
      if (settled) return;
      settled = true;
      const tail = readFileSync(logFile, 'utf8').split('\n').filter(Boolean).slice(-5).join('\n  ');
      reject(new HubError('DAEMON_START_FAILED', `the hub exited before it was ready (${signal ?? `exit code ${code}`}); last lines of ${logFile}:\n  ${tail}`));
    });
  });
}
