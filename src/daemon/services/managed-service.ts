/**
 * One managed service's process: started in its own session (a hub signal is not forwarded to it), output
 * relayed to the hub's log line by line, restarted when it exits unexpectedly (JupyterHub restarts at its next
 * poll; hub backs off from 1 s to 60 s so a service that crashes at once does not spin), and stopped with
 * LocalProcessSpawner's SIGINT -> SIGTERM -> SIGKILL sequence and JupyterHub's default waits (10, 5, 5 s).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Logger } from '../../lib/log.js';
import { HubError } from '../../lib/errors.js';
import { killSequence } from '../spawner/kill-sequence.js';

export interface ManagedServiceOptions {
  name: string;
  argv: string[];
  cwd: string | undefined;
  env: Record<string, string>;
  log: Logger;
  /** The running pid, or null once stopped: the services row shows it (GET /services pid). */
  onPid: (pid: number | null) => void;
}

export const STOP_TIMEOUTS = { interrupt: 10, term: 5, kill: 5 };
const FIRST_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 60_000;
/** A run this long counts as healthy: the next crash starts the backoff from the beginning again. */
const HEALTHY_RUN_MS = 60_000;

type State = { state: 'stopped' } | { state: 'running'; child: ChildProcess; since: number } | { state: 'waiting'; timer: NodeJS.Timeout };

export class ManagedService {
  private s: State = { state: 'stopped' };
  private stopping = false;
  private backoffMs = FIRST_BACKOFF_MS;
  restarts = 0;

  constructor(private readonly o: ManagedServiceOptions) {}

  get pid(): number | null {
    return this.s.state === 'running' ? (this.s.child.pid ?? null) : null;
  }

  async start(): Promise<number> {
    this.stopping = false;
    const [cmd = '', ...args] = this.o.argv;
    const child = spawn(cmd, args, { cwd: this.o.cwd, env: this.o.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('error', (err) => reject(new HubError('DAEMON_START_FAILED', `cannot start service ${this.o.name} (${this.o.argv.join(' ')}): ${err.message}`, {
        hint: `Check JupyterHub.services command of ${this.o.name}: the program must exist and be executable by the service's user.`,
      })));
      child.once('spawn', () => resolve(child.pid ?? -1));
    });
    for (const stream of [child.stdout, child.stderr]) {
      if (stream) createInterface({ input: stream }).on('line', (line) => this.o.log.info(`[${this.o.name}] ${line}`));
    }
    this.s = { state: 'running', child, since: Date.now() };
    child.once('exit', (code, signal) => this.exited(child, code, signal));
    this.o.onPid(pid);
    this.o.log.info(`Started service ${this.o.name} as pid ${pid}: ${this.o.argv.join(' ')}`);
    return pid;
  }

  /** Stops the process and any pending restart; resolves when it is gone. */
  async stop(): Promise<void> {
    this.stopping = true;
    const s = this.s;
    if (s.state === 'waiting') clearTimeout(s.timer);
    if (s.state === 'running' && s.child.pid !== undefined) {
      const child = s.child;
      const gone = (): boolean => child.exitCode !== null || child.signalCode !== null;
      await killSequence(child.pid ?? -1, STOP_TIMEOUTS, false, gone);
    }
    this.s = { state: 'stopped' };
    this.o.onPid(null);
  }

  private exited(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.s.state !== 'running' || this.s.child !== child) return;
    const ranMs = Date.now() - this.s.since;
    this.s = { state: 'stopped' };
    this.o.onPid(null);
    if (this.stopping) return;
    if (ranMs >= HEALTHY_RUN_MS) this.backoffMs = FIRST_BACKOFF_MS;
    const status = signal ? `signal ${signal}` : `status ${code ?? 0}`;
    this.o.log.error(`Service ${this.o.name} exited with ${status}; restarting it in ${(this.backoffMs / 1000).toFixed(0)} s`);
    const timer = setTimeout(() => void this.restart(), this.backoffMs);
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
    this.s = { state: 'waiting', timer };
  }

  private async restart(): Promise<void> {
    if (this.stopping) return;
    this.restarts++;
    try {
      await this.start();
    } catch (err) {
      this.o.log.error(err instanceof Error ? err.message : String(err));
      const timer = setTimeout(() => void this.restart(), this.backoffMs);
      this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
      this.s = { state: 'waiting', timer };
    }
  }
}
