import type { ProgressEvent } from './server-manager.js';

/**
 * The progress events of one spawn, for any number of listeners: a late listener gets the history first, then
 * follows live until the ready or failed event (jupyterhub-facts 3.6).
 */
export class ProgressLog {
  private readonly events: ProgressEvent[] = [];
  private waiters: (() => void)[] = [];

  push(e: ProgressEvent): void {
    this.events.push(e);
    const w = this.waiters;
    this.waiters = [];
    for (const wake of w) wake();
  }

  failureMessage(): string | undefined {
    return this.events.find((e) => e.failed)?.message;
  }

  private finished(): boolean {
    const last = this.events[this.events.length - 1];
    return last?.ready === true || last?.failed === true;
  }

  async *readyOnly(): AsyncIterable<ProgressEvent> {
    const ready = this.events.find((e) => e.ready);
    if (ready) yield ready;
  }

  async *follow(): AsyncIterable<ProgressEvent> {
    let i = 0;
    for (;;) {
      while (i < this.events.length) {
        const e = this.events[i++];
        if (e) yield e;
      }
      if (this.finished()) return;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }
}
