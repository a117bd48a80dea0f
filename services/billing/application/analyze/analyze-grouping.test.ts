import { Granularity } from '../../../../gen/tally/billing/v1/cost';
import { ledgerStore, row, sync } from '../ledger/testing/ledger-fixtures';
import { analyze } from './analyze';
import { addAccount, addProject, admin, member, request, totalsByKey } from './testing/analyze-fixtures';

const q = { start: '2024-01-01', end: '2024-03-31' };

async function world() {
  const { store, ledger } = await ledgerStore();
  await addProject(store, 'project-a');
  await addAccount(store, 'sa-1', [['project-a', '2024-01-01']]);
  // sa-2 is not in the mirror: unassigned.
  await sync(ledger, {
    serviceAccountId: 'sa-1',
    windows: [q],
    rows: [
      row('2024-01-05', '1.5', { product: 'EC2', region: 'us-east-1', tags: { env: 'prod', team: 'core' } }),
      row('2024-01-06', '2.5', { product: 'EC2', region: 'eu-west-1', tags: { env: 'dev' } }),
      row('2024-02-01', '3', { product: 'S3', region: 'us-east-1' }),
      row('2024-03-31', '-1', { product: 'S3', region: 'us-east-1', usage_type: 'Credit', tags: { env: 'prod', team: 'web' } }),
    ],
  });
  await sync(ledger, { serviceAccountId: 'sa-2', dataSourceId: 'ds-2', windows: [q], rows: [row('2024-02-14', '10', { provider: 'google_cloud', product: 'GCE', tags: { env: 'prod' } })] });
  await sync(ledger, { domainId: 'domain-2', serviceAccountId: 'sa-9', windows: [q], rows: [row('2024-02-14', '999')] });
  return store;
}

