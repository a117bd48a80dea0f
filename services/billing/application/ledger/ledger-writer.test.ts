import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createMemoryLogger } from '../../../../lib/log/logger';
import { createEmbeddedStore } from '../../../../lib/store/embedded';
import type { Store } from '../../../../lib/store/port';
import type { CostRowInput } from '../ports';
import { createLedger } from './create-ledger';
import { ensureLedgerIndexes, LEDGER_COLLECTIONS, type ChunkDoc, type StoredRow } from './ledger-collections';
import { allTotals, ledgerStore, rawTotal, row } from './testing/ledger-fixtures';
import { chunkRows } from './visible-rows';

const may = { start: '2024-05-01', end: '2024-05-31' };
const target = { domainId: 'domain-1', dataSourceId: 'ds-1', serviceAccountId: 'sa-1', jobId: 'job-1', windows: [may] };
const day = (d: number) => `2024-05-${String(d).padStart(2, '0')}`;
const rowsOn = (d: number, n: number, cost = '1'): CostRowInput[] => Array.from({ length: n }, (_, i) => row(day(d), cost, { resource_id: `r-${d}-${i}` }));

/** Stored chunks (visible or not): date -> rows per chunk. */
async function storedChunks(store: Store): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const c of await store.collection<ChunkDoc>(LEDGER_COLLECTIONS.chunks).find({}, { sort: [{ field: '_id', direction: 1 }] })) {
    expect(chunkRows(c)).toHaveLength(c.n);
    (out[c.date] ??= []).push(c.n);
  }
  return out;
}

