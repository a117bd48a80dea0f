import { invalidArgument } from '../../../../lib/errors/domain-error';
import { isCurrencyCode } from '../../../../lib/money';
import type { CostRowInput } from '../ports';
import { MAX_AMOUNT_INTEGER_DIGITS, parseLimbsInto } from './amount-limbs';

const PLAIN_DECIMAL = /^[+-]?\d{1,40}(\.\d{1,18})?$/;
const TEXT_FIELDS = ['provider', 'product', 'region', 'usage_type', 'resource_id', 'usage_unit'] as const;

const show = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v) : typeof v);
const bad = (field: string, message: string, reason = 'LEDGER.INVALID_ROW') => invalidArgument(reason, field, `${field}: ${message}`);

function checkMap(map: unknown, field: string): void {
  if (map === undefined || map === null) return;
  if (typeof map !== 'object' || Array.isArray(map)) throw bad(field, 'must be a map of strings');
  for (const k of Object.keys(map)) {
    const v = (map as Record<string, unknown>)[k];
    if (typeof v !== 'string') throw bad(`${field}.${k.slice(0, 40)}`, 'must be a string');
    if (k.includes('\u0000') || v.includes('\u0000')) throw bad(`${field}.${k.slice(0, 40)}`, 'may not hold NUL characters');
  }
}

/**
 * Checks a batch of rows before any is kept, and writes each row's cost limbs at out[4i..4i+3]:
 * each date must be a date inside the writer's windows (`inWindows`), the cost a plain decimal
 * of at most 15 integer and 18 fractional digits, the currency an ISO 4217 code, texts strings
 * (without NUL). The ledger does not trust its caller to have checked.
 * Throws INVALID_ARGUMENT naming rows[i].<field>.
 */
export function checkRows(
  rows: readonly CostRowInput[],
  inWindows: (date: string) => boolean | 'not-a-date',
  windowsText: string,
  out: Float64Array,
): void {
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    const at = `rows[${i}]`;
    if (r === null || typeof r !== 'object') throw bad(at, 'must be a cost row');
    const date = r.billed_date;
    const ok = typeof date === 'string' ? inWindows(date) : 'not-a-date';
    if (ok === 'not-a-date') throw bad(`${at}.billed_date`, `${show(date)} is not a date YYYY-MM-DD`);
    if (!ok) throw bad(`${at}.billed_date`, `${date} is outside the windows this write replaces (${windowsText})`, 'LEDGER.ROW_OUTSIDE_WINDOWS');
    for (const f of TEXT_FIELDS) {
      const v = r[f];
      if (typeof v !== 'string') throw bad(`${at}.${f}`, 'must be a string');
      if (v.includes('\u0000')) throw bad(`${at}.${f}`, 'may not hold NUL characters');
    }
    if (r.provider === '') throw bad(`${at}.provider`, 'is empty');
    if (!parseLimbsInto(r.cost, out, 4 * i))
      throw bad(`${at}.cost`, `${show(r.cost)} is not a plain decimal with at most ${MAX_AMOUNT_INTEGER_DIGITS} integer and 18 fractional digits`);
    if (typeof r.usage_quantity !== 'string' || !PLAIN_DECIMAL.test(r.usage_quantity))
      throw bad(`${at}.usage_quantity`, `${show(r.usage_quantity)} is not a plain decimal`);
    if (!isCurrencyCode(r.currency)) throw bad(`${at}.currency`, `${show(r.currency)} is not an ISO 4217 code such as USD`);
    checkMap(r.tags, `${at}.tags`);
    checkMap(r.additional_info, `${at}.additional_info`);
  }
}
