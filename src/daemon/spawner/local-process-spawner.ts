import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { formatString, type HubConfig } from '../../lib/config/index.js';
import { HubError } from '../../lib/errors.js';
import type { Logger } from '../../lib/log.js';
import { killSequence, pidAlive, reapGroup } from './kill-sequence.js';
import type { PollResult, SpawnRequest, Spawner, Started, TlsFiles } from './spawner.js';
import { installUserCerts } from '../ssl/user-certs.js';
import { lookupAccount } from './unix-account.js';
import { applyPopen, parsePopenKwargs, type PopenOptions } from './popen-kwargs.js';
import { runAsArgv } from './run-as.js';
import { launcher } from './launcher.js';

/**
 * JupyterHub's LocalProcessSpawner: the server runs as the user's unix account (uid, gid and supplementary
 * groups via util-linux `setpriv --init-groups`, which Node's spawn cannot do), with HOME, USER and SHELL from
 * the account, in its own session so it outlives a hub restart when cleanup_servers is off. Output goes to a
 * per-server log file rather than a pipe, so a server never dies of a broken pipe when the hub restarts.
 * Processes are started by launcher processes (launcher.ts), so forking never stalls the hub's event loop.
 * State is `{pid}`, as JupyterHub's, so either hub can adopt the other's servers.
 *
 * SimpleLocalProcessSpawner (`simple: true`) runs as the hub's own user in home_dir_template.
 */
export interface LocalSpawnerOptions {
  config: HubConfig;
  log: Logger;
  logDir: string;
  simple: boolean;
}

export class LocalProcessSpawner implements Spawner {
  readonly kind: string;
  private readonly o: LocalSpawnerOptions;
  private readonly exitCodes = new Map<number, number>();
  /** Processes this hub started whose exit is not reported yet: the launcher reaps first, then tells us. */
  private readonly exits = new Map<number, Promise<void>>();

  private readonly popen: PopenOptions;

  constructor(o: LocalSpawnerOptions) {
    this.o = o;
    this.popen = parsePopenKwargs(o.config.LocalProcessSpawner.popen_kwargs, o.log);
    this.kind = o.simple ? 'simple' : 'localprocess';
    mkdirSync(o.logDir, { recursive: true, mode: 0o700 });
  }

  async start(req: SpawnRequest): Promise<Started> {
    const { argv, cwd, env, mkdir } = await this.prepare(req);
    const logFile = this.logFileFor(req.user.name, req.serverName);
    const file = argv[0] ?? 'jupyterhub-singleuser';
    let reported: () => void = () => undefined;
    const exit = new Promise<void>((resolve) => (reported = resolve));
    const pid = await launcher.launch({ file, args: argv.slice(1), cwd, env, logFile, ...(mkdir === undefined ? {} : { mkdir }), ...(this.popen.umask === null ? {} : { umask: this.popen.umask }) }, (code, exited) => {
      this.exitCodes.set(exited, code);
      this.exits.delete(exited);
      reported();
    }).catch((err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      throw new HubError('DAEMON_START_FAILED', `cannot start ${file}: ${message}`, { hint: 'Is jupyterhub-singleuser installed (apt-get install jupyterhub) and on PATH? See Spawner.cmd.' });
    });
    // A pid the kernel hands out again must not carry the exit code of the process that had it before.
    this.exitCodes.delete(pid);
    this.exits.set(pid, exit);
    req.log.info(`Spawned ${argv.join(' ')} for ${req.user.name}${req.serverName ? `/${req.serverName}` : ''} as pid ${pid}`);
    return { ip: req.ip, port: req.port, state: { pid, log_file: logFile } };
  }

  async poll(state: Record<string, unknown>): Promise<PollResult> {
    const pid = state.pid;
    if (typeof pid !== 'number' || pid <= 0) return { running: false, exitCode: 0 };
    const code = this.exitCodes.get(pid);
    if (code !== undefined) return { running: false, exitCode: code };
    if (pidAlive(pid)) return { running: true };
    // Gone, but its exit status may still be on its way from the launcher: wait a moment for the real one.
    const pending = this.exits.get(pid);
    if (pending) await Promise.race([pending, new Promise((r) => setTimeout(r, 1000).unref())]);
    return { running: false, exitCode: this.exitCodes.get(pid) ?? 1 };
  }

