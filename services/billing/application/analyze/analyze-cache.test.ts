import { Granularity } from '../../../../gen/tally/billing/v1/cost';
import type { CostRowInput } from '../ports';
import { ledgerStore, row, sync } from '../ledger/testing/ledger-fixtures';
import { analyze } from './analyze';
import { clearAnalyzeCache } from './rollup-cache';
import { addAccount, addProject, addRate, admin, member, moveAccount, request, setSettings } from './testing/analyze-fixtures';

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

  it('answers every request shape from a warm cache exactly as from a cold one', async () => {
    const { store, ledger } = await ledgerStore();
    await setSettings(store, 'domain-1', { attribution_mode: 'AS_OF_DATE' });
    await addRate(store, 'EUR', 'USD', '1.1', '2024-01-01');
    await addRate(store, 'EUR', 'USD', '1.2', '2024-02-10');
    for (const p of ['p-1', 'p-2', 'p-3']) await addProject(store, p);
    await addAccount(store, 'sa-1', [['p-1', '2024-01-01'], ['p-2', '2024-02-15']]);
    await addAccount(store, 'sa-2', [['p-2', '2024-01-01']]);
    await addAccount(store, 'sa-3', [['p-3', '2024-01-01']]);
    const eur = (rows: CostRowInput[]) => rows.map((r, i) => (i % 4 === 0 ? { ...r, currency: 'EUR' } : r));
    await sync(ledger, { serviceAccountId: 'sa-1', windows: [{ start: '2024-01-01', end: '2024-03-31' }], rows: eur(days('2024-01-01', '2024-03-31', '1.25', 5)) });
    await sync(ledger, { serviceAccountId: 'sa-2', windows: [{ start: '2024-01-01', end: '2024-03-31' }], rows: days('2024-01-01', '2024-03-31', '0.5', 4, 'prod') });
    await sync(ledger, { serviceAccountId: 'sa-3', windows: [{ start: '2024-01-10', end: '2024-03-20' }], rows: eur(days('2024-01-10', '2024-03-20', '3', 2)) });
    const D = Granularity.GRANULARITY_DAILY;
    const M = Granularity.GRANULARITY_MONTHLY;
    const p1 = [{ k: 'project_id', v: 'p-1', o: '' }];
    // Same rollup buckets, read grouped in different ways (domain and account buckets, day and month grains).
    const shapes = [
      request({ start: '2024-02-01', end: '2024-02-29', granularity: D, groupBy: ['product'] }),
      request({ start: '2024-02-01', end: '2024-02-29', granularity: D, groupBy: ['product'], filter: p1 }),
      request({ start: '2024-02-01', end: '2024-02-29', granularity: D, groupBy: ['provider', 'product'] }),
      request({ start: '2024-02-01', end: '2024-02-29', granularity: D, groupBy: ['project_id', 'product'] }),
      request({ start: '2024-01-05', end: '2024-03-25', granularity: M, groupBy: ['project_id'] }),
      request({ start: '2024-01-05', end: '2024-03-25', granularity: M, groupBy: ['tags.env'] }),
      request({ start: '2024-01-05', end: '2024-03-25', granularity: M, groupBy: ['tags.env'], filter: p1 }),
      request({ start: '2024-01-01', end: '2024-03-31', granularity: Granularity.GRANULARITY_ACCUMULATED, groupBy: ['service_account_id', 'provider'] }),
      request({ start: '2024-01-01', end: '2024-03-31', granularity: M, groupBy: ['product'], currency: 'EUR' }),
    ];
    const cold = [];
    for (const q of shapes) {
      clearAnalyzeCache();
      cold.push(await analyze({ store }, admin(), q));
    }
    for (let round = 0; round < 2; round++) {
      const warm = [];
      for (const q of [...shapes].reverse()) warm.unshift(await analyze({ store }, admin(), q));
      expect(warm).toEqual(cold);
    }
    expect(cold[1].results.map((g) => g.keys.product).sort()).toEqual(['P0', 'P1', 'P2']);
    expect(cold[4].missingRates).toEqual([]);
  });

  it('follows a move of an account (no ledger change) on the very next query', async () => {
    for (const mode of ['FOLLOW_ACCOUNT', 'AS_OF_DATE'] as const) {
      const { store, ledger } = await ledgerStore();
      await setSettings(store, 'domain-1', { attribution_mode: mode });
      for (const p of ['p-1', 'p-2']) await addProject(store, p);
      await addAccount(store, 'sa-1', [['p-1', '2024-01-01']]);
      await addAccount(store, 'sa-2', [['p-2', '2024-01-01']]);
      await sync(ledger, { serviceAccountId: 'sa-1', windows: [{ start: '2024-02-01', end: '2024-02-29' }], rows: days('2024-02-01', '2024-02-29', '1', 2) });
      await sync(ledger, { serviceAccountId: 'sa-2', windows: [{ start: '2024-02-01', end: '2024-02-29' }], rows: days('2024-02-01', '2024-02-29', '10', 1) });
      const daily = request({ start: '2024-02-01', end: '2024-02-29', granularity: Granularity.GRANULARITY_DAILY, groupBy: ['product'], filter: [{ k: 'project_id', v: 'p-2', o: '' }] });
      const byProject = request({ start: '2024-02-01', end: '2024-02-29', granularity: Granularity.GRANULARITY_DAILY, groupBy: ['project_id'] });
      await analyze({ store }, admin(), daily);
      expect((await analyze({ store }, admin(), daily)).total).toBe('290');
      expect((await analyze({ store }, member(['p-2']), byProject)).total).toBe('290');

      await moveAccount(store, 'sa-1', 'p-2', '2024-02-20');
      const moved = await analyze({ store }, admin(), daily);
      // FOLLOW_ACCOUNT: all of sa-1's February; AS_OF_DATE: its 20th..29th.
      expect(moved.total).toBe(mode === 'FOLLOW_ACCOUNT' ? String(290 + 58) : String(290 + 20));
      const day = (res: typeof moved, date: string) => res.results.reduce((s, g) => s + Number(g.series.find((p) => p.period === date)?.cost ?? 0), 0);
      expect(day(moved, '2024-02-19')).toBe(mode === 'FOLLOW_ACCOUNT' ? 12 : 10);
      expect(day(moved, '2024-02-20')).toBe(12);
      const scoped = await analyze({ store }, member(['p-2']), byProject);
      expect(scoped.results.map((g) => [g.keys.project_id, g.total])).toEqual([['p-2', moved.total]]);
    }
  });
});
