/**
 * Group commit: units of writes that arrive together run in one transaction, so a storm of spawns pays one
 * commit (one fsync of SQLite's WAL, one round trip of PostgreSQL's COMMIT) per batch instead of several per
 * spawn. Measured with SQLite on this project's VM: an autocommitted write costs ~0.3 ms of fsync alone, and a
 * spawn used to commit 7 times, which capped a 1,000-user storm below ~400 spawns/s before any other work.
 *
 * Invariants:
 * - A unit's promise settles only after its transaction committed (or failed): a caller that goes on to start a
 *   process or answer a client does so on durable rows, as without batching.
 * - A unit is all-or-nothing and fails alone: if any unit of a batch throws (or the commit fails), the batch is
 *   rolled back and each unit is run again in a transaction of its own. A unit may therefore run twice; it must
 *   touch nothing but the transaction it is given (no outside side effects, no query on the knex instance,
 *   which with SQLite's single pooled connection would wait forever for the connection the batch holds).
 * - Batches are bounded, so queries outside the batcher wait at most one batch for the connection.
 */
import type { Knex } from 'knex';

export type WriteUnit<T> = (trx: Knex.Transaction) => Promise<T>;

interface Queued {
  work: WriteUnit<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/** Enough to make the commit's cost vanish per unit, few enough that a batch holds the connection ~10 ms. */
const MAX_UNITS = 64;

export class WriteBatcher {
  private readonly db: Knex;
  private queue: Queued[] = [];
  private draining = false;

  constructor(db: Knex) {
    this.db = db;
  }

  run<T>(work: WriteUnit<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (this.draining) return;
      this.draining = true;
      // Not at once: units queued by the rest of this turn of the event loop join the first batch.
      setImmediate(() => void this.drain());
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) await this.commit(this.queue.splice(0, MAX_UNITS));
    } finally {
      this.draining = false;
    }
  }

  private async commit(units: Queued[]): Promise<void> {
    const results: unknown[] = [];
    try {
      await this.db.transaction(async (trx) => {
        for (const u of units) results.push(await u.work(trx));
      });
    } catch (err) {
      const only = units.length === 1 ? units[0] : undefined;
      if (only) only.reject(err);
      // Undone together; now each alone, so one bad unit fails only its own caller.
      else for (const u of units) await this.commit([u]);
      return;
    }
    units.forEach((u, i) => u.resolve(results[i]));
  }
}
