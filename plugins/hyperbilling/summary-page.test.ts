import { parseExactJson } from './exact-json';
import { InvalidSummaryError, readSummaryPage } from './summary-page';

const item = (entry: Record<string, unknown>) => ({ kind: 'daily_cost', month: '202109', data: [{ project_id: 'p', project_name: 'P', data: [entry] }] });
const read = (v: unknown) => readSummaryPage(parseExactJson(JSON.stringify(v)));

describe('summary page', () => {
  it('reads the bare list the billing-v1 API answered, with amounts as JSON numbers, exactly', () => {
    const text =
      '[{"kind": "daily_cost", "month": "202109", "data": [{"project_id": "p1", "data": [{"invoice_month": "202109", "date": "2021-09-10", ' +
      '"costs": [{"cost": 3777.55956, "credit": 0, "final_cost": 3777.559560000000000001, "final_cost_in_usd": 3.231224, "currency": "KRW"}]}]}]}]';
    const page = readSummaryPage(parseExactJson(text));
    expect(page.nextPageToken).toBeUndefined();
    expect(page.entries).toEqual([
      {
        kind: 'daily_cost',
        projectId: 'p1',
        projectName: undefined,
        invoiceMonth: '202109',
        date: '2021-09-10',
        serviceName: undefined,
        regionId: undefined,
        costs: [{ cost: '3777.55956', credit: '0', finalCost: '3777.559560000000000001', costInUsd: undefined, creditInUsd: undefined, finalCostInUsd: '3.231224', currency: 'KRW' }],
      },
    ]);
  });

  it('reads the paged form with next_page_token', () => {
    const page = read({ results: [item({ invoice_month: '202109', costs: [{ final_cost: '1.50', currency: 'USD' }] })], next_page_token: 'abc' });
    expect(page.nextPageToken).toBe('abc');
    expect(page.entries[0].costs[0].finalCost).toBe('1.5');
  });

  it('names the path of data it cannot read', () => {
    const cases: [unknown, RegExp][] = [
      [{ results: {} }, /^\$\.results: expected a list/],
      [{ results: [item({ invoice_month: '202109', costs: [{ final_cost: 'abc', currency: 'USD' }] })] }, /results\[0\]\.data\[0\]\.data\[0\]\.costs\[0\]\.final_cost: "abc" is not a decimal/],
      [{ results: [item({ invoice_month: '202109', costs: [{ final_cost: '1', currency: 'usd' }] })] }, /currency: "usd" is not an ISO 4217/],
      [{ results: [item({ invoice_month: '2021-09', costs: [] })] }, /invoice_month: expected YYYYMM/],
      [{ results: [item({ invoice_month: '202109', date: '2021-09-31', costs: [] })] }, /date: expected YYYY-MM-DD/],
      [{ results: [item({ invoice_month: '202109', costs: [{ currency: 'USD' }] })] }, /final_cost: missing/],
      [{ results: [{ month: '202109', data: [] }] }, /results\[0\]\.kind: missing/],
    ];
    for (const [body, message] of cases) {
      expect(() => read(body)).toThrow(InvalidSummaryError);
      expect(() => read(body)).toThrow(message);
    }
  });
});
