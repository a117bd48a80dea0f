import { invalidArgument } from '../../../../lib/errors/domain-error';
import { isCurrencyCode } from '../../../../lib/money';
import type { CostRowInput } from '../ports';
import { MAX_AMOUNT_INTEGER_DIGITS, parseLimbsInto } from './amount-limbs';

const MAX_QUANTITY_INTEGER_DIGITS = 40;
const MAX_QUANTITY_FRACTION_DIGITS = 18;

const show = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v) : typeof v);
const bad = (i: number, field: string, message: string, reason = 'LEDGER.INVALID_ROW') => {
  const at = `rows[${i}]${field ? `.${field}` : ''}`;
  return invalidArgument(reason, at, `${at}: ${message}`);
};

const isDigit = (c: number) => c >= 48 && c <= 57;

/** A plain decimal: an optional sign, 1 to 40 digits, then optionally a point and 1 to 18 digits. */
function isPlainDecimal(text: unknown): boolean {
  if (typeof text !== 'string') return false;
  const len = text.length;
  let i = 0;
  const sign = text.charCodeAt(0);
  if (sign === 45 || sign === 43) i = 1;
  const intStart = i;
  while (i < len && isDigit(text.charCodeAt(i))) i++;
  const intDigits = i - intStart;
  if (intDigits === 0 || intDigits > MAX_QUANTITY_INTEGER_DIGITS) return false;
  if (i === len) return true;
  if (text.charCodeAt(i) !== 46) return false;
  const fracStart = ++i;
  while (i < len && isDigit(text.charCodeAt(i))) i++;
  return i === len && i > fracStart && i - fracStart <= MAX_QUANTITY_FRACTION_DIGITS;
}

/** A text field: a string without NUL. */
function badText(v: unknown): string | null {
  if (typeof v !== 'string') return 'must be a string';
  return v.includes('\u0000') ? 'may not hold NUL characters' : null;
}

/** The entries of a map of strings as [key, value, key, value, ...]. */
function flatMap(map: unknown, i: number, field: string): string[] {
  const out: string[] = [];
  if (map === undefined || map === null) return out;
  if (typeof map !== 'object' || Array.isArray(map)) throw bad(i, field, 'must be a map of strings');
  const keys = Object.keys(map);
  for (let j = 0; j < keys.length; j++) {
    const k = keys[j];
    const v = (map as Record<string, unknown>)[k];
    if (typeof v !== 'string') throw bad(i, `${field}.${k.slice(0, 40)}`, 'must be a string');
    if (k.includes('\u0000') || v.includes('\u0000')) throw bad(i, `${field}.${k.slice(0, 40)}`, 'may not hold NUL characters');
    out.push(k, v);
  }
  return out;
}

/** A batch of checked rows: each row's cost limbs at limbs[4i..4i+3], its tags and additional info flat. */
export interface CheckedRows {
  limbs: Float64Array;
  tags: string[][];
  info: string[][];
}

/**
 * Checks a batch of rows before any is kept: each date must be a date inside the writer's
 * windows (`inWindows`), the cost a plain decimal of at most 15 integer and 18 fractional
 * digits, the currency an ISO 4217 code, texts strings (without NUL). The ledger does not trust
 * its caller to have checked. Throws INVALID_ARGUMENT naming rows[i].<field>.
 */
export function checkRows(rows: readonly CostRowInput[], inWindows: (date: string) => boolean | 'not-a-date', windowsText: string): CheckedRows {
  const checked: CheckedRows = { limbs: new Float64Array(4 * rows.length), tags: new Array(rows.length), info: new Array(rows.length) };
  // Rows of a batch mostly share their currency: it is looked up once per change.
  let knownCurrency: string | null = null;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (r === null || typeof r !== 'object') throw bad(i, '', 'must be a cost row');
    const date = r.billed_date;
    const ok = typeof date === 'string' ? inWindows(date) : 'not-a-date';
    if (ok === 'not-a-date') throw bad(i, 'billed_date', `${show(date)} is not a date YYYY-MM-DD`);
    if (!ok) throw bad(i, 'billed_date', `${date} is outside the windows this write replaces (${windowsText})`, 'LEDGER.ROW_OUTSIDE_WINDOWS');
    let why: string | null;
    if ((why = badText(r.provider))) throw bad(i, 'provider', why);
    if ((why = badText(r.product))) throw bad(i, 'product', why);
    if ((why = badText(r.region))) throw bad(i, 'region', why);
    if ((why = badText(r.usage_type))) throw bad(i, 'usage_type', why);
    if ((why = badText(r.resource_id))) throw bad(i, 'resource_id', why);
    if ((why = badText(r.usage_unit))) throw bad(i, 'usage_unit', why);
    if (r.provider === '') throw bad(i, 'provider', 'is empty');
    if (!parseLimbsInto(r.cost, checked.limbs, 4 * i))
      throw bad(i, 'cost', `${show(r.cost)} is not a plain decimal with at most ${MAX_AMOUNT_INTEGER_DIGITS} integer and 18 fractional digits`);
    if (!isPlainDecimal(r.usage_quantity)) throw bad(i, 'usage_quantity', `${show(r.usage_quantity)} is not a plain decimal`);
    if (r.currency !== knownCurrency) {
      if (!isCurrencyCode(r.currency)) throw bad(i, 'currency', `${show(r.currency)} is not an ISO 4217 code such as USD`);
      knownCurrency = r.currency;
    }
    checked.tags[i] = flatMap(r.tags, i, 'tags');
    checked.info[i] = flatMap(r.additional_info, i, 'additional_info');
  }
  return checked;
}
