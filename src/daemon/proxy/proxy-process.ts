/**
 * The proxy as a child process of the hub (JupyterHub's ConfigurableHTTPProxy.start/stop/check_running):
 * our proxy-main by default, or any CHP-compatible `command`. It is started in its own session, so a Ctrl-C
 * meant for the hub does not reach it and a hub restart with cleanup_proxy: false can leave it serving; with
 * a pid file and `adopt`, the next hub picks it up again instead of cutting every connection.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { HubError } from '../../lib/errors.js';
import { silentLogger, type Logger } from '../../lib/log.js';
import { ChpClient } from './chp-client.js';
import { buildProxyArgs, buildProxyEnv, defaultProxyCommand, type ProxyListenOptions } from './proxy-args.js';
import { commandLineMentions, isAlive, readPidFile, removePidFile, writePidFile } from './proxy-pid-file.js';
import { portAnswers, waitForProxy } from './proxy-readiness.js';

export interface ProxyExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export type ProxyProcessState =
  | { state: 'stopped' }
  | { state: 'starting'; pid: number }
  | { state: 'running'; pid: number; adopted: boolean }
  | { state: 'stopping'; pid: number }
  | { state: 'exited'; exit: ProxyExit };

export interface ProxyProcessOptions extends ProxyListenOptions {
  authToken: string;
  /** Default: this node running our proxy-main; e.g. ['configurable-http-proxy'] for the real one. */
  command?: string[];
  /** Base environment of the child (default process.env); the token is added to it, never to argv. */
  env?: NodeJS.ProcessEnv;
  /** Written by the hub after spawning (JupyterHub: jupyterhub-proxy.pid). */
  pidFile?: string;
  /** With pidFile: reuse a proxy that is still running and answers with our token, instead of replacing it. */
  adopt?: boolean;
  startTimeoutMs?: number;
  stopTimeoutMs?: number;
  /** How often an adopted proxy (not our child, so no exit event) is checked (JupyterHub: 5 s). */
  checkIntervalMs?: number;
  /** The child's output, line by line; default: inherited, so it keeps logging after the hub is gone. */
  output?: (line: string) => void;
  /** The proxy died while it was supposed to run (JupyterHub restarts it and restores the routes). */
  onExit?: (exit: ProxyExit) => void;
  /** Under internal_ssl: the hub's own certificate, presented to the proxy's API (which requires one). */
  clientTls?: { key: Buffer; cert: Buffer; ca: Buffer };
  log?: Logger;
}

export class ProxyProcess {
  private child: ChildProcess | undefined;
  private current: ProxyProcessState = { state: 'stopped' };
  private exitWaiters: Array<(exit: ProxyExit) => void> = [];
  private checkTimer: NodeJS.Timeout | undefined;
  private readonly command: string[];
  private readonly log: Logger;

  constructor(private readonly opts: ProxyProcessOptions) {
    this.command = opts.command ?? defaultProxyCommand();
    if (this.command.length === 0) throw new HubError('CONFIG_INVALID', 'ConfigurableHTTPProxy.command is empty');
    this.log = opts.log ?? silentLogger;
  }

  get state(): ProxyProcessState {
    return this.current;
  }

  get apiUrl(): string {
    const host = this.opts.apiIp.includes(':') ? `[${this.opts.apiIp}]` : this.opts.apiIp;
    return `${this.opts.apiSsl ? 'https' : 'http'}://${host || '127.0.0.1'}:${this.opts.apiPort}`;
  }

  /** A client for this proxy's API, with the token it was started with. */
  client(log?: Logger): ChpClient {
    return new ChpClient({ apiUrl: this.apiUrl, authToken: this.opts.authToken, hostRouting: this.opts.hostRouting, log, ...(this.opts.clientTls ?? {}) });
  }

  isRunning(): boolean {
    const s = this.current;
    return (s.state === 'running' || s.state === 'starting') && isAlive(s.pid);
  }

