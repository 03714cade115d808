import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { isFromLauncher, type FromLauncher, type LaunchRequest } from './launcher-protocol.js';

/**
 * Starts server processes through small launcher processes (launcher-process.ts) instead of the hub itself.
 *
 * Why: Node's spawn is fork+exec, and it blocks the calling thread until the child has exec'd (libuv reports a
 * failed exec synchronously): ~2 ms per server on a busy 2-core machine, during which the hub served nothing.
 * fork also copies the page tables of the whole hub (~170 MB resident in a storm). Spawning from a worker thread
 * freed the event loop but cost more CPU, since the hub then kept writing to its heap while each child was
 * still a copy-on-write twin, and every such write copied a page. A launcher is ~40 MB, does nothing else, so
 * forking it is cheap and blocks nobody.
 *
 * One pool per hub process, shared by every spawner in it (tests run several hubs in one process), started on
 * first use. Launchers exit when the hub does; servers are detached and outlive both. A launcher holds the hub's
 * event loop open only while a start is pending: servers' exits are reported if the hub is still there, but a
 * hub with nothing else to do must be able to end.
 */

/** Spawning is mostly waiting for the child's exec: two launchers overlap those waits. */
const LAUNCHERS = 2;
const SCRIPT = fileURLToPath(new URL('./launcher-process.js', import.meta.url));

interface Waiting {
  resolve: (pid: number) => void;
  reject: (err: Error) => void;
  onExit: (code: number, pid: number) => void;
  proc: ChildProcess;
}

class Launcher {
  private readonly procs: (ChildProcess | undefined)[] = [];
  private next = 0;
  private seq = 0;
  private readonly waiting = new Map<number, Waiting>();
  private readonly exits = new Map<number, (code: number, pid: number) => void>();

  /** Resolves with the pid once the process exec'd; `onExit` gets its exit code (minus the signal's number if killed by one, as Popen's returncode). */
  launch(req: LaunchRequest, onExit: (code: number, pid: number) => void): Promise<number> {
    const proc = this.proc();
    const id = ++this.seq;
    return new Promise<number>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject, onExit, proc });
      this.holdLoop();
      // A launcher gone between proc() and here: its 'exit' handler may not have run yet.
      const unsent = (err: Error): void => {
        if (!this.waiting.delete(id)) return;
        this.holdLoop();
        reject(new Error(`the launcher process did not take the request: ${err.message}`));
      };
      try {
        proc.send({ ...req, id }, (err: Error | null) => {
          if (err) unsent(err);
        });
      } catch (err) {
        unsent(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }

  private holdLoop(): void {
    const hold = this.waiting.size > 0;
    for (const p of this.procs) {
      if (hold) p?.channel?.ref();
      else p?.channel?.unref();
    }
  }

  private proc(): ChildProcess {
    const i = this.next++ % LAUNCHERS;
    const existing = this.procs[i];
    if (existing) return existing;
    // No --cpu-prof and the like from the hub's own command line: execArgv stays empty.
    const w = fork(SCRIPT, [], { execArgv: [], stdio: ['ignore', 'ignore', 'inherit', 'ipc'], serialization: 'json' });
    w.unref();
    w.channel?.unref();
    w.on('message', (m: unknown) => {
      if (isFromLauncher(m)) this.receive(m);
    });
    // A launcher that dies fails what it was asked to start; the next launch starts a new one.
    const lost = (why: string): void => {
      if (this.procs[i] === w) this.procs[i] = undefined;
      for (const [id, x] of this.waiting) {
        if (x.proc !== w) continue;
        this.waiting.delete(id);
        x.reject(new Error(`the launcher process ${why}`));
      }
      this.holdLoop();
    };
    w.on('error', (err) => lost(`failed: ${err.message}`));
    w.on('exit', (code) => lost(`exited with ${code}`));
    this.procs[i] = w;
    return w;
  }

  private receive(m: FromLauncher): void {
    switch (m.kind) {
      case 'spawned': {
        const x = this.waiting.get(m.id);
        if (!x) return;
        this.waiting.delete(m.id);
        this.holdLoop();
        // Registered before the pid is handed out: the exit message always comes after this one.
        this.exits.set(m.pid, x.onExit);
        x.resolve(m.pid);
        return;
      }
      case 'failed': {
        const x = this.waiting.get(m.id);
        if (!x) return;
        this.waiting.delete(m.id);
        this.holdLoop();
        x.reject(new Error(m.message));
        return;
      }
      case 'exit': {
        const onExit = this.exits.get(m.pid);
        this.exits.delete(m.pid);
        onExit?.(m.code, m.pid);
        return;
      }
    }
  }
}

export const launcher = new Launcher();
