import { isDomainError } from '../../../../lib/errors/domain-error';
import { allTotals, ledgerStore, rawTotal, rollupTotal, row, sync } from './testing/ledger-fixtures';

const may = { start: '2024-05-01', end: '2024-05-31' };

async function world() {
  const { store, ledger } = await ledgerStore();
  const tagged = { tags: { team: 'core' } };
  await sync(ledger, { serviceAccountId: 'sa-1', dataSourceId: 'ds-1', windows: [may], rows: [row('2024-05-01', '1', tagged), row('2024-05-09', '2')] });
  await sync(ledger, { serviceAccountId: 'sa-2', dataSourceId: 'ds-1', windows: [may], rows: [row('2024-05-01', '10', tagged)] });
  await sync(ledger, { serviceAccountId: 'sa-1', dataSourceId: 'ds-2', windows: [may], rows: [row('2024-05-03', '100')] });
  await sync(ledger, { domainId: 'domain-2', serviceAccountId: 'sa-1', windows: [may], rows: [row('2024-05-03', '1000')] });
  return { store, ledger };
}

describe('ledger removal', () => {
  it('removeAccount makes the account vanish from every view at once, and nothing else', async () => {
    const { store, ledger } = await world();
    expect(await allTotals(store)).toEqual(Array(6).fill('113'));
    await ledger.removeAccount('domain-1', 'sa-1');
    expect(await allTotals(store)).toEqual(Array(6).fill('10'));
    expect(await rollupTotal(store, 'tag', 'day')).toBe('10');
    expect(await allTotals(store, 'domain-2')).toEqual(Array(6).fill('1000'));
    expect(await ledger.collectGarbage()).toBe(3);
    expect(await rawTotal(store)).toEqual({ total: '10', rows: 1 });
  });

  it('removeDataSource removes every account of the data source only', async () => {
    const { store, ledger } = await world();
    await ledger.removeDataSource('domain-1', 'ds-1');
    expect(await allTotals(store)).toEqual(Array(6).fill('100'));
    expect(await rollupTotal(store, 'tag', 'month')).toBe('0');
  });

  it('stops a write running for a removed account, and refuses new ones', async () => {
    const { store, ledger } = await world();
    const writer = await ledger.begin({ domainId: 'domain-1', dataSourceId: 'ds-1', serviceAccountId: 'sa-2', jobId: 'job-2', windows: [may] });
    await writer.write([row('2024-05-02', '5')]);
    await ledger.removeAccount('domain-1', 'sa-2');
    const err = await writer.commit().catch((e: unknown) => e);
    expect(isDomainError(err) && err.kind).toBe('FAILED_PRECONDITION');
    await writer.abort();
    expect(await allTotals(store)).toEqual(Array(6).fill('103'));
    const again = await ledger.begin({ domainId: 'domain-1', dataSourceId: 'ds-1', serviceAccountId: 'sa-2', jobId: 'job-3', windows: [may] }).catch((e: unknown) => e);
    expect(isDomainError(again) && again.reason).toBe('LEDGER.REMOVED');
  });
});
