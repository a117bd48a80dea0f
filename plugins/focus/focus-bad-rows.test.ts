import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Decimal } from '../../lib/money';
import type { CostRow, TaskReport } from '../sdk';
import { servePluginForTest, type ServedPlugin } from '../testing/served-plugin';
import { createFocusPlugin } from './plugin';
import { accountOfRow, rewriteSample, SAMPLE_RANGE, sampleRows } from './testing/sample';

const BIG = '11353890204';
let served: ServedPlugin;
let dir: string;
beforeAll(async () => {
  served = await servePluginForTest(createFocusPlugin());
  dir = mkdtempSync(join(tmpdir(), 'focus-bad-'));
});
afterAll(async () => {
  await served?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const account = { serviceAccountId: 'sa-1', externalAccountId: BIG, provider: 'focus', data: { account_id: BIG } };
const task = { taskId: 't', startDate: SAMPLE_RANGE.start, endDate: SAMPLE_RANGE.end };

async function pull(file: string, options: Record<string, unknown> = {}): Promise<CostRow[]> {
  return (await pullWithReport(file, options)).rows;
}

async function pullWithReport(file: string, options: Record<string, unknown> = {}): Promise<{ rows: CostRow[]; report?: TaskReport }> {
  const rows: CostRow[] = [];
  let report: TaskReport | undefined;
  for await (const page of served.client.getCostData({ secretData: { location: join(dir, file) }, options, account, task })) {
    rows.push(...page.rows);
    report = page.report;
  }
  return { rows, report };
}
const failure = (p: Promise<unknown>) => p.then(() => null, (e: { code: number; details: string }) => ({ code: e.code, details: e.details }));
const total = (rs: { cost?: string; BilledCost?: string }[]) => rs.reduce((a, r) => a.add(Decimal.parse((r.cost ?? r.BilledCost)!)), Decimal.ZERO).toString();

/** The sample with one record (index k after the header, on line k + 2) changed by fn. */
function withBadRecord(name: string, k: number, fn: (record: string[], header: string[]) => string[]): string {
  writeFileSync(join(dir, name), rewriteSample((rs) => rs.map((r, i) => (i === k + 1 ? fn([...r], rs[0]) : r))));
  return name;
}
const set = (column: string, value: string) => (r: string[], h: string[]) => {
  r[h.indexOf(column)] = value;
  return r;
};

const cases: [string, (r: string[], h: string[]) => string[], RegExp][] = [
  ['bad decimal', set('BilledCost', '12.5.1'), /^bad-decimal\.csv:7:BilledCost: "12\.5\.1" is not a decimal number$/],
  ['exponent', set('BilledCost', '1e-7'), /^exponent\.csv:7:BilledCost: "1e-7" uses exponent notation/],
  ['bad date', set('ChargePeriodStart', '2024-09-31 10:00:00'), /^bad-date\.csv:7:ChargePeriodStart: "2024-09-31 10:00:00" is not a date-time/],
  ['unknown currency', set('BillingCurrency', 'XYZ'), /^unknown-currency\.csv:7:BillingCurrency: "XYZ" is not an ISO 4217 currency code$/],
  ['wrong field count', (r) => r.slice(0, -2), /^wrong-field-count\.csv:7:SubAccountName: 42 fields where the header has 44 \(SubAccountName and after are missing\)$/],
  ['extra field', (r) => [...r, 'x'], /^extra-field\.csv:7:Tags: 45 fields where the header has 44 \(extra fields after Tags\)$/],
  ['bad tags', set('Tags', '{"a": '), /^bad-tags\.csv:7:Tags: .* is not a JSON object$/],
];

describe('FOCUS plugin: bad rows are reported with file, line and column', () => {
  it.each(cases)('%s: fail (default) ends the task with INVALID_ARGUMENT naming file:line:column', async (kind, fn, message) => {
    const file = withBadRecord(`${kind.replace(/ /g, '-')}.csv`, 5, fn);
    const err = await failure(pull(file));
    expect(err).toEqual({ code: 3, details: expect.stringMatching(message) });
  });

  it.each(cases)('%s: skip leaves the row out, counts it and says which it was', async (kind, fn) => {
    const file = withBadRecord(`${kind.replace(/ /g, '-')}-skip.csv`, 5, fn);
    const { rows: got, report } = await pullWithReport(file, { on_bad_rows: 'skip' });
    const rows = sampleRows().filter((_, i) => i !== 5);
    expect(total(got)).toBe(total(rows.filter((r) => accountOfRow(r) === BIG)));
    expect(report?.skippedRecords).toBe('1');
    expect(report?.notes[0]).toMatch(new RegExp(`^skipped ${file.replace('.', '\\.')}:7:`));
    expect(served.lines.some((l) => l.includes('unreadable rows were skipped') && l.includes(`${file}:7:`))).toBe(true);
  });

  it('skip counts every bad row of the export', async () => {
    writeFileSync(
      join(dir, 'many.csv'),
      rewriteSample((rs) =>
        rs.map((r, i) => {
          const h = rs[0];
          if (i === 3) return set('BilledCost', 'abc')([...r], h);
          if (i === 10) return set('ChargePeriodStart', 'yesterday')([...r], h);
          if (i === 20) return set('BillingCurrency', 'ZZZ')([...r], h);
          if (i === 30) return r.slice(0, 10);
          return r;
        }),
      ),
    );
    const { report } = await pullWithReport('many.csv', { on_bad_rows: 'skip' });
    expect(report?.skippedRecords).toBe('4');
    expect(report?.notes.filter((n) => n.startsWith('skipped ')).map((n) => n.split(': ')[0])).toEqual([
      'skipped many.csv:4:BilledCost',
      'skipped many.csv:11:ChargePeriodStart',
      'skipped many.csv:21:BillingCurrency',
      'skipped many.csv:31:ChargeFrequency',
    ]);
  });

  it('a header without mandatory columns fails under either option, naming the file and every missing column', async () => {
    const drop = (names: string[]) => (rs: string[][]) => {
      const idx = names.map((n) => rs[0].indexOf(n));
      return rs.map((r) => r.filter((_, i) => !idx.includes(i)));
    };
    writeFileSync(join(dir, 'no-currency.csv'), rewriteSample(drop(['BillingCurrency', 'ChargePeriodStart'])));
    const expected = { code: 3, details: 'no-currency.csv:1: the header lacks the mandatory columns BillingCurrency, ChargePeriodStart' };
    expect(await failure(pull('no-currency.csv'))).toEqual(expected);
    expect(await failure(pull('no-currency.csv', { on_bad_rows: 'skip' }))).toEqual(expected);
    expect(await failure(served.client.verify({ secretData: { location: join(dir, 'no-currency.csv') }, account }))).toEqual(expected);
    writeFileSync(join(dir, 'no-effective.csv'), rewriteSample(drop(['EffectiveCost'])));
    expect(await pull('no-effective.csv')).not.toHaveLength(0);
    expect(await failure(pull('no-effective.csv', { cost_column: 'EffectiveCost' }))).toEqual({
      code: 3,
      details: 'no-effective.csv:1: the header lacks the mandatory column EffectiveCost',
    });
  });

  it('an unterminated quote is reported with its line; an empty file and a corrupt gzip are INVALID_ARGUMENT', async () => {
    writeFileSync(join(dir, 'open-quote.csv'), rewriteSample((rs) => rs.slice(0, 4)) + '"AWS,0.1\n');
    expect(await failure(pull('open-quote.csv'))).toEqual({ code: 3, details: 'open-quote.csv:5: the file ends inside a quoted field' });
    writeFileSync(join(dir, 'empty.csv'), '');
    expect(await failure(pull('empty.csv'))).toEqual({ code: 3, details: 'empty.csv: the file is empty (no header)' });
    writeFileSync(join(dir, 'broken.csv.gz'), Buffer.from([0x1f, 0x8b, 1, 2, 3, 4, 5]));
    expect(await failure(pull('broken.csv.gz'))).toMatchObject({ code: 3, details: expect.stringMatching(/^broken\.csv\.gz: not a valid gzip file/) });
  });
});