  async stop(state: Record<string, unknown>, now: boolean): Promise<void> {
    const pid = state.pid;
    if (typeof pid !== 'number' || pid <= 0) return;
    const lp = this.o.config.LocalProcessSpawner;
    const exited = (): boolean => this.exitCodes.has(pid);
    if (await killSequence(pid, { interrupt: lp.interrupt_timeout, term: lp.term_timeout, kill: lp.kill_timeout }, now, exited)) await reapGroup(pid);
    this.exitCodes.delete(pid);
    this.exits.delete(pid);
  }

  lastOutput(state: Record<string, unknown>): string {
    const file = typeof state.log_file === 'string' ? state.log_file : '';
    if (!file || !existsSync(file)) return '';
    return readFileSync(file, 'utf8').split('\n').filter(Boolean).slice(-15).join('\n');
  }

  async placeCerts(files: TlsFiles, user: string): Promise<TlsFiles> {
    if (this.o.simple) return files;
    const account = await lookupAccount(user);
    return installUserCerts(files, { uid: account.uid, gid: account.gid, home: account.home, name: user });
  }

  /**
   * `<user>.log`, `<user>~<server>.log`: names are %-escaped (every byte outside [A-Za-z0-9_.@-], `%` and `~`
   * included), so no two servers share a file (`a`'s server `b` and `a-b`'s default one, or `a b` and `a_b`).
   * A name too long for the file system keeps a readable prefix and a digest of the whole.
   */
  logFileFor(user: string, server: string): string {
    const base = `${escapeName(user)}${server ? `~${escapeName(server)}` : ''}`;
    const name = base.length <= 200 ? base : `${base.slice(0, 150)}#${createHash('sha256').update(base).digest('hex')}`;
    return path.join(this.o.logDir, `${name}.log`);
  }

  private async prepare(req: SpawnRequest): Promise<{ argv: string[]; cwd: string; env: Record<string, string>; mkdir?: string }> {
    const shellCmd = this.o.config.LocalProcessSpawner.shell_cmd;
    const base = applyPopen(shellCmd.length > 0 ? [...shellCmd, req.argv.map(shellQuote).join(' ')] : req.argv, this.popen);
    if (this.o.simple) {
      // spawner.py: home_dir_template.format(username=user.name), one home for all of a user's servers.
      const home = formatString(this.o.config.SimpleLocalProcessSpawner.home_dir_template, { username: req.user.name });
      // Made by the launcher process, just before it starts the server there.
      // JupyterHub's preexec chdirs to the home after Popen's cwd: popen_kwargs.cwd never shows here.
      // user_env: USER, HOME and SHELL win over Spawner.environment, as for LocalProcessSpawner.
      return { argv: base, cwd: home, env: { ...req.env, USER: req.user.name, HOME: home, SHELL: '/bin/bash' }, mkdir: home };
    }
    const account = await lookupAccount(req.user.name);
    // user_env: an empty home or shell field in the passwd entry leaves the variable as it was.
    const env = { ...req.env, USER: account.name, ...(account.home ? { HOME: account.home } : {}), ...(account.shell ? { SHELL: account.shell } : {}) };
    // JupyterHub's preexec (_try_setcwd) moves to the home after Popen's cwd: popen_kwargs.cwd only counts without one.
    const cwd = existsSync(account.home) ? account.home : (this.popen.cwd ?? '/');
    const hint = 'Run the hub as root for LocalProcessSpawner, or set JupyterHub.spawner_class: simple to run servers as the hub user.';
    return { argv: runAsArgv(account, base, 'a server', hint), cwd, env };
  }
}

function escapeName(s: string): string {
  return [...Buffer.from(s, 'utf8')].map((b) => (/[\w.@-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
