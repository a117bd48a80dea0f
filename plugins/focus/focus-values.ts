import { DECIMAL_LIMITS, isCurrencyCode } from '../../lib/money';

/** Fixed scale of amounts while they are summed: 18 fractional digits, Decimal's most. */
export const SUM_SCALE = DECIMAL_LIMITS.maxScale;


const DECIMAL = /^([+-]?)(\d+)(?:\.(\d*))?$/;
const ZEROS = '0'.repeat(SUM_SCALE);

/**
 * A plain decimal as an integer of SUM_SCALE fractional digits, exactly; a string saying why not
 * otherwise. No exponent, grouping or spaces: what Decimal.parse accepts (a trailing point too).
 */
export function scaledDecimal(text: string): bigint | string {
  const m = DECIMAL.exec(text);
  if (!m) {
    if (/^[+-]?(\d+\.?\d*|\.\d+)[eE][+-]?\d+$/.test(text)) return `"${clip(text)}" uses exponent notation, not a plain decimal`;
    return `"${clip(text)}" is not a decimal number`;
  }
  const [, sign, int, rawFrac = ''] = m;
  const frac = rawFrac.length > SUM_SCALE ? rawFrac.replace(/0+$/, '') : rawFrac;
  if (frac.length > SUM_SCALE) return `"${clip(text)}" has more than ${SUM_SCALE} fractional digits`;
  const digits = int.replace(/^0+(?=\d)/, '');
  if (digits.length > DECIMAL_LIMITS.maxIntegerDigits) return `"${clip(text)}" has more than ${DECIMAL_LIMITS.maxIntegerDigits} integer digits`;
  const units = BigInt(digits + frac + ZEROS.slice(frac.length));
  return sign === '-' ? -units : units;
}

/** How a timestamp was written, when it is not the spec's `YYYY-MM-DDTHH:MM:SSZ`. */
export type TimestampForm = 'canonical' | 'space_no_zone' | 'no_zone' | 'date_only' | 'offset';

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})(?:([T ])(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/;

/** The UTC date (YYYY-MM-DD) of a FOCUS timestamp and the form it was in; a string saying why not otherwise. */
export function utcDay(text: string): { day: string; form: TimestampForm } | string {
  const m = TIMESTAMP.exec(text);
  const bad = `"${clip(text)}" is not a date-time (YYYY-MM-DDTHH:MM:SSZ)`;
  if (!m) return bad;
  const [, y, mo, d, sep, h = '00', mi = '00', s = '00', , zone] = m;
  const year = +y;
  const month = +mo;
  const dayOfMonth = +d;
  const hour = +h;
  const minute = +mi;
  const second = +s;
  if (month < 1 || month > 12 || dayOfMonth < 1 || dayOfMonth > daysIn(year, month) || hour > 23 || minute > 59 || second > 59) return bad;
  let form: TimestampForm;
  if (!sep) form = 'date_only';
  else if (!zone) form = sep === ' ' ? 'space_no_zone' : 'no_zone';
  else if (zone === 'Z' || /^[+-]00:?00$/.test(zone)) form = sep === 'T' ? 'canonical' : 'space_no_zone';
  else form = 'offset';
  if (form !== 'offset') return { day: `${y}-${mo}-${d}`, form };
  const sign = zone![0] === '-' ? -1 : 1;
  const offsetMinutes = sign * (+zone!.slice(1, 3) * 60 + +zone!.slice(-2));
  const ms = Date.UTC(year, month - 1, dayOfMonth, hour, minute, second) - offsetMinutes * 60_000;
  return { day: new Date(ms).toISOString().slice(0, 10), form };
}

const daysIn = (y: number, m: number) => (m === 2 ? (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31);

/** An ISO 4217 code, or a string saying why not. */
export function currencyCode(text: string): string | { problem: string } {
  if (isCurrencyCode(text)) return text;
  return { problem: `"${clip(text)}" is not an ISO 4217 currency code` };
}

/**
 * The Tags column (a JSON object) as a flat map of strings: strings as they are, numbers and
 * booleans as JSON writes them, null as empty, nested objects and arrays as their JSON text.
 * A string saying why not when it is not a JSON object.
 */
export function flattenTags(text: string): Record<string, string> | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return `"${clip(text)}" is not a JSON object`;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return `"${clip(text)}" is not a JSON object`;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
    if (k === '') continue;
    out[k] = typeof v === 'string' ? v : v === null ? '' : JSON.stringify(v);
  }
  return out;
}

export const clip = (s: string, max = 60): string => (s.length <= max ? s : `${s.slice(0, max)}...`);