describe('ledger writer: buffering', () => {
  it('stores a date once a write adds nothing to it: one chunk a date for a stream in date order', async () => {
    const { store, ledger } = await ledgerStore();
    const writer = await ledger.begin(target);
    await writer.write([...rowsOn(1, 3), ...rowsOn(2, 2)]);
    expect(await storedChunks(store)).toEqual({});
    await writer.write([...rowsOn(2, 2), ...rowsOn(3, 1)]);
    expect(await storedChunks(store)).toEqual({ [day(1)]: [3] });
    await writer.write(rowsOn(4, 2));
    expect(await storedChunks(store)).toEqual({ [day(1)]: [3], [day(2)]: [4], [day(3)]: [1] });
    // Nothing is visible before commit; everything is after, each row once.
    expect(await rawTotal(store)).toEqual({ total: '0', rows: 0 });
    await writer.commit();
    expect(await storedChunks(store)).toEqual({ [day(1)]: [3], [day(2)]: [4], [day(3)]: [1], [day(4)]: [2] });
    expect(await rawTotal(store)).toEqual({ total: '10', rows: 10 });
  });

  it('keeps each row whole through storing: every field, tags and additional info in their order', async () => {
    const { store, ledger } = await ledgerStore();
    const writer = await ledger.begin(target);
    const first = row(day(1), '-0.000000000000000001', {
      product: 'Amazon "S3"',
      region: 'eu\\west',
      resource_id: 'arn:aws:s3:::b\u2028x',
      usage_quantity: '12.5',
      usage_unit: 'GB-Mo',
      currency: 'EUR',
      tags: { z: '1', a: 'ü', '10': 'n' },
      additional_info: { note: 'line\nbreak' },
    });
    await writer.write([first]);
    await writer.write(rowsOn(2, 1));
    await writer.commit();
    const [chunk] = await store.collection<ChunkDoc>(LEDGER_COLLECTIONS.chunks).find({ date: day(1) });
    expect(chunkRows(chunk)).toEqual([
      ['aws', 'Amazon "S3"', 'eu\\west', 'BoxUsage', 'arn:aws:s3:::b\u2028x', '12.5', 'GB-Mo', '-0.000000000000000001', 'EUR', ['10', 'n', 'z', '1', 'a', 'ü'], ['note', 'line\nbreak']],
    ]);
  });

  it('reads the same rows back from a data folder after the store is closed and opened again', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tally-ledger-'));
    try {
      const open = async () => {
        const store = await createEmbeddedStore({ dataDir: dir });
        await ensureLedgerIndexes(store);
        return store;
      };
      const store = await open();
      const writer = await createLedger(store, createMemoryLogger('ledger-test').logger).begin(target);
      await writer.write([...rowsOn(1, 3, '0.1'), row(day(2), '-0.000000000000000001', { tags: { 'a"b': 'x\\y' }, additional_info: { k: 'v' } })]);
      await writer.write(rowsOn(3, 2, '7'));
      await writer.commit();
      const before = { chunks: await storedChunks(store), totals: await allTotals(store), raw: await rawTotal(store) };
      await store.close();
      const reopened = await open();
      expect({ chunks: await storedChunks(reopened), totals: await allTotals(reopened), raw: await rawTotal(reopened) }).toEqual(before);
      expect(before.raw).toEqual({ total: '14.299999999999999999', rows: 6 });
      await reopened.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads chunks written before the compact layout (JSON of StoredRow[])', () => {
    const old: StoredRow[] = [['aws', 'EC2', 'us-east-1', 'BoxUsage', '', '1', 'Hrs', '0.5', 'USD', ['env', 'prod'], []]];
    const chunk: ChunkDoc = { _id: 'gen-old:2024-05-01:0', domain_id: 'd', data_source_id: 'ds', service_account_id: 'sa', gen: 'gen-old', date: day(1), n: 1, rows: JSON.stringify(old) };
    expect(chunkRows(chunk)).toEqual(old);
  });

  it('splits a date into chunks of chunkRows rows', async () => {
    const { store, ledger } = await ledgerStore({ chunkRows: 4 });
    const writer = await ledger.begin(target);
    await writer.write(rowsOn(1, 6));
    await writer.write(rowsOn(1, 5));
    await writer.commit();
    expect(await storedChunks(store)).toEqual({ [day(1)]: [4, 4, 3] });
    expect(await allTotals(store)).toEqual(Array(6).fill('11'));
  });

  it('holds at most 16 dates: rows that come across many dates at once are stored after each write', async () => {
    const { store, ledger } = await ledgerStore();
    const writer = await ledger.begin(target);
    const interleaved = (cost: string) => Array.from({ length: 20 }, (_, i) => row(day(i + 1), cost));
    await writer.write(interleaved('1'));
    expect(Object.keys(await storedChunks(store))).toHaveLength(20);
    await writer.write(interleaved('2'));
    expect(Object.values(await storedChunks(store)).flat()).toHaveLength(40);
    await writer.commit();
    expect(await allTotals(store)).toEqual(Array(6).fill('60'));
  });

  it('fails the generation, and keeps the old data, when storing rows fails', async () => {
    const { store, ledger } = await ledgerStore();
    const old = await ledger.begin(target);
    await old.write(rowsOn(1, 2, '5'));
    await old.commit();
    const writer = await ledger.begin(target);
    await writer.write(rowsOn(1, 2));
    // Another document already holds the id of the chunk the next write stores: its insert fails.
    const gen = await writingGen(store);
    await store.collection<ChunkDoc>(LEDGER_COLLECTIONS.chunks).insertOne({ _id: `${gen}:${day(1)}:0`, domain_id: 'x', data_source_id: 'x', service_account_id: 'x', gen: 'x', date: day(1), n: 0, rows: '[]' });
    await expect(writer.write(rowsOn(2, 1))).rejects.toMatchObject({ name: 'DuplicateKeyError' });
    await expect(writer.commit()).rejects.toMatchObject({ reason: 'LEDGER.WRITER_CLOSED' });
    expect(await rawTotal(store)).toEqual({ total: '10', rows: 2 });
  });
});

async function writingGen(store: Store): Promise<string> {
  const gens = await store.collection(LEDGER_COLLECTIONS.generations).find({ state: 'WRITING' });
  expect(gens).toHaveLength(1);
  return gens[0]._id;
}
