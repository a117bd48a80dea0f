import { status } from '@grpc/grpc-js';
import { Decimal, isCurrencyCode } from '../../lib/money';
import type { PluginContext } from '../sdk';
import { servePluginForTest } from '../testing/served-plugin';
import { REJECTED_API_KEY } from './credentials';
import { unitsToDecimal } from './decimal-text';
import { parseDemoOptions } from './options';
import { demoPlugin } from './plugin';
import { demoRows, linkedAccounts } from './rows';

const ctx = {} as PluginContext;
const plan = (over: Partial<Parameters<typeof demoRows>[0]> = {}) => ({
  seed: 7,
  accounts: linkedAccounts('acme', 3),
  rowsPerDay: 200,
  range: { start: '2024-02-27', end: '2024-03-02' },
  ...over,
});

describe('demo rows', () => {
  it('are the same for the same seed and differ for another', () => {
    const a = [...demoRows(plan())];
    expect(a).toHaveLength(5 * 3 * 200);
    expect([...demoRows(plan())]).toEqual(a);
    const other = [...demoRows(plan({ seed: 8 }))];
    expect(other.map((r) => r.cost)).not.toEqual(a.map((r) => r.cost));
  });

  it('a day comes out the same whichever range it is generated in (tasks are independent)', () => {
    const wide = [...demoRows(plan())].filter((r) => r.billedDate === '2024-02-29');
    expect([...demoRows(plan({ range: { start: '2024-02-29', end: '2024-02-29' } }))]).toEqual(wide);
  });

  it('bill each account in one ISO currency, with exact plain decimal amounts', () => {
    const rows = [...demoRows(plan({ accounts: linkedAccounts('acme', 12) }))];
    const currencyOf = new Map<string, Set<string>>();
    const bad: string[] = [];
    for (const r of rows) {
      currencyOf.set(r.externalAccountId, (currencyOf.get(r.externalAccountId) ?? new Set()).add(r.currency));
      const ok = isCurrencyCode(r.currency) && /^\d+\.\d{6}$/.test(r.cost) && /^\d+\.\d{3}$/.test(r.usageQuantity) && !Decimal.parse(r.cost).isNegative();
      if (!ok) bad.push(JSON.stringify(r));
    }
    expect(bad).toEqual([]);
    expect([...currencyOf.values()].every((s) => s.size === 1)).toBe(true);
    expect(new Set(rows.map((r) => r.currency)).size).toBeGreaterThan(2);
  });

  it('have one row per account, day, product, usage type, region and resource', () => {
    const rows = [...demoRows(plan({ rowsPerDay: 1000 }))];
    const keys = new Set(rows.map((r) => [r.billedDate, r.externalAccountId, r.product, r.usageType, r.region, r.resourceId].join('|')));
    expect(keys.size).toBe(rows.length);
  });

  it('are generated lazily: the first row of ten years of 100k rows a day comes at once', () => {
    const started = Date.now();
    const it = demoRows(plan({ rowsPerDay: 100_000, range: { start: '2015-01-01', end: '2024-12-31' } }));
    expect(it.next().value?.billedDate).toBe('2015-01-01');
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('formats integer units without floats', () => {
    expect(unitsToDecimal(0, 6)).toBe('0.000000');
    expect(unitsToDecimal(1_234_567, 6)).toBe('1.234567');
    expect(unitsToDecimal(2 ** 53 - 1, 6)).toBe('9007199254.740991');
    expect(unitsToDecimal(5, 3)).toBe('0.005');
  });
});

describe('demo plugin', () => {
  it('validates its options, naming the bad one', () => {
    expect(parseDemoOptions(undefined)).toEqual({ seed: 1, accounts: 1, rowsPerDay: 40, pageSize: 1000 });
    expect(() => parseDemoOptions({ rows_per_day: 0 })).toThrow(/options\.rows_per_day must be an integer 1\.\.100000/);
    expect(() => parseDemoOptions({ accounts: 2.5 })).toThrow(/options\.accounts/);
    expect(() => parseDemoOptions({ page_size: 10_001 })).toThrow(/options\.page_size/);
    expect(() => parseDemoOptions({ row_per_day: 3 })).toThrow(/unknown option "row_per_day"/);
  });

  it('splits a range into calendar-month tasks and replaces every linked account over the range', async () => {
    const res = await demoPlugin().getTasks(
      { startDate: '2024-01-30', endDate: '2024-03-02', options: { accounts: 2 }, secretData: { account_id: 'acme' }, account: undefined, domainId: 'd' },
      ctx,
    );
    expect(res.tasks.map((t) => [t.startDate, t.endDate])).toEqual([
      ['2024-01-30', '2024-01-31'],
      ['2024-02-01', '2024-02-29'],
      ['2024-03-01', '2024-03-02'],
    ]);
    expect(res.windows).toEqual([
      { externalAccountId: 'acme-001', startDate: '2024-01-30', endDate: '2024-03-02' },
      { externalAccountId: 'acme-002', startDate: '2024-01-30', endDate: '2024-03-02' },
    ]);
  });

  it(`accepts {} and any account_id, refuses api_key "${REJECTED_API_KEY}" (UNAUTHENTICATED) and malformed ids (INVALID_ARGUMENT)`, async () => {
    const served = await servePluginForTest(demoPlugin());
    try {
      await expect(served.client.verify({ secretData: {} })).resolves.toEqual({});
      await expect(served.client.verify({ secretData: { account_id: 'acme-prod' } })).resolves.toEqual({});
      await expect(served.client.verify({ secretData: { account_id: 'acme', api_key: REJECTED_API_KEY } })).rejects.toMatchObject({ code: status.UNAUTHENTICATED });
      await expect(served.client.verify({ secretData: { account_id: 'a b/c' } })).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
      await expect(served.client.verify({ secretData: { account_id: 42 } })).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
      await expect(served.client.verify({ options: { seed: -1 } })).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
    } finally {
      await served.stop();
    }
  });

  it('streams a task over gRPC in pages of the page_size option', async () => {
    const served = await servePluginForTest(demoPlugin());
    try {
      const pages = [];
      const task = { taskId: 't', startDate: '2024-01-01', endDate: '2024-01-03' };
      for await (const p of served.client.getCostData({ options: { rows_per_day: 70, page_size: 100, accounts: 2 }, secretData: { account_id: 'acme' }, task })) pages.push(p);
      expect(pages.map((p) => p.rows.length)).toEqual([100, 100, 100, 100, 20]);
      expect(new Set(pages.flatMap((p) => p.rows.map((r) => r.externalAccountId)))).toEqual(new Set(['acme-001', 'acme-002']));
    } finally {
      await served.stop();
    }
  });
});
