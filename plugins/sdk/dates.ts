import { invalidArgument } from '../../lib/errors/domain-error';

/** Inclusive range of YYYY-MM-DD dates (UTC). */
export interface DateRange {
  start: string;
  end: string;
}

const DAY_MS = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date written YYYY-MM-DD ("2024-02-30" is false). */
export function isIsoDate(text: unknown): text is string {
  if (typeof text !== 'string') return false;
  const m = ISO_DATE.exec(text);
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3];
}

/** Dates in YYYY-MM-DD order compare as strings; this says so by name. */
export const compareDates = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const toMs = (date: string) => Date.parse(`${date}T00:00:00Z`);
const fromMs = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export const addDays = (date: string, days: number): string => fromMs(toMs(date) + days * DAY_MS);

export const todayUtc = (now: Date = new Date()): string => now.toISOString().slice(0, 10);

/** Every date of the range, in order (empty when start > end). */
export function daysInRange({ start, end }: DateRange): string[] {
  const out: string[] = [];
  for (let ms = toMs(start), last = toMs(end); ms <= last; ms += DAY_MS) out.push(fromMs(ms));
  return out;
}

/** The range cut at calendar month boundaries: one piece per month it touches. */
export function monthsInRange({ start, end }: DateRange): DateRange[] {
  const out: DateRange[] = [];
  let from = start;
  while (from <= end) {
    const d = new Date(toMs(from));
    const monthEnd = fromMs(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0));
    const to = monthEnd < end ? monthEnd : end;
    out.push({ start: from, end: to });
    from = addDays(to, 1);
  }
  return out;
}

/** Checks a request's range: both YYYY-MM-DD and start <= end, else INVALID_ARGUMENT. */
export function assertDateRange(start: unknown, end: unknown, field = ''): DateRange {
  const prefix = field ? `${field}.` : '';
  if (!isIsoDate(start)) throw invalidArgument('PLUGIN.INVALID_DATE', `${prefix}start_date`, `${prefix}start_date must be a date YYYY-MM-DD, got ${JSON.stringify(String(start ?? '')).slice(0, 40)}`);
  if (!isIsoDate(end)) throw invalidArgument('PLUGIN.INVALID_DATE', `${prefix}end_date`, `${prefix}end_date must be a date YYYY-MM-DD, got ${JSON.stringify(String(end ?? '')).slice(0, 40)}`);
  if (start > end) throw invalidArgument('PLUGIN.INVALID_DATE_RANGE', `${prefix}end_date`, `${prefix}end_date ${end} is before ${prefix}start_date ${start}`);
  return { start, end };
}