  /** Starts (or adopts) the proxy and resolves once its API and public port answer. */
  async start(): Promise<void> {
    if (this.current.state === 'starting' || this.current.state === 'running') throw new HubError('CONFLICT', 'proxy already started');
    if (await this.handleLeftover()) return;
    await this.refuseTakenApiPort();
    const child = this.spawnChild();
    const pid = child.pid;
    if (pid === undefined) throw await this.spawnFailure(child);
    this.current = { state: 'starting', pid };
    const client = this.client();
    try {
      // Inside the try: if even the pid file cannot be written, the child must not outlive this failed start.
      if (this.opts.pidFile !== undefined) await writePidFile(this.opts.pidFile, pid);
      await waitForProxy({
        api: () => client.ping(),
        publicHost: this.opts.ip,
        publicPort: this.opts.port,
        publicTls: this.opts.sslKey !== undefined,
        died: () => {
          const exit = this.exitInfo();
          return exit === undefined ? undefined : describeExit(exit);
        },
        deadlineMs: this.opts.startTimeoutMs ?? 30_000,
      });
    } catch (err) {
      await this.stop();
      throw err;
    } finally {
      client.close();
    }
    const exit = this.exitInfo();
    if (exit !== undefined) throw new HubError('DAEMON_START_FAILED', `proxy ${describeExit(exit)} right after starting`);
    this.current = { state: 'running', pid, adopted: false };
    this.log.info(`Proxy started (pid ${pid}), API ${this.apiUrl}`);
  }

  /**
   * Lets the hub exit while the proxy keeps serving (cleanup_proxy: false): drops our handles on the child
   * without signalling it. The pid file stays, for the next hub to adopt.
   */
  release(): void {
    this.stopChecking();
    const child = this.child;
    if (child === undefined) return;
    child.stdout?.destroy();
    child.stderr?.destroy();
    child.unref();
  }

  /** SIGTERM, then SIGKILL after stopTimeoutMs (default 5 s); resolves when the process is gone. */
  async stop(): Promise<void> {
    this.stopChecking();
    const s = this.current;
    if (s.state === 'starting' || s.state === 'running') {
      this.current = { state: 'stopping', pid: s.pid };
      await this.terminate(s.pid);
      this.current = { state: 'stopped' };
    }
    if (this.opts.pidFile !== undefined) await removePidFile(this.opts.pidFile);
  }

  private spawnChild(): ChildProcess {
    const [file, ...rest] = this.command as [string, ...string[]];
    const output = this.opts.output;
    const child = spawn(file, [...rest, ...buildProxyArgs(this.opts)], {
      env: buildProxyEnv(this.opts.env ?? process.env, this.opts.authToken, this.command),
      stdio: ['ignore', output ? 'pipe' : 'inherit', output ? 'pipe' : 'inherit'],
      detached: true,
    });
    if (output) {
      for (const stream of [child.stdout, child.stderr]) if (stream) createInterface({ input: stream }).on('line', output);
    }
    child.on('exit', (code, signal) => this.onChildExit({ code, signal }));
    child.on('error', (err) => this.log.error(`proxy process error: ${err.message}`));
    this.child = child;
    return child;
  }

  private async spawnFailure(child: ChildProcess): Promise<HubError> {
    const err = await new Promise<Error>((resolve) => child.once('error', resolve));
    return new HubError('DAEMON_START_FAILED', `cannot start the proxy (${this.command.join(' ')}): ${err.message}`, {
      hint: 'check ConfigurableHTTPProxy.command; the real proxy installs with `apt install node-configurable-http-proxy` or `npm install -g configurable-http-proxy`',
      cause: err,
    });
  }

  private exitInfo(): ProxyExit | undefined {
    return this.current.state === 'exited' ? this.current.exit : undefined;
  }

  private onChildExit(exit: ProxyExit): void {
    const was = this.current.state;
    this.current = { state: 'exited', exit };
    this.child = undefined;
    for (const waiter of this.exitWaiters.splice(0)) waiter(exit);
    if (was === 'running') {
      this.log.error(`Proxy ${describeExit(exit)} unexpectedly`);
      this.opts.onExit?.(exit);
    }
  }

