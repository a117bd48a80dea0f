import { rowsFromEntries, type RowContext } from './cost-rows';
import type { SummaryEntry } from './summary-page';

const ctx: RowContext = { accountId: 'acc', provider: 'hyperbilling', range: { start: '2024-03-01', end: '2024-03-31' } };
const usd = (finalCost: string) => ({ finalCost, currency: 'USD' });
const entry = (over: Partial<SummaryEntry>): SummaryEntry => ({ kind: 'daily_cost', invoiceMonth: '202403', costs: [usd('1')], ...over });

describe('cost rows from summary entries', () => {
  it('uses only daily_cost entries when the answer mixes kinds (no double counting)', () => {
    const { rows } = rowsFromEntries(
      [entry({ date: '2024-03-02', serviceName: 'EC2', regionId: 'us-east-1' }), entry({ kind: 'monthly_cost', costs: [usd('99')] })],
      ctx,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ billedDate: '2024-03-02', product: 'EC2', region: 'us-east-1', cost: '1', externalAccountId: 'acc' });
  });

  it('uses a coarser answer when it has no daily_cost entry, on the first day of the month', () => {
    const { rows } = rowsFromEntries([entry({ kind: 'monthly_cost', costs: [usd('99.5')] })], ctx);
    expect(rows).toEqual([
      expect.objectContaining({ billedDate: '2024-03-01', product: 'All services', region: '', cost: '99.5', additionalInfo: expect.objectContaining({ granularity: 'MONTHLY', kind: 'monthly_cost' }) }),
    ]);
  });

  it('leaves out days outside the task, and counts monthly figures it cannot place', () => {
    const part = { ...ctx, range: { start: '2024-03-10', end: '2024-03-20' } };
    const out = rowsFromEntries([entry({ date: '2024-03-09' }), entry({ date: '2024-03-10' }), entry({ date: '2024-03-21' }), entry({ date: undefined })], part);
    expect(out.rows.map((r) => r.billedDate)).toEqual(['2024-03-10']);
    expect(out.monthlyOutside).toBe(1);
  });

  it('gives one row per cost record, each in its own currency', () => {
    const { rows } = rowsFromEntries([entry({ date: '2024-03-03', costs: [usd('1'), { finalCost: '1300', currency: 'KRW', credit: '-5', cost: '1305' }] })], ctx);
    expect(rows.map((r) => [r.currency, r.cost, r.additionalInfo?.credit])).toEqual([
      ['USD', '1', undefined],
      ['KRW', '1300', '-5'],
    ]);
  });
});
