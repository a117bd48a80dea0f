import { DomainError } from '../../../../lib/errors/domain-error';
import { Decimal, DECIMAL_LIMITS, isCurrencyCode } from '../../../../lib/money';
import { isIsoDate } from '../../../../plugins/sdk';
import type { CostRowInput, DateWindow } from '../ports';
import type { CostRow } from './plugin-port';

/** What every row of one task must agree with. */
export interface RowRules {
  taskId: string;
  /** The task's own range. */
  task: DateWindow;
  /** The job's window. */
  job: DateWindow;
  /** The windows the job replaces (rows outside them would never be replaced by a re-sync). */
  replaced: DateWindow[];
  externalAccountId: string;
  provider: string;
  /** The plugin's default currency; '' when it has none. */
  currency: string;
}

const MAX_TEXT = 512;
const MAX_RESOURCE_ID = 2048;
const MAX_MAP_ENTRIES = 100;
const MAX_MAP_KEY = 512;
const MAX_MAP_VALUE = 2048;

const show = (v: string) => JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
const range = (w: DateWindow) => `${w.start}..${w.end}`;
const inside = (d: string, w: DateWindow) => d >= w.start && d <= w.end;

/** The reason every malformed row fails its job with. */
export const MALFORMED_ROW = 'PLUGIN.MALFORMED_ROW';

function malformed(rules: RowRules, rowNumber: number, field: string, why: string): never {
  throw new DomainError('INVALID_ARGUMENT', MALFORMED_ROW, `row ${rowNumber} of task ${show(rules.taskId)}: ${field} ${why}; fix the plugin or the source data`, field);
}

function inReplaced(date: string, replaced: readonly DateWindow[]): boolean {
  for (let i = 0; i < replaced.length; i++) if (inside(date, replaced[i])) return true;
  return false;
}

/** The date last found good for a task's rules (rows come mostly in date order). Rules are not changed once in use. */
const passed: { date: string; rules: RowRules | null } = { date: '', rules: null };

function checkDate(date: string, rowNumber: number, rules: RowRules): void {
  if (!isDate(date)) malformed(rules, rowNumber, 'billed_date', `${show(String(date ?? ''))} is not a date YYYY-MM-DD`);
  if (!inside(date, rules.task)) malformed(rules, rowNumber, 'billed_date', `${date} is outside the task's range ${range(rules.task)}`);
  if (!inside(date, rules.job)) malformed(rules, rowNumber, 'billed_date', `${date} is outside the job's window ${range(rules.job)}`);
  if (!inReplaced(date, rules.replaced))
    malformed(rules, rowNumber, 'billed_date', `${date} is outside the windows the plugin said it replaces (${rules.replaced.map(range).join(', ')})`);
}

/** The last currency found to be an ISO 4217 code (rows of a task mostly share one). */
let knownCurrency: string | null = null;

/**
 * Checks one row from a plugin and returns it in the ledger's shape (canonical decimals, the
 * default currency and provider filled in; its tags and additional info are the row's own
 * maps, not copies). A malformed row throws INVALID_ARGUMENT PLUGIN.MALFORMED_ROW naming the
 * row (1-based within its task) and the field.
 */
export function validateRow(row: CostRow, rowNumber: number, rules: RowRules): CostRowInput {
  const date = row.billedDate;
  if (date !== passed.date || rules !== passed.rules) {
    checkDate(date, rowNumber, rules);
    passed.date = date;
    passed.rules = rules;
  }

  if (row.externalAccountId !== rules.externalAccountId)
    malformed(rules, rowNumber, 'external_account_id', `${show(row.externalAccountId)} is not this service account's (${show(rules.externalAccountId)})`);
  const provider = row.provider || rules.provider;
  if (provider !== rules.provider) malformed(rules, rowNumber, 'provider', `${show(provider)} is not this service account's provider (${show(rules.provider)})`);

  const product = row.product.trim();
  if (!product) malformed(rules, rowNumber, 'product', 'is empty');
  if (product.length > MAX_TEXT) malformed(rules, rowNumber, 'product', `is longer than ${MAX_TEXT} characters`);
  if (row.region.length > MAX_TEXT) malformed(rules, rowNumber, 'region', `is longer than ${MAX_TEXT} characters`);
  if (row.usageType.length > MAX_TEXT) malformed(rules, rowNumber, 'usage_type', `is longer than ${MAX_TEXT} characters`);
  if (row.usageUnit.length > MAX_TEXT) malformed(rules, rowNumber, 'usage_unit', `is longer than ${MAX_TEXT} characters`);
  if (row.resourceId.length > MAX_RESOURCE_ID) malformed(rules, rowNumber, 'resource_id', `is longer than ${MAX_RESOURCE_ID} characters`);

  const cost = decimal(row.cost, 'cost', rules, rowNumber);
  const usageQuantity = row.usageQuantity === '' ? '0' : decimal(row.usageQuantity, 'usage_quantity', rules, rowNumber);
  const currency = row.currency || rules.currency;
  if (currency !== knownCurrency) {
    if (!currency) malformed(rules, rowNumber, 'currency', 'is empty and the plugin declares no default currency');
    if (!isCurrencyCode(currency)) malformed(rules, rowNumber, 'currency', `${show(currency)} is not an ISO 4217 code such as USD`);
    knownCurrency = currency;
  }

  return {
    billed_date: date,
    provider,
    product,
    region: row.region,
    usage_type: row.usageType,
    resource_id: row.resourceId,
    usage_quantity: usageQuantity,
    usage_unit: row.usageUnit,
    cost,
    currency,
    tags: checkMap(row.tags, 'tags', rules, rowNumber),
    additional_info: checkMap(row.additionalInfo, 'additional_info', rules, rowNumber),
  };
}

