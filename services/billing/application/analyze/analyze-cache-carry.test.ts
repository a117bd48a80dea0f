import { Granularity } from '../../../../gen/tally/billing/v1/cost';
import type { Store } from '../../../../lib/store/port';
import { seededRandom } from '../../../../test/support/seeded-random';
import type { CostRowInput } from '../ports';
import { ledgerStore, row, sync } from '../ledger/testing/ledger-fixtures';
import { analyze } from './analyze';
import { addAccount, addProject, admin, request } from './testing/analyze-fixtures';

/** The store seen through a new object: the rollup cache, kept per store object, starts empty for it. */
function view(store: Store, reads?: string[]): Store {
  return new Proxy(store, {
    get(target, key) {
      const value = Reflect.get(target, key, target) as unknown;
      if (key === 'collection' && reads) {
        return (name: string) => {
          const coll = target.collection(name);
          return new Proxy(coll, {
            get(c, k) {
              const v = Reflect.get(c, k, c) as unknown;
              if (k === 'find' && name.startsWith('cost_rollup_')) return (filter: Record<string, unknown>, ...rest: unknown[]) => (reads.push(JSON.stringify(filter.dk ?? filter.sk)), (v as (...a: unknown[]) => unknown).call(c, filter, ...rest));
              return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(c) : v;
            },
          });
        };
      }
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

function days(start: string, end: string, cost: string, tag: string): CostRowInput[] {
  const out: CostRowInput[] = [];
  for (let d = Date.parse(`${start}T00:00:00Z`); d <= Date.parse(`${end}T00:00:00Z`); d += 86_400_000) {
    const date = new Date(d).toISOString().slice(0, 10);
    out.push(row(date, cost, { product: 'P1', tags: { env: tag } }), row(date, cost, { product: 'P2', tags: { team: tag } }));
  }
  return out;
}

const D = Granularity.GRANULARITY_DAILY;
const M = Granularity.GRANULARITY_MONTHLY;
const p1 = [{ k: 'project_id', v: 'p-1', o: '' }];
const SHAPES = [
  request({ start: '2024-01-01', end: '2024-04-30', granularity: M, groupBy: ['project_id'] }),
  request({ start: '2024-01-01', end: '2024-04-30', granularity: M, groupBy: ['tags.env'] }),
  request({ start: '2024-01-01', end: '2024-04-30', granularity: M, groupBy: ['tags.team'], filter: p1 }),
  request({ start: '2024-02-01', end: '2024-03-31', granularity: D, groupBy: ['product'] }),
  request({ start: '2024-02-01', end: '2024-03-31', granularity: D, groupBy: ['service_account_id'], filter: p1 }),
  request({ start: '2023-12-01', end: '2024-04-30', granularity: Granularity.GRANULARITY_ACCUMULATED, groupBy: ['product'] }),
];

async function estate() {
  const { store, ledger } = await ledgerStore();
  for (const p of ['p-1', 'p-2']) await addProject(store, p);
  await addAccount(store, 'sa-1', [['p-1', '2023-01-01']]);
  await addAccount(store, 'sa-2', [['p-1', '2023-01-01']]);
  await addAccount(store, 'sa-3', [['p-2', '2023-01-01']]);
  // Ids with the bucket keys' separator in them.
  await addAccount(store, 'x|2024', [['p-2', '2023-01-01']]);
  return { store, ledger };
}

describe('analyze: a commit keeps the cached buckets it did not touch', () => {
  it('after a commit of one account in February, re-reads only February (that account and the domain), and answers as a cold cache does', async () => {
    const { store, ledger } = await estate();
    for (const sa of ['sa-1', 'sa-2', 'sa-3']) await sync(ledger, { serviceAccountId: sa, windows: [{ start: '2024-01-01', end: '2024-04-30' }], rows: days('2024-01-01', '2024-04-30', '1', sa) });
    const reads: string[] = [];
    const warm = view(store, reads);
    for (const q of SHAPES) await analyze({ store: warm }, admin(), q);
    reads.length = 0;
    for (const q of SHAPES) await analyze({ store: warm }, admin(), q);
    expect(reads).toEqual([]);

    await sync(ledger, { serviceAccountId: 'sa-2', windows: [{ start: '2024-02-01', end: '2024-02-29' }], rows: days('2024-02-01', '2024-02-29', '3', 'sa-2') });
    const answers = [];
    for (const q of SHAPES) answers.push(await analyze({ store: warm }, admin(), q));
    const cold = [];
    for (const q of SHAPES) cold.push(await analyze({ store: view(store) }, admin(), q));
    expect(answers).toEqual(cold);
    // February's buckets (day rollups: the month; month rollups: the year), of sa-2 or the domain: nothing else.
    const touched = reads.map((r) => JSON.parse(r) as string | { $in: string[] }).flatMap((k) => (typeof k === 'string' ? [k] : k.$in));
    expect(touched.length).toBeGreaterThan(0);
    for (const key of touched) expect(key).toMatch(/\|(2024-02|2024)$/);
    expect(touched.filter((k) => /\|sa-[13]\|/.test(k))).toEqual([]);
  });

  it('never carries a bucket across an epoch number that came back (a rolled-back commit, a restored backup)', async () => {
    const { store, ledger } = await estate();
    const q = SHAPES[3];
    await sync(ledger, { serviceAccountId: 'sa-1', windows: [{ start: '2024-01-01', end: '2024-04-30' }], rows: days('2024-01-01', '2024-04-30', '1', 'x') });
    const epochs = store.collection('cost_epochs');
    const before = await epochs.findOne({ _id: 'domain-1' });
    await sync(ledger, { serviceAccountId: 'sa-1', windows: [{ start: '2024-02-01', end: '2024-02-29' }], rows: days('2024-02-01', '2024-02-29', '3', 'x') });
    // Two caches of the ledger at epoch 2, February at 3 per row.
    const sameEpoch = view(store);
    const later = view(store);
    await analyze({ store: sameEpoch }, admin(), q);
    await analyze({ store: later }, admin(), q);
    // The February commit is undone (rollups back, then the epoch document as it was), and the
    // ledger moves on with other commits: the epoch numbers the caches saw come back.
    await sync(ledger, { serviceAccountId: 'sa-1', windows: [{ start: '2024-02-01', end: '2024-02-29' }], rows: days('2024-02-01', '2024-02-29', '1', 'x') });
    await epochs.replaceOne({ _id: 'domain-1' }, before!);
    await sync(ledger, { serviceAccountId: 'sa-2', windows: [{ start: '2024-03-01', end: '2024-03-31' }], rows: days('2024-03-01', '2024-03-31', '1', 'x') });
    // Epoch 2 again, of another change: not the cached one.
    expect(await analyze({ store: sameEpoch }, admin(), q)).toEqual(await analyze({ store: view(store) }, admin(), q));
    await sync(ledger, { serviceAccountId: 'sa-2', windows: [{ start: '2024-04-01', end: '2024-04-30' }], rows: days('2024-04-01', '2024-04-30', '1', 'x') });
    // Epoch 3, whose history is not the cache's epoch 2: nothing is carried over.
    expect(await analyze({ store: later }, admin(), q)).toEqual(await analyze({ store: view(store) }, admin(), q));
    expect((await analyze({ store: later }, admin(), q)).total).toBe(String(2 * 60 + 2 * 31));
  });

  it('notes only that a commit happened when it spans more buckets than the epoch document keeps per change', async () => {
    const { store, ledger } = await estate();
    await sync(ledger, { serviceAccountId: 'sa-1', windows: [{ start: '2000-01-01', end: '2024-04-30' }], rows: days('2024-01-01', '2024-01-02', '1', 'x') });
    const doc = await store.collection('cost_epochs').findOne({ _id: 'domain-1' });
    const last = (doc!.changes as { e: number; id?: string; buckets?: string[] }[]).at(-1)!;
    expect(last.e).toBe(doc!.epoch);
    expect(last.id).toEqual(expect.any(String));
    expect(last.buckets).toBeUndefined();
  });

  it('starts over after a removal', async () => {
    const { store, ledger } = await estate();
    for (const sa of ['sa-1', 'sa-3']) await sync(ledger, { serviceAccountId: sa, windows: [{ start: '2024-01-01', end: '2024-04-30' }], rows: days('2024-01-01', '2024-04-30', '2', sa) });
    const warm = view(store);
    for (const q of SHAPES) await analyze({ store: warm }, admin(), q);
    await ledger.removeAccount('domain-1', 'sa-3');
    for (const q of SHAPES) expect(await analyze({ store: warm }, admin(), q)).toEqual(await analyze({ store: view(store) }, admin(), q));
    expect((await analyze({ store: warm }, admin(), SHAPES[0])).total).toBe(String(2 * 2 * 121));
  });

  it.each([1, 2, 3, 4, 5, 6])('seed %i: random commits and removals between queries never show a stale bucket', async (seed) => {
    const random = seededRandom(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
    const { store, ledger } = await estate();
    const warm = view(store);
    const months = ['2023-12', '2024-01', '2024-02', '2024-03', '2024-04'];
    const end = (m: string) => new Date(Date.UTC(Number(m.slice(0, 4)), Number(m.slice(5)), 0)).toISOString().slice(0, 10);
    const live = ['sa-1', 'sa-2', 'sa-3', 'x|2024'];
    const sources = ['ds-1', 'ds|2'];
    const commit = async (windowOf: () => { start: string; end: string }) => {
      const w = windowOf();
      const tag = pick(['a', 'b', 'c|d']);
      await sync(ledger, { serviceAccountId: pick(live), dataSourceId: pick(sources), windows: [w], rows: days(w.start, w.end, String(1 + Math.floor(random() * 9)), tag) });
    };
    for (let step = 0; step < 16; step++) {
      const action = random();
      if (action < 0.75 || live.length === 1) {
        await commit(() => {
          const from = pick(months);
          const to = pick(months.filter((m) => m >= from));
          return { start: `${from}-${pick(['01', '10'])}`, end: `${to}-${pick(['15', end(to).slice(8)])}` };
        });
      } else if (action < 0.85) {
        // More commits than the epoch document keeps: the cache must start over.
        for (let i = 0; i < 66; i++) await commit(() => ({ start: '2024-03-05', end: '2024-03-05' }));
      } else if (action < 0.95 || sources.length === 1) {
        // A removed account's costs are gone for good: it gets no more commits.
        const gone = live.splice(Math.floor(random() * live.length), 1)[0];
        await ledger.removeAccount('domain-1', gone);
      } else {
        await ledger.removeDataSource('domain-1', sources.pop()!);
      }
      // A few queries on the warm cache, each checked against a cold one.
      for (let q = 0; q < 3; q++) {
        const shape = pick(SHAPES);
        expect(await analyze({ store: warm }, admin(), shape)).toEqual(await analyze({ store: view(store) }, admin(), shape));
      }
    }
  });
});
