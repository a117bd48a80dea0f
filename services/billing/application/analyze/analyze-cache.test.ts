import { Granularity } from '../../../../gen/tally/billing/v1/cost';
import type { CostRowInput } from '../ports';
import { ledgerStore, row, sync } from '../ledger/testing/ledger-fixtures';
import { analyze } from './analyze';
import { admin, request } from './testing/analyze-fixtures';

function days(start: string, end: string, cost: string, perDay: number, tag = 'dev'): CostRowInput[] {
  const out: CostRowInput[] = [];
  for (let d = Date.parse(`${start}T00:00:00Z`); d <= Date.parse(`${end}T00:00:00Z`); d += 86_400_000) {
    for (let i = 0; i < perDay; i++) out.push(row(new Date(d).toISOString().slice(0, 10), cost, { product: `P${i % 3}`, tags: { env: tag } }));
  }
  return out;
}

/** Analyze caches rollup reads per domain and ledger epoch: a warm cache must never hide a change. */
describe('analyze: the rollup cache follows every commit and removal', () => {
  const queries = [
    request({ start: '2024-01-01', end: '2024-03-31', granularity: Granularity.GRANULARITY_MONTHLY }),
    request({ start: '2024-01-01', end: '2024-03-31', groupBy: ['tags.env'] }),
    request({ start: '2024-02-01', end: '2024-02-29', granularity: Granularity.GRANULARITY_DAILY, groupBy: ['product'] }),
  ];
  const totals = async (store: Parameters<typeof analyze>[0]['store'], domainId = 'domain-1') =>
    Promise.all(queries.map(async (q) => (await analyze({ store }, admin(domainId), q)).total));

  it('shows a commit, a replaced window and a removal on the very next query', async () => {
    const { store, ledger } = await ledgerStore();
    await sync(ledger, { serviceAccountId: 'sa-1', windows: [{ start: '2024-01-01', end: '2024-03-31' }], rows: days('2024-01-01', '2024-03-31', '1', 3) });
    // Warm the cache, twice.
    await totals(store);
    expect(await totals(store)).toEqual([String(91 * 3), String(91 * 3), String(29 * 3)]);

    await sync(ledger, { serviceAccountId: 'sa-2', windows: [{ start: '2024-01-01', end: '2024-03-31' }], rows: days('2024-01-01', '2024-03-31', '2', 1, 'prod') });
    expect(await totals(store)).toEqual([String(91 * 3 + 91 * 2), String(91 * 3 + 91 * 2), String(29 * 3 + 29 * 2)]);

    // Re-sync February of sa-1 at a new price: only February changes.
    await sync(ledger, { serviceAccountId: 'sa-1', windows: [{ start: '2024-02-01', end: '2024-02-29' }], rows: days('2024-02-01', '2024-02-29', '5', 3) });
    expect(await totals(store)).toEqual([String(62 * 3 + 29 * 15 + 91 * 2), String(62 * 3 + 29 * 15 + 91 * 2), String(29 * 15 + 29 * 2)]);

    await ledger.removeAccount('domain-1', 'sa-2');
    expect(await totals(store)).toEqual([String(62 * 3 + 29 * 15), String(62 * 3 + 29 * 15), String(29 * 15)]);
  });

  it('never answers one domain from another domain cache', async () => {
    const { store, ledger } = await ledgerStore();
    await sync(ledger, { serviceAccountId: 'sa-1', windows: [{ start: '2024-01-01', end: '2024-03-31' }], rows: days('2024-01-01', '2024-03-31', '1', 1) });
    await totals(store);
    expect(await totals(store, 'domain-2')).toEqual(['0', '0', '0']);
  });
});
