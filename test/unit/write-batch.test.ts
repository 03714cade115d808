import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import knexFactory, { type Knex } from 'knex';
import { WriteBatcher, type BulkWrite } from '../../src/daemon/db/write-batch.js';

/** A real SQLite database in memory with knex's single connection, as the hub has it. */
describe('write-batch', () => {
  let db: Knex;
  const begins: string[] = [];

  before(async () => {
    db = knexFactory({ client: 'sqlite3', connection: { filename: ':memory:' }, useNullAsDefault: true, pool: { min: 1, max: 1 } });
    await db.raw('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE)');
    db.on('query', (q: { sql?: unknown }) => {
      if (typeof q.sql === 'string' && /^BEGIN/i.test(q.sql)) begins.push(q.sql);
    });
  });

  after(async () => {
    await db.destroy();
  });

  async function values(): Promise<string[]> {
    return (await db('t').select('v').orderBy('v')).map((r: { v: string }) => r.v);
  }

  it('commits the units queued in one turn of the event loop in one transaction', async () => {
    await db('t').delete();
    begins.length = 0;
    const w = new WriteBatcher(db);
    const ids = await Promise.all(['a', 'b', 'c'].map((v) => w.run(async (trx) => (await trx('t').insert({ v }, ['id']))[0])));
    assert.equal(ids.length, 3);
    assert.equal(begins.length, 1);
    assert.deepEqual(await values(), ['a', 'b', 'c']);
  });

  it('fails only the unit that failed: the batch is undone and the others are committed alone', async () => {
    await db('t').delete();
    await db('t').insert({ v: 'taken' });
    const w = new WriteBatcher(db);
    const results = await Promise.allSettled([
      w.run((trx) => trx('t').insert({ v: 'x' })),
      w.run((trx) => trx('t').insert({ v: 'taken' })),
      w.run((trx) => trx('t').insert({ v: 'y' })),
    ]);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
    assert.deepEqual(await values(), ['taken', 'x', 'y']);
  });

  it('hands a bulk kind all its inputs at once and each caller its own output', async () => {
    await db('t').delete();
    const calls: number[] = [];
    const insert: BulkWrite<string, number> = {
      run: async (trx, inputs) => {
        calls.push(inputs.length);
        const rows = (await trx('t').insert(inputs.map((v) => ({ v })), ['id', 'v'])) as { id: number; v: string }[];
        return inputs.map((v) => rows.find((r) => r.v === v)?.id ?? -1);
      },
    };
    const w = new WriteBatcher(db);
    const ids = await Promise.all(['p', 'q', 'r'].map((v) => w.bulk(insert, v)));
    assert.deepEqual(calls, [3]);
    const stored = (await db('t').select('id', 'v')) as { id: number; v: string }[];
    assert.deepEqual(ids, ['p', 'q', 'r'].map((v) => stored.find((r) => r.v === v)?.id));
  });

  it('retries a failed bulk write input by input, so one bad input fails alone', async () => {
    await db('t').delete();
    await db('t').insert({ v: 'dup' });
    const calls: number[] = [];
    const insert: BulkWrite<string, undefined> = {
      run: async (trx, inputs) => {
        calls.push(inputs.length);
        await trx('t').insert(inputs.map((v) => ({ v })));
        return inputs.map(() => undefined);
      },
    };
    const w = new WriteBatcher(db);
    const results = await Promise.allSettled(['m', 'dup', 'n'].map((v) => w.bulk(insert, v)));
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
    assert.deepEqual(calls, [3, 1, 1, 1]);
    assert.deepEqual(await values(), ['dup', 'm', 'n']);
  });
});
