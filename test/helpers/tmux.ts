import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

/**
 * A real terminal for dashboard tests: a private tmux server (-L, no user config) with one fixed-size window
 * running a command; the screen is read with capture-pane and keys are typed with send-keys. When the command
 * exits, a shell around it prints `[exit N]` and keeps the pane open, so the last screen and the exit status
 * can be read (tmux's remain-on-exit blanks the screen of a dead pane).
 */
const WRAPPER = '"$@"; echo "[exit $?]"; exec sleep 3600';
const run = promisify(execFile);

export class Tmux {
  private constructor(
    readonly socket: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  private async tmux(...args: string[]): Promise<string> {
    const { stdout } = await run('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], { env: this.env });
    return stdout;
  }

  /** Starts `command` (one shell word list) in a new tmux server of its own, in a width x height window. */
  static async start(command: string[], opts: { cwd: string; width: number; height: number; env: NodeJS.ProcessEnv }): Promise<Tmux> {
    const socket = `hub-test-${process.pid}-${Date.now().toString(36)}`;
    const t = new Tmux(socket, opts.env);
    await t.tmux('new-session', '-d', '-x', String(opts.width), '-y', String(opts.height), '-c', opts.cwd, 'sh', '-c', WRAPPER, 'sh', ...command);
    return t;
  }

  /** The visible screen as text, trailing blank lines dropped; with `ansi`, colours and attributes as escapes. */
  async capture(opts: { ansi?: boolean } = {}): Promise<string> {
    return (await this.tmux('capture-pane', '-p', ...(opts.ansi ? ['-e'] : []))).replace(/\n+$/, '');
  }

  async sendKeys(...keys: string[]): Promise<void> {
    await this.tmux('send-keys', ...keys);
  }

  async resize(width: number, height: number): Promise<void> {
    await this.tmux('resize-window', '-x', String(width), '-y', String(height));
  }

  /** null while the command runs, its exit status once it has exited. */
  async exitStatus(): Promise<number | null> {
    const m = /^\[exit (\d+)\]$/m.exec(await this.capture());
    return m ? Number(m[1]) : null;
  }

  /** Waits for the command to exit; its exit status. */
  async exited(timeoutMs = 20_000): Promise<number> {
    const screen = await this.waitFor((s) => /^\[exit \d+\]$/m.test(s), 'the command to exit', timeoutMs);
    return Number(/^\[exit (\d+)\]$/m.exec(screen)?.[1]);
  }

  /**
   * Polls the screen until `check` holds on two identical captures in a row (a frame caught half drawn is not
   * taken for the next one); no fixed sleeps. Fails with the last screen after `timeoutMs`.
   */
  async waitFor(check: (screen: string) => boolean, what: string, timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let previous = '';
    for (;;) {
      const screen = await this.capture();
      if (screen === previous && check(screen)) return screen;
      previous = screen;
      if (Date.now() > deadline) throw new Error(`tmux: timed out waiting for ${what}; the screen:\n${screen}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async kill(): Promise<void> {
    // The server is gone already if its last pane was closed: nothing left to kill is fine.
    await this.tmux('kill-server').catch(() => undefined);
  }
}