  private async terminate(pid: number): Promise<void> {
    const gone = this.child ? new Promise<void>((resolve) => this.exitWaiters.push(() => resolve())) : undefined;
    const waitGone = async (ms: number): Promise<boolean> => (gone ? settlesWithin(gone, ms) : pollGone(pid, ms));
    if (!signal(pid, 'SIGTERM')) return;
    if (await waitGone(this.opts.stopTimeoutMs ?? 5000)) return;
    this.log.warn(`Proxy (pid ${pid}) ignored SIGTERM, sending SIGKILL`);
    if (signal(pid, 'SIGKILL')) await waitGone(5000);
  }

  /**
   * A pid file from an earlier hub: adopt the proxy when asked and it answers with our token (true), else
   * stop it as JupyterHub does, as long as the pid still belongs to a proxy.
   */
  private async handleLeftover(): Promise<boolean> {
    const file = this.opts.pidFile;
    if (file === undefined) return false;
    const pid = await readPidFile(file);
    // Ours, or the configurable-http-proxy a JupyterHub started with the same pid file (a hub taking over its
    // directory): either may be adopted or stopped; anything else that now has the pid is left alone.
    const needles = [path.basename(this.command[this.command.length - 1] ?? ''), 'configurable-http-proxy'];
    if (pid === undefined || !isAlive(pid) || !(await commandLineMentions(pid, needles))) {
      await removePidFile(file);
      return false;
    }
    if (this.opts.adopt && (await this.answersWithOurToken())) {
      this.current = { state: 'running', pid, adopted: true };
      this.startChecking(pid);
      this.log.info(`Adopted the running proxy (pid ${pid}) at ${this.apiUrl}`);
      return true;
    }
    this.log.warn(`Stopping the leftover proxy (pid ${pid}) from ${file}`);
    await this.terminate(pid);
    await removePidFile(file);
    return false;
  }

  /**
   * A process we have no pid file for holds the API address (a proxy another JupyterHub or hub left with another
   * pid_file, say): our proxy would die on EADDRINUSE while that one answered our readiness probe and got our
   * routes, and every check would start another. Refused once, with the way out, instead.
   */
  private async refuseTakenApiPort(): Promise<void> {
    if (!(await portAnswers(this.opts.apiIp, this.opts.apiPort))) return;
    throw new HubError('DAEMON_START_FAILED', `cannot start the proxy: another process already listens on its API address ${this.apiUrl}`, {
      hint: `Stop that process (ss -ltnp 'sport = :${this.opts.apiPort}' names it), or use it as it is: ConfigurableHTTPProxy.should_start: false with its auth_token.`,
    });
  }

  private async answersWithOurToken(): Promise<boolean> {
    const client = this.client();
    try {
      return await client.ping();
    } catch {
      return false;
    } finally {
      client.close();
    }
  }

  private startChecking(pid: number): void {
    this.checkTimer = setInterval(() => {
      if (isAlive(pid)) return;
      this.stopChecking();
      const exit: ProxyExit = { code: null, signal: null };
      this.current = { state: 'exited', exit };
      this.log.error(`Adopted proxy (pid ${pid}) is gone`);
      this.opts.onExit?.(exit);
    }, this.opts.checkIntervalMs ?? 5000);
  }

  private stopChecking(): void {
    if (this.checkTimer !== undefined) clearInterval(this.checkTimer);
    this.checkTimer = undefined;
  }
}

function signal(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

/** Whether `promise` settles within `ms`; the timer is cleared either way, so it never holds the process. */
function settlesWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    void promise.then(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

async function pollGone(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  let wait = 10;
  while (Date.now() < until) {
    if (!isAlive(pid)) return true;
    await sleep(wait);
    wait = Math.min(wait * 2, 200);
  }
  return !isAlive(pid);
}

export function describeExit(exit: ProxyExit): string {
  return exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code ?? 'unknown'}`;
}
