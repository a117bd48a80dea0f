import { Granularity } from '../../../../gen/tally/billing/v1/cost';
import type { Collection, Doc, Store } from '../../../../lib/store/port';
import type { CostRowInput } from '../ports';
import { ledgerStore, row, sync } from '../ledger/testing/ledger-fixtures';
import { analyze } from './analyze';
import { listCosts } from './list-costs';
import { admin, request } from './testing/analyze-fixtures';

const tick = () => new Promise((resolve) => setImmediate(resolve));

function days(start: string, end: string, cost: string, perDay: number): CostRowInput[] {
  const out: CostRowInput[] = [];
  for (let d = Date.parse(`${start}T00:00:00Z`); d <= Date.parse(`${end}T00:00:00Z`); d += 86_400_000) {
    for (let i = 0; i < perDay; i++) out.push(row(new Date(d).toISOString().slice(0, 10), cost, { product: `P${i % 7}`, tags: { env: i % 2 ? 'prod' : 'dev' } }));
  }
  return out;
}

/** The store, with a hook run (once) right after the first read (find or group) of a rollup collection. */
function storeWithHook(store: Store, hook: () => Promise<void>): Store {
  let armed = true;
  const fire = async () => {
    if (!armed) return;
    armed = false;
    await hook();
  };
  return {
    ...store,
    transaction: (fn) => store.transaction(fn),
    ensureIndexes: (c, i) => store.ensureIndexes(c, i),
    ping: () => store.ping(),
    close: () => store.close(),
    collection<T extends Doc>(name: string): Collection<T> {
      const real = store.collection<T>(name);
      if (!name.startsWith('cost_rollup_')) return real;
      return {
        insertOne: (d) => real.insertOne(d),
        insertMany: (d) => real.insertMany(d),
        findOne: (f) => real.findOne(f),
        find: async (f, o) => {
          const out = await real.find(f, o);
          await fire();
          return out;
        },
        count: (f) => real.count(f),
        updateOne: (f, u) => real.updateOne(f, u),
        replaceOne: (f, d) => real.replaceOne(f, d),
        deleteOne: (f) => real.deleteOne(f),
        deleteMany: (f) => real.deleteMany(f),
        group: async (f, spec) => {
          const out = await real.group(f, spec);
          await fire();
          return out;
        },
      };
    },
  };
}

describe('analyze: readers during a re-sync', () => {
  it('reads again when a commit lands between two reads of one answer', async () => {
    const { store, ledger } = await ledgerStore();
    await sync(ledger, { serviceAccountId: 'sa-1', windows: [{ start: '2024-01-01', end: '2024-03-31' }], rows: days('2024-01-01', '2024-03-31', '1', 1) });
    const writer = await ledger.begin({ domainId: 'domain-1', dataSourceId: 'ds-1', serviceAccountId: 'sa-1', jobId: 'j', windows: [{ start: '2024-01-01', end: '2024-03-31' }] });
    await writer.write(days('2024-01-01', '2024-03-31', '2', 1));
    // Jan 15..31 is read at the day grain first, then Feb..Mar at the month grain: the commit lands in between.
    const hooked = storeWithHook(store, async () => {
      await writer.commit();
    });
    const res = await analyze({ store: hooked }, admin(), request({ start: '2024-01-15', end: '2024-03-31' }));
    expect(res.total).toBe(String(77 * 2));
  });

  it('only ever see the old or the new total, never a mix or a gap', async () => {
    const { store, ledger } = await ledgerStore();
    await sync(ledger, { serviceAccountId: 'sa-1', windows: [{ start: '2024-01-01', end: '2024-03-31' }], rows: days('2024-01-01', '2024-03-31', '1', 20) });
    await sync(ledger, { serviceAccountId: 'sa-2', windows: [{ start: '2024-01-01', end: '2024-03-31' }], rows: days('2024-01-01', '2024-03-31', '0.5', 3) });
    // Partial first and last months: both grains are read, so a commit between reads would show.
    const range = { start: '2024-01-15', end: '2024-04-20' };
    const totals = async () => [
      (await analyze({ store }, admin(), request({ ...range }))).total,
      (await analyze({ store }, admin(), request({ ...range, granularity: Granularity.GRANULARITY_DAILY, groupBy: ['product'] }))).total,
      (await analyze({ store }, admin(), request({ ...range, groupBy: ['tags.env'] }))).total,
    ];
    const before = await totals();
    expect(before).toEqual(Array(3).fill(String(77 * 20 + 77 * 1.5)));

    const seen: string[][] = [];
    let writing = true;
    const poller = (async () => {
      while (writing) {
        seen.push(await totals());
        await tick(); // the store answers in microtasks: let the writer run too
      }
      seen.push(await totals());
    })();
    const writer = await ledger.begin({ domainId: 'domain-1', dataSourceId: 'ds-1', serviceAccountId: 'sa-1', jobId: 'j', windows: [{ start: '2024-02-10', end: '2024-04-10' }] });
    const rows = days('2024-02-10', '2024-04-10', '2', 20);
    for (let i = 0; i < rows.length; i += 100) {
      await writer.write(rows.slice(i, i + 100));
      await tick();
    }
    await writer.commit();
    writing = false;
    await poller;

    const after = await totals();
    // sa-1: Jan 15..Feb 9 (26 days) at 20, Feb 10..Apr 10 (61 days) at 40; sa-2 unchanged.
    expect(after).toEqual(Array(3).fill(String(26 * 20 + 61 * 40 + 77 * 1.5)));
    expect(seen.length).toBeGreaterThan(3);
    for (const s of seen) expect([before, after]).toContainEqual(s);
    expect(seen).toContainEqual(before);
    expect(seen[seen.length - 1]).toEqual(after);
  });

  it('List sees the old rows or the new ones, never both', async () => {
    const { store, ledger } = await ledgerStore();
    await sync(ledger, { serviceAccountId: 'sa-1', windows: [{ start: '2024-01-01', end: '2024-01-31' }], rows: days('2024-01-01', '2024-01-31', '1', 5) });
    const counts = new Set<number>();
    let writing = true;
    const poller = (async () => {
      for (; writing; await tick()) counts.add((await listCosts({ store }, admin(), { query: { filter: [], filterOr: [], sort: [], only: [], keyword: '', page: { start: 1, limit: 1 } } })).totalCount);
    })();
    const writer = await ledger.begin({ domainId: 'domain-1', dataSourceId: 'ds-1', serviceAccountId: 'sa-1', jobId: 'j', windows: [{ start: '2024-01-01', end: '2024-01-31' }] });
    const rows = days('2024-01-01', '2024-01-31', '1', 3);
    for (let i = 0; i < rows.length; i += 10) {
      await writer.write(rows.slice(i, i + 10));
      await tick();
    }
    await writer.commit();
    writing = false;
    await poller;
    counts.add((await listCosts({ store }, admin(), { query: undefined })).totalCount);
    expect([...counts].every((n) => n === 155 || n === 93)).toBe(true);
    expect(counts.has(93)).toBe(true);
  });
});
