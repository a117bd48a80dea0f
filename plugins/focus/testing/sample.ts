import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Decimal } from '../../../lib/money';

/**
 * The real FOCUS 1.0 sample (1,000 rows; AWS, Microsoft, Oracle; September 2024), in the shared
 * folder beside the repository (TALLY_SHARED_DIR overrides where that is).
 */
export const SAMPLE = join(process.env.TALLY_SHARED_DIR ?? join(__dirname, '..', '..', '..', '..', 'shared'), 'data', 'focus', 'focus_sample_1.0.csv');
export const SAMPLE_RANGE = { start: '2024-09-01', end: '2024-09-30' } as const;

/**
 * A whole CSV text as records, by a regex tokenizer independent of the plugin's streaming reader
 * (tests compare the two): quoted fields with doubled quotes, CRLF or LF.
 */
export function parseCsvText(text: string): string[][] {
  const records: string[][] = [];
  let fields: string[] = [];
  const token = /("(?:[^"]|"")*"|[^,\r\n]*)(,|\r\n|\n|$)/gy;
  let m: RegExpExecArray | null;
  while (token.lastIndex < text.length && (m = token.exec(text))) {
    const raw = m[1];
    fields.push(raw.startsWith('"') ? raw.slice(1, -1).replace(/""/g, '"') : raw);
    if (m[2] !== ',') {
      records.push(fields);
      fields = [];
      if (m[2] === '') break;
    }
  }
  return records;
}

/** The sample's rows as objects keyed by column. */
export function sampleRows(path = SAMPLE): Record<string, string>[] {
  const [header, ...rows] = parseCsvText(readFileSync(path, 'utf8'));
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
}

const isNull = (v: string | undefined) => v === undefined || v === '' || v === 'NULL';
export const accountOfRow = (r: Record<string, string>): string => (isNull(r.SubAccountId) ? r.BillingAccountId : r.SubAccountId);

/** Sum of a cost column per group, exact (Decimal), as plain decimal text. */
export function sums(rows: Record<string, string>[], by: (r: Record<string, string>) => string, column = 'BilledCost'): Record<string, string> {
  const acc = new Map<string, Decimal>();
  for (const r of rows) acc.set(by(r), (acc.get(by(r)) ?? Decimal.ZERO).add(Decimal.parse(r[column])));
  return Object.fromEntries([...acc].map(([k, v]) => [k, v.toString()]));
}

/** The sample's text, with records rewritten by fn (header included as index 0), as CSV text. */
export function rewriteSample(fn: (records: string[][]) => string[][], path = SAMPLE): string {
  const records = fn(parseCsvText(readFileSync(path, 'utf8')));
  return records.map((r) => r.map(quote).join(',')).join('\r\n') + '\r\n';
}

const quote = (v: string) => (v === 'NULL' || /^-?\d+(\.\d+)?$/.test(v) ? v : `"${v.replace(/"/g, '""')}"`);
