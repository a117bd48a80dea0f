import { sumDecimals } from '../../lib/money';
import type { CostRow, Task } from '../sdk';
import { ACCOUNT, secretOf, startHarness, type Harness } from './testing/harness';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ fake: { pageSize: 1000 } });
});
afterAll(() => h.close());
afterEach(() => h.fake.faults.clear());

const task = (start: string, end: string, month = start.slice(0, 7).replace('-', '')): Task => ({
  taskId: `hyperbilling:${ACCOUNT}:${month}`,
  taskOptions: { month },
  startDate: start,
  endDate: end,
});

async function rowsOf(t: Task, secret = secretOf(h.creds), extra: { account?: Record<string, unknown>; options?: Record<string, unknown> } = {}): Promise<CostRow[]> {
  const rows: CostRow[] = [];
  for await (const page of h.client.getCostData(
    { secretData: secret, task: t, account: { externalAccountId: secret.account_id, provider: 'hyperbilling', ...extra.account }, options: extra.options },
    { deadlineMs: 10_000 },
  ))
    rows.push(...page.rows);
  return rows;
}

const total = (rows: CostRow[]) => sumDecimals(rows.map((r) => r.cost)).toString();

describe('Hyper Billing plugin: Init and GetTasks', () => {
  it('describes itself: provider hyperbilling, USD, credential and options schemas', async () => {
    const { metadata } = await h.client.init({});
    expect(metadata).toMatchObject({ name: 'hyperbilling', providers: ['hyperbilling'], currency: 'USD' });
    expect(metadata!.credentialSchema).toMatchObject({ required: ['account_id', 'client_email', 'private_key'] });
    expect(Object.keys(metadata!.optionsSchema!.properties)).toEqual(['endpoint', 'platform']);
  });

  it('answers one task per month of the range and one window per account covering the range', async () => {
    const res = await h.client.getTasks({ secretData: secretOf(h.creds), startDate: '2024-01-15', endDate: '2024-03-10' });
    expect(res.tasks.map((t) => [t.startDate, t.endDate, t.taskOptions?.month])).toEqual([
      ['2024-01-15', '2024-01-31', '202401'],
      ['2024-02-01', '2024-02-29', '202402'],
      ['2024-03-01', '2024-03-10', '202403'],
    ]);
    expect(new Set(res.tasks.map((t) => t.taskId)).size).toBe(3);
    expect(res.windows).toEqual([{ externalAccountId: ACCOUNT, startDate: '2024-01-15', endDate: '2024-03-10' }]);
  });
});

describe('Hyper Billing plugin: GetCostData', () => {
  it("gives a month's rows whose sum is exactly the fake's own total, one row per day, service and region", async () => {
    const rows = await rowsOf(task('2024-03-01', '2024-03-31'));
    const known = h.fake.dailyCosts(ACCOUNT, '202403');
    expect(rows).toHaveLength(known.length);
    expect(total(rows)).toBe(h.fake.monthTotal(ACCOUNT, '202403'));
    const first = rows[0];
    expect(first).toMatchObject({
      billedDate: known[0].date,
      externalAccountId: ACCOUNT,
      provider: 'hyperbilling',
      product: known[0].service,
      region: known[0].region,
      usageType: 'Usage',
      currency: 'USD',
      cost: known[0].amounts.final.toString(),
    });
    expect(first.additionalInfo).toMatchObject({ kind: 'daily_cost', granularity: 'DAILY', invoice_month: '202403', original_cost: known[0].amounts.cost.toString() });
    const credited = rows.find((r) => r.additionalInfo.credit !== '0');
    expect(credited).toBeDefined();
    expect(sumDecimals([credited!.additionalInfo.original_cost, credited!.additionalInfo.credit]).toString()).toBe(credited!.cost);
    const request = h.fake.requests.at(-1)!;
    expect(request.query).toMatchObject({ account_id: [ACCOUNT], months: ['202403'], kinds: ['daily_cost'] });
    expect(request.client_email).toBe(h.creds.client_email);
  });

  it('keeps only the days of the task when the task is part of a month', async () => {
    const rows = await rowsOf(task('2024-03-05', '2024-03-09'));
    const known = h.fake.dailyCosts(ACCOUNT, '202403').filter((r) => r.date >= '2024-03-05' && r.date <= '2024-03-09');
    expect(new Set(rows.map((r) => r.billedDate))).toEqual(new Set(['2024-03-05', '2024-03-06', '2024-03-07', '2024-03-08', '2024-03-09']));
    expect(total(rows)).toBe(sumDecimals(known.map((r) => r.amounts.final.toString())).toString());
  });

  it('pages through a long answer and still sums exactly', async () => {
    const paged = await startHarness({ fake: { pageSize: 25 } });
    try {
      const rows: CostRow[] = [];
      for await (const page of paged.client.getCostData({ secretData: secretOf(paged.creds), task: task('2024-02-01', '2024-02-29') })) rows.push(...page.rows);
      const entries = paged.fake.dailyCosts(ACCOUNT, '202402').length;
      expect(rows).toHaveLength(entries);
      expect(total(rows)).toBe(paged.fake.monthTotal(ACCOUNT, '202402'));
      expect(paged.fake.requests).toHaveLength(Math.ceil(entries / 25));
      expect(paged.fake.requests.slice(1).every((r) => r.query.page_token?.length === 1)).toBe(true);
    } finally {
      await paged.close();
    }
  });

  it('reports rows in the account currency with USD equivalents, and sends the platform of the account', async () => {
    h.fake.addAccount({ account_id: 'krw-gcp', currency: 'KRW', platform: 'google_cloud' });
    const c = h.fake.issueCredentials(['krw-gcp']);
    const rows = await rowsOf(task('2024-04-01', '2024-04-30'), secretOf(c), { account: { data: { platform: 'gcp' } } });
    expect(h.fake.requests.at(-1)!.query.platform).toEqual(['google_cloud']);
    expect(rows.every((r) => r.currency === 'KRW' && r.additionalInfo.platform === 'google_cloud')).toBe(true);
    expect(rows[0].additionalInfo.final_cost_in_usd).toMatch(/^\d+\.\d+$/);
    expect(total(rows)).toBe(h.fake.monthTotal('krw-gcp', '202404'));
  });

  it("places a monthly-only answer on the month's first day and says so", async () => {
    h.fake.addAccount({ account_id: 'monthly-only', grain: 'monthly' });
    const c = h.fake.issueCredentials(['monthly-only']);
    const rows = await rowsOf(task('2024-03-01', '2024-03-31'), secretOf(c));
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.billedDate === '2024-03-01' && r.additionalInfo.granularity === 'MONTHLY')).toBe(true);
    expect(rows[0].additionalInfo.note).toMatch(/monthly figure/);
    expect(total(rows)).toBe(h.fake.monthTotal('monthly-only', '202403'));

    const lines = h.lines.length;
    expect(await rowsOf(task('2024-03-05', '2024-03-31'), secretOf(c))).toEqual([]);
    expect(h.lines.slice(lines).join('')).toMatch(/monthly figures only/);
  });

  it('refuses a task that spans two months with INVALID_ARGUMENT', async () => {
    await expect(rowsOf({ taskId: 'x', startDate: '2024-03-30', endDate: '2024-04-02' })).rejects.toMatchObject({ code: 3, details: expect.stringMatching(/one calendar month/) });
  });

  it('gives no rows for a month with no cost yet', async () => {
    expect(await rowsOf(task('2024-07-01', '2024-07-31'))).toEqual([]);
  });
});