describe('analyze: grouping, filters, periods', () => {
  it('groups by a tag, with costs lacking it under ""', async () => {
    const store = await world();
    const res = await analyze({ store }, admin(), request({ ...q, groupBy: ['tags.env'] }));
    expect(totalsByKey(res)).toEqual({ prod: '10.5', dev: '2.5', '': '3' });
    expect(res.total).toBe('16');
    const monthly = Object.fromEntries(res.results.map((g) => [g.keys['tags.env'], g.series.map((p) => p.cost)]));
    expect(monthly.prod).toEqual(['1.5', '10', '-1']);
    const filtered = await analyze({ store }, admin(), request({ ...q, groupBy: ['project_id'], filter: [{ k: 'tags.env', v: 'prod', o: 'eq' }] }));
    expect(totalsByKey(filtered)).toEqual({ 'project-a': '0.5', '': '10' });
    const missing = await analyze({ store }, admin(), request({ ...q, filter: [{ k: 'tags.env', v: false, o: 'exists' }] }));
    expect(missing.total).toBe('3');
  });

  it('reads the raw rows when a request combines two tags or a tag with a product', async () => {
    const store = await world();
    const res = await analyze({ store }, admin(), request({ ...q, groupBy: ['tags.env', 'tags.team'] }));
    expect(totalsByKey(res)).toEqual({ 'prod/core': '1.5', 'prod/web': '-1', 'prod/': '10', 'dev/': '2.5', '/': '3' });
    const byProduct = await analyze({ store }, admin(), request({ ...q, groupBy: ['product'], filter: [{ k: 'tags.env', v: 'prod', o: 'eq' }] }));
    expect(totalsByKey(byProduct)).toEqual({ EC2: '1.5', S3: '-1', GCE: '10' });
  });

  it('groups by row dimensions and accounts, with unassigned accounts under project ""', async () => {
    const store = await world();
    const res = await analyze({ store }, admin(), request({ ...q, groupBy: ['project_id', 'region'], sort: [{ key: 'project_id', desc: false }, { key: 'region', desc: false }] }));
    expect(res.results.map((g) => `${g.keys.project_id}|${g.keys.region}=${g.total}`)).toEqual([
      '|us-east-1=10',
      'project-a|eu-west-1=2.5',
      'project-a|us-east-1=3.5',
    ]);
    const usage = await analyze({ store }, admin(), request({ ...q, groupBy: ['usage_type', 'data_source_id'], filter: [{ k: 'provider', v: 'aw', o: 'contain' }] }));
    expect(totalsByKey(usage)).toEqual({ 'BoxUsage/ds-1': '7', 'Credit/ds-1': '-1' });
    const byAccount = await analyze({ store }, admin(), request({ ...q, groupBy: ['service_account_id'], filterOr: [{ k: 'product', v: ['GCE'], o: 'in' }, { k: 'region', v: 'eu-', o: 'contain' }] }));
    expect(totalsByKey(byAccount)).toEqual({ 'sa-2': '10', 'sa-1': '2.5' });
  });

  it('lists every period, fills empty ones with 0, and keeps the total exact', async () => {
    const store = await world();
    const daily = await analyze({ store }, admin(), request({ granularity: Granularity.GRANULARITY_DAILY, start: '2024-01-04', end: '2024-01-07' }));
    expect(daily.periods).toEqual(['2024-01-04', '2024-01-05', '2024-01-06', '2024-01-07']);
    expect(daily.results[0].series.map((p) => p.cost)).toEqual(['0', '1.5', '2.5', '0']);
    const yearly = await analyze({ store }, admin(), request({ granularity: Granularity.GRANULARITY_YEARLY, start: '2023-06-01', end: '2024-02-10' }));
    expect(yearly.periods).toEqual(['2023', '2024']);
    expect(yearly.results[0].series.map((p) => p.cost)).toEqual(['0', '7']); // Feb 14 is past the end
    const partial = await analyze({ store }, admin(), request({ start: '2024-01-06', end: '2024-03-30', groupBy: ['product'] }));
    expect(totalsByKey(partial)).toEqual({ GCE: '10', S3: '3', EC2: '2.5' });
    // Region has no day-grain rollup: partial months and DAILY read raw rows.
    const regions = await analyze({ store }, admin(), request({ start: '2024-01-06', end: '2024-03-31', groupBy: ['region'] }));
    expect(totalsByKey(regions)).toEqual({ 'us-east-1': '12', 'eu-west-1': '2.5' });
    expect(regions.results.find((g) => g.keys.region === 'us-east-1')?.series.map((p) => p.cost)).toEqual(['0', '13', '-1']);
    const dailyRegions = await analyze({ store }, admin(), request({ granularity: Granularity.GRANULARITY_DAILY, start: '2024-01-05', end: '2024-01-06', groupBy: ['region'] }));
    expect(dailyRegions.results.map((g) => [g.keys.region, g.series.map((p) => p.cost)])).toEqual([
      ['eu-west-1', ['0', '2.5']],
      ['us-east-1', ['1.5', '0']],
    ]);
  });

  it('sorts by total, keeps the limit and sums the rest into (others)', async () => {
    const store = await world();
    const res = await analyze({ store }, admin(), request({ ...q, groupBy: ['product', 'region'], limit: 1 }));
    expect(res.totalCount).toBe(4);
    expect(res.results.map((g) => [g.keys, g.total])).toEqual([
      [{ product: 'GCE', region: 'us-east-1' }, '10'],
      [{ product: '(others)', region: '(others)' }, '6'],
    ]);
    expect(res.total).toBe('16');
    const asc = await analyze({ store }, admin(), request({ ...q, groupBy: ['product'], sort: [{ key: 'total', desc: false }] }));
    expect(asc.results.map((g) => g.keys.product)).toEqual(['S3', 'EC2', 'GCE']);
  });

  it('never shows another domain, and a project member only its projects', async () => {
    const store = await world();
    const other = await analyze({ store }, admin('domain-2'), request({ ...q, groupBy: ['service_account_id'] }));
    expect(totalsByKey(other)).toEqual({ 'sa-9': '999' });
    const mine = await analyze({ store }, member(['project-a']), request({ ...q, groupBy: ['service_account_id'] }));
    expect(totalsByKey(mine)).toEqual({ 'sa-1': '6' });
    const forced = await analyze({ store }, member(['project-a']), request({ ...q, filter: [{ k: 'project_id', v: '', o: 'eq' }] }));
    expect(forced.total).toBe('0');
    const nothing = await analyze({ store }, member([]), request({ ...q }));
    expect(nothing.total).toBe('0');
  });
});
