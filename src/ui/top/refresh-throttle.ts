/**
 * The server list is re-read on each pressure event, but at most once per interval and never twice at once:
 * a spawn storm pushes 4 events a second, and listing 5,000 servers on each would load the hub it watches.
 * The interval grows with the time a listing takes (twice its duration), so a big hub is asked less often.
 */
export class RefreshThrottle {
  private inFlight = false;
  private dirty = false;
  private timer: NodeJS.Timeout | undefined;
  private lastStart = -Infinity;
  private lastDuration = 0;
  private stopped = false;

  constructor(
    private readonly task: () => Promise<void>,
    private readonly minIntervalMs = 1000,
    private readonly now: () => number = Date.now,
  ) {}

  private interval(): number {
    return Math.max(this.minIntervalMs, 2 * this.lastDuration);
  }

  /** Asks for a refresh; it happens now, or once the current one ends and the interval has passed. */
  request(): void {
    if (this.stopped) return;
    if (this.inFlight) {
      this.dirty = true;
      return;
    }
    const wait = this.lastStart + this.interval() - this.now();
    if (wait > 0) {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.request();
      }, wait);
      return;
    }
    void this.run();
  }

  private async run(): Promise<void> {
    this.inFlight = true;
    this.lastStart = this.now();
    try {
      await this.task();
    } catch {
      // The task shows its own errors on screen; the next pressure event asks again.
    } finally {
      this.lastDuration = this.now() - this.lastStart;
      this.inFlight = false;
      if (this.dirty) {
        this.dirty = false;
        this.request();
      }
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }
}
