import type { Query, StatQuery } from '../../../../gen/tally/core/v1/query';
import { ledgerStore, row, sync } from '../ledger/testing/ledger-fixtures';
import { listCosts } from './list-costs';
import { statCosts } from './stat-costs';
import { addAccount, addProject, admin, member, moveAccount, setSettings } from './testing/analyze-fixtures';

const query = (over: Partial<Query> = {}): Query => ({ filter: [], filterOr: [], sort: [], only: [], keyword: '', ...over });
const stat = (over: Partial<StatQuery>): StatQuery => ({ filter: [], filterOr: [], groupBy: [], fields: [], sort: [], ...over });

async function world() {
  const { store, ledger } = await ledgerStore();
  await setSettings(store, 'domain-1', { attribution_mode: 'AS_OF_DATE' });
  await addProject(store, 'project-a');
  await addProject(store, 'project-b');
  await addAccount(store, 'sa-1', [['project-a', '2024-01-01']]);
  await addAccount(store, 'sa-2', [['project-b', '2024-01-01']]);
  const may = { start: '2024-05-01', end: '2024-05-31' };
  await sync(ledger, {
    serviceAccountId: 'sa-1',
    windows: [may],
    rows: [row('2024-05-01', '0.1'), row('2024-05-02', '2.50', { product: 'S3', tags: { env: 'prod' } }), row('2024-05-20', '10')],
  });
  await sync(ledger, { serviceAccountId: 'sa-2', windows: [may], rows: [row('2024-05-03', '0.2'), row('2024-05-04', '-0.3')] });
  await sync(ledger, { domainId: 'domain-2', serviceAccountId: 'sa-9', windows: [may], rows: [row('2024-05-03', '7')] });
  await moveAccount(store, 'sa-1', 'project-b', '2024-05-15');
  return store;
}

describe('CostService List and Stat', () => {
  it('lists visible rows newest first, attributed, paged, filtered exactly on cost', async () => {
    const store = await world();
    const all = await listCosts({ store }, admin(), { query: query() });
    expect(all.totalCount).toBe(5);
    expect(all.results.map((c) => [c.billedDate, c.projectId, c.cost])).toEqual([
      ['2024-05-20', 'project-b', '10'],
      ['2024-05-04', 'project-b', '-0.3'],
      ['2024-05-03', 'project-b', '0.2'],
      ['2024-05-02', 'project-a', '2.5'],
      ['2024-05-01', 'project-a', '0.1'],
    ]);
    const page = await listCosts({ store }, admin(), { query: query({ sort: [{ key: 'cost', desc: true }], page: { start: 2, limit: 2 }, only: ['cost'] }) });
    expect(page.results.map((c) => [c.cost, c.product])).toEqual([
      ['2.5', ''],
      ['0.2', ''],
    ]);
    const cheap = await listCosts({ store }, admin(), { query: query({ filter: [{ k: 'cost', v: 0.2, o: 'lte' }] }) });
    expect(cheap.results.map((c) => c.cost).sort()).toEqual(['-0.3', '0.1', '0.2']);
    const tagged = await listCosts({ store }, admin(), { query: query({ filter: [{ k: 'tags.env', v: 'prod', o: 'eq' }, { k: 'billed_date', v: '2024-05-01', o: 'gte' }] }) });
    expect(tagged.results.map((c) => c.tags)).toEqual([{ env: 'prod' }]);
    const byProject = await listCosts({ store }, admin(), { query: query({ filter: [{ k: 'project_id', v: 'project-a', o: 'eq' }] }) });
    expect(byProject.totalCount).toBe(2);
  });

  it('limits a project member to rows of its projects on their days, and never shows another domain', async () => {
    const store = await world();
    const a = await listCosts({ store }, member(['project-a']), { query: query() });
    expect(a.results.map((c) => c.billedDate)).toEqual(['2024-05-02', '2024-05-01']);
    const other = await listCosts({ store }, admin('domain-2'), { query: query() });
    expect(other.results.map((c) => c.serviceAccountId)).toEqual(['sa-9']);
    await expect(listCosts({ store }, admin(), { query: query({ filter: [{ k: 'colour', v: 'x', o: 'eq' }] }) })).rejects.toMatchObject({
      kind: 'INVALID_ARGUMENT',
      field: 'query.filter[0].k',
    });
  });

  it('adds exactly in Stat and sorts by the exact sums', async () => {
    const store = await world();
    const res = await statCosts({ store }, admin(), {
      query: stat({
        groupBy: ['project_id'],
        fields: [
          { name: 'total', operator: 'sum', key: 'cost' },
          { name: 'rows', operator: 'count', key: '' },
          { name: 'smallest', operator: 'min', key: 'cost' },
        ],
        sort: [{ key: 'total', desc: true }],
      }),
    });
    expect(res.result).toEqual({
      results: [
        { project_id: 'project-b', total: '9.9', rows: 3, smallest: '-0.3' },
        { project_id: 'project-a', total: '2.6', rows: 2, smallest: '0.1' },
      ],
      totalCount: 2,
    });
  });
});
