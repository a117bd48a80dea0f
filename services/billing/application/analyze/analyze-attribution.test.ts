import { Granularity } from '../../../../gen/tally/billing/v1/cost';
import { ledgerStore, row, sync } from '../ledger/testing/ledger-fixtures';
import { analyze } from './analyze';
import { addAccount, addGroup, addProject, admin, member, moveAccount, request, setSettings, totalsByKey } from './testing/analyze-fixtures';

const year = { start: '2024-01-01', end: '2024-12-31' };

/** Two accounts, 1.00 a day in Jan..Jun 2024 (sa-a) and 2.00 a day (sa-b). */
async function world(mode: 'FOLLOW_ACCOUNT' | 'AS_OF_DATE') {
  const { store, ledger } = await ledgerStore();
  await setSettings(store, 'domain-1', { attribution_mode: mode });
  await addGroup(store, 'pg-root');
  await addGroup(store, 'pg-child', 'pg-root');
  await addProject(store, 'project-x', 'pg-child');
  await addProject(store, 'project-y', 'pg-root');
  await addAccount(store, 'sa-a', [['project-x', '2024-01-01']]);
  await addAccount(store, 'sa-b', [['project-y', '2024-01-01']]);
  const days = (from: string, n: number, cost: string) =>
    Array.from({ length: n }, (_, i) => row(new Date(Date.parse(`${from}T00:00:00Z`) + i * 86_400_000).toISOString().slice(0, 10), cost));
  await sync(ledger, { serviceAccountId: 'sa-a', windows: [{ start: '2024-01-01', end: '2024-06-30' }], rows: days('2024-01-01', 182, '1.00') });
  await sync(ledger, { serviceAccountId: 'sa-b', windows: [{ start: '2024-01-01', end: '2024-06-30' }], rows: days('2024-01-01', 182, '2.00') });
  return { store, ledger };
}

describe('analyze: attribution', () => {
  it('sums the domain, each project, and a group subtree', async () => {
    const { store } = await world('FOLLOW_ACCOUNT');
    const all = await analyze({ store }, admin(), request({ ...year }));
    expect(all.total).toBe('546');
    const byProject = await analyze({ store }, admin(), request({ ...year, groupBy: ['project_id'] }));
    expect(totalsByKey(byProject)).toEqual({ 'project-x': '182', 'project-y': '364' });
    const root = await analyze({ store }, admin(), request({ ...year, filter: [{ k: 'project_group_id', v: 'pg-root', o: 'eq' }] }));
    expect(root.total).toBe('546');
    const child = await analyze({ store }, admin(), request({ ...year, filter: [{ k: 'project_group_id', v: 'pg-child', o: 'eq' }] }));
    expect(child.total).toBe('182');
    const byGroup = await analyze({ store }, admin(), request({ ...year, groupBy: ['project_group_id'] }));
    expect(totalsByKey(byGroup)).toEqual({ 'pg-child': '182', 'pg-root': '364' });
  });

  it('after a move: FOLLOW_ACCOUNT moves the whole history, AS_OF_DATE splits it by day', async () => {
    for (const mode of ['FOLLOW_ACCOUNT', 'AS_OF_DATE'] as const) {
      const { store } = await world(mode);
      await moveAccount(store, 'sa-a', 'project-y', '2024-04-01');
      const res = await analyze({ store }, admin(), request({ ...year, groupBy: ['project_id'] }));
      expect(res.total).toBe('546');
      if (mode === 'FOLLOW_ACCOUNT') expect(totalsByKey(res)).toEqual({ 'project-y': '546' });
      else expect(totalsByKey(res)).toEqual({ 'project-x': '91', 'project-y': '455' });
      const daily = await analyze({ store }, admin(), request({ granularity: Granularity.GRANULARITY_DAILY, start: '2024-03-15', end: '2024-04-15', groupBy: ['project_id'] }));
      expect(daily.total).toBe('96');
    }
  });

  it('AS_OF_DATE splits a month in which the account moved, and scopes members by day', async () => {
    const { store } = await world('AS_OF_DATE');
    await moveAccount(store, 'sa-a', 'project-y', '2024-04-16');
    const res = await analyze({ store }, admin(), request({ ...year, groupBy: ['project_id'] }));
    // sa-a: Jan 1..Apr 15 (106 days) in project-x, the rest (76 days) in project-y.
    expect(totalsByKey(res)).toEqual({ 'project-x': '106', 'project-y': '440' });
    const x = res.results.find((g) => g.keys.project_id === 'project-x');
    expect(x?.series.slice(0, 6).map((p) => p.cost)).toEqual(['31', '29', '31', '15', '0', '0']);
    const member = await analyze({ store }, { subject: 'k', domainId: 'domain-1', role: 'PROJECT_MEMBER', projectIds: ['project-x'] }, request({ ...year, groupBy: ['service_account_id'] }));
    expect(totalsByKey(member)).toEqual({ 'sa-a': '106' });
    const group = await analyze({ store }, admin(), request({ ...year, groupBy: ['project_group_id'], filter: [{ k: 'project_group_id', v: ['pg-child'], o: 'in' }] }));
    expect(totalsByKey(group)).toEqual({ 'pg-child': '106' });
  });

  it('limits a project member to its projects', async () => {
    const { store } = await world('FOLLOW_ACCOUNT');
    const res = await analyze({ store }, member(['project-x']), request({ ...year, groupBy: ['project_id'] }));
    expect(totalsByKey(res)).toEqual({ 'project-x': '182' });
    expect(res.total).toBe('182');
  });
});
