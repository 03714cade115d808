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
 *
 * Bulk writes go further: writes of one kind from many callers (a storm's spawns) are handed to their kind's
 * `run` together, which writes them with a few multi-row statements instead of a few statements each. Under
 * load every statement costs a round trip through the event loop and the database thread, so statements per
 * batch, not per caller, is what keeps the queue short.
 */
import type { Knex } from 'knex';

export type WriteUnit<T> = (trx: Knex.Transaction) => Promise<T>;

/**
 * One kind of bulk write: `run` gets every queued input of the batch (at least one) and returns one output per
 * input, in the same order. Identity matters: inputs are grouped by the kind object, so make each kind once.
 */
export interface BulkWrite<I, O> {
  run(trx: Knex.Transaction, inputs: readonly I[]): Promise<O[]>;
}

interface Settle {
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

type AnyBulk = BulkWrite<unknown, unknown>;
type Unit = Settle & { work: WriteUnit<unknown> };
type BulkInput = Settle & { kind: AnyBulk; input: unknown };
type Queued = Unit | BulkInput;
type Group = { unit: Unit } | { kind: AnyBulk; inputs: BulkInput[] };

/** Enough to make the commit's cost vanish per write, few enough that a batch holds the connection briefly. */
const MAX_UNITS = 128;

export class WriteBatcher {
  private readonly db: Knex;
  private queue: Queued[] = [];
  private draining = false;

  constructor(db: Knex) {
    this.db = db;
  }

  run<T>(work: WriteUnit<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => this.enqueue({ work, resolve: resolve as (value: unknown) => void, reject }));
  }

  bulk<I, O>(kind: BulkWrite<I, O>, input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.enqueue({ kind: kind as AnyBulk, input, resolve: resolve as (value: unknown) => void, reject });
    });
  }

  private enqueue(q: Queued): void {
    this.queue.push(q);
    if (this.draining) return;
    this.draining = true;
    // Not at once: writes queued by the rest of this turn of the event loop join the first batch.
    setImmediate(() => void this.drain());
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) await this.commit(this.queue.splice(0, MAX_UNITS));
    } finally {
      this.draining = false;
    }
  }

  private async commit(units: Queued[]): Promise<void> {
    const results = new Map<Queued, unknown>();
    try {
      await this.db.transaction(async (trx) => {
        for (const g of groups(units)) {
          if ('unit' in g) {
            results.set(g.unit, await g.unit.work(trx));
            continue;
          }
          const out = await g.kind.run(trx, g.inputs.map((q) => q.input));
          if (out.length !== g.inputs.length) throw new Error(`a bulk write returned ${out.length} results for ${g.inputs.length} inputs`);
          g.inputs.forEach((q, i) => results.set(q, out[i]));
        }
      });
    } catch (err) {
      const only = units.length === 1 ? units[0] : undefined;
      if (only) only.reject(err);
      // Undone together; now each alone, so one bad unit fails only its own caller.
      else for (const u of units) await this.commit([u]);
      return;
    }
    for (const u of units) u.resolve(results.get(u));
  }
}

/** Units alone, bulk inputs together by kind, in the order each first arrived. */
function groups(queued: Queued[]): Group[] {
  const out: Group[] = [];
  const byKind = new Map<AnyBulk, BulkInput[]>();
  for (const q of queued) {
    if ('work' in q) {
      out.push({ unit: q });
      continue;
    }
    let inputs = byKind.get(q.kind);
    if (!inputs) {
      inputs = [];
      byKind.set(q.kind, inputs);
      out.push({ kind: q.kind, inputs });
    }
    inputs.push(q);
  }
  return out;
}