/** Dates already found to be real dates (a pure check; rows of a task share few dates). */
const realDates = new Set<string>();

function isDate(date: unknown): date is string {
  if (typeof date === 'string' && realDates.has(date)) return true;
  if (!isIsoDate(date)) return false;
  if (realDates.size >= 4096) realDates.clear();
  realDates.add(date);
  return true;
}

const MAX_DECIMAL_TEXT = DECIMAL_LIMITS.maxTextLength;
const MAX_INT_DIGITS = DECIMAL_LIMITS.maxIntegerDigits;
const MAX_FRACTION_DIGITS = DECIMAL_LIMITS.maxScale;

function isDigitAt(text: string, at: number): boolean {
  const c = text.charCodeAt(at);
  return c >= 48 && c <= 57;
}

/**
 * The canonical text of a plain decimal in range, exactly as Decimal.parse(text).toString()
 * would give it (no leading integer zeros, no trailing fractional zeros, "0" for zero, no
 * "+"), without BigInt; null for anything else (the caller then lets Decimal.parse explain).
 */
export function canonicalDecimal(text: string): string | null {
  const len = text.length;
  if (len === 0 || len > MAX_DECIMAL_TEXT) return null;
  let i = 0;
  const sign = text.charCodeAt(0);
  if (sign === 45 || sign === 43) i = 1;
  const intStart = i;
  while (i < len && isDigitAt(text, i)) i++;
  const intEnd = i;
  if (intEnd === intStart) return null;
  let fracStart = len;
  let fracEnd = len;
  if (i < len) {
    if (text.charCodeAt(i) !== 46) return null;
    fracStart = ++i;
    while (i < len && isDigitAt(text, i)) i++;
    if (i === fracStart || i !== len) return null;
    fracEnd = len;
    while (fracEnd > fracStart && text.charCodeAt(fracEnd - 1) === 48) fracEnd--;
  }
  let is = intStart;
  while (is < intEnd - 1 && text.charCodeAt(is) === 48) is++;
  if (intEnd - is > MAX_INT_DIGITS || fracEnd - fracStart > MAX_FRACTION_DIGITS) return null;
  const fraction = fracEnd > fracStart;
  const zero = !fraction && intEnd - is === 1 && text.charCodeAt(is) === 48;
  if (zero) return '0';
  const start = sign === 45 ? 0 : is;
  const end = fraction ? fracEnd : intEnd;
  // Already canonical from `start` (only a leading '+' or zeros, or trailing zeros, to drop)?
  if (sign !== 45 || is === intStart) return start === 0 && end === len ? text : text.slice(start, end);
  return `-${text.slice(is, end)}`;
}

function decimal(text: string, field: string, rules: RowRules, rowNumber: number): string {
  if (text === '') return malformed(rules, rowNumber, field, 'is empty');
  if (typeof text === 'string') {
    const canonical = canonicalDecimal(text);
    if (canonical !== null) return canonical;
  }
  try {
    return Decimal.parse(text, field).toString();
  } catch (err) {
    // Decimal's message starts with the field name already.
    const message = err instanceof Error ? err.message : 'is not a plain decimal number';
    return malformed(rules, rowNumber, field, message.startsWith(`${field}: `) ? message.slice(field.length + 2) : message);
  }
}

/** The map itself when it passes (rows come by the million: it is not copied), {} when absent. */
function checkMap(map: Record<string, string> | undefined, field: string, rules: RowRules, rowNumber: number): Record<string, string> {
  if (map === undefined || map === null) return {};
  const keys = Object.keys(map);
  if (keys.length > MAX_MAP_ENTRIES) malformed(rules, rowNumber, field, `has ${keys.length} entries; at most ${MAX_MAP_ENTRIES} are kept`);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    const v = map[k];
    if (k.length > MAX_MAP_KEY) malformed(rules, rowNumber, `${field}`, `has a key longer than ${MAX_MAP_KEY} characters`);
    if (v.length > MAX_MAP_VALUE) malformed(rules, rowNumber, `${field}.${k.slice(0, 40)}`, `is longer than ${MAX_MAP_VALUE} characters`);
  }
  return map;
}
