/**
 * LocalProcessSpawner.popen_kwargs, Python's Popen keyword arguments, as far as they mean something for a process
 * hub starts: `shell` (true runs the command as Python does, `/bin/sh -c <first item> <rest as $0...>`; a string
 * names the shell), `cwd` (only for an account without a home directory: JupyterHub's preexec moves to the home
 * after Popen's cwd), `umask` (an int), `executable` (the program to run instead of the command's first item,
 * or of the shell with shell=True). `env` is
 * ignored, as in JupyterHub (the spawner's environment wins); `start_new_session` is always true (servers outlive
 * a hub restart). Anything else (stdout, preexec_fn, close_fds, ...) is Python-only: a warning at start says so.
 */
import { HubError } from '../../lib/errors.js';
import type { Logger } from '../../lib/log.js';

export interface PopenOptions {
  shell: string | null;
  cwd: string | null;
  umask: number | null;
  executable: string | null;
}

const WHY = 'has no effect in hub (it is an argument of Python\'s Popen)';

export function parsePopenKwargs(raw: Record<string, unknown>, log: Logger): PopenOptions {
  const out: PopenOptions = { shell: null, cwd: null, umask: null, executable: null };
  const problems: string[] = [];
  for (const [key, value] of Object.entries(raw)) {
    switch (key) {
      case 'shell':
        if (value === true) out.shell = '/bin/sh';
        else if (typeof value === 'string' && value.startsWith('/')) out.shell = value;
        else if (value !== false && value !== null) problems.push(`shell must be true, false or a shell's absolute path, got ${JSON.stringify(value)}`);
        break;
      case 'cwd':
        if (typeof value === 'string' && value !== '') {
          out.cwd = value;
          log.warn("LocalProcessSpawner.popen_kwargs.cwd: the server starts in the user's home directory, as in JupyterHub (whose preexec moves there after Popen's cwd); cwd counts only for an account without one");
        }
        else if (value !== null) problems.push(`cwd must be a directory path, got ${JSON.stringify(value)}`);
        break;
      case 'umask':
        if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0o777) out.umask = value;
        else if (value !== -1 && value !== null) problems.push(`umask must be an integer from 0 to 0o777 (511), got ${JSON.stringify(value)}`);
        break;
      case 'executable':
        if (typeof value === 'string' && value !== '') out.executable = value;
        else if (value !== null) problems.push(`executable must be a program path, got ${JSON.stringify(value)}`);
        break;
      case 'env':
        log.warn('LocalProcessSpawner.popen_kwargs.env is ignored, as in JupyterHub: use Spawner.environment');
        break;
      case 'start_new_session':
        if (value !== true) log.warn('LocalProcessSpawner.popen_kwargs.start_new_session: servers always get their own session in hub, so that they outlive a hub restart');
        break;
      default:
        log.warn(`LocalProcessSpawner.popen_kwargs.${key} ${WHY}`);
    }
  }
  if (problems.length > 0) {
    throw new HubError('CONFIG_INVALID', problems.map((p) => `LocalProcessSpawner.popen_kwargs.${p}`).join('\n'), { hint: 'Fix LocalProcessSpawner.popen_kwargs, e.g. {shell: true, umask: 0o077}.' });
  }
  return out;
}

/** The command line after popen_kwargs: Python's Popen with shell=True runs [shell, '-c', *args]. */
export function applyPopen(argv: readonly string[], p: PopenOptions): string[] {
  const [first = '', ...rest] = argv;
  const command = p.executable !== null && p.shell === null ? [p.executable, ...rest] : [first, ...rest];
  return p.shell !== null ? [p.executable ?? p.shell, '-c', ...command] : command;
}
