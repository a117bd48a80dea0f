/**
 * Calendar dates of cost data: YYYY-MM-DD strings in UTC. Dates, months (YYYY-MM) and years
 * (YYYY) in this form compare correctly as strings.
 */

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/** True for a real calendar date written YYYY-MM-DD (2024-02-30 is not one). */
export function isRealDate(text: unknown): text is string {
  if (typeof text !== 'string') return false;
  const m = DATE.exec(text);
  if (!m) return false;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (y < 1 || mo < 1 || mo > 12 || d < 1) return false;
  return d <= daysInMonth(y, mo);
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Days since 1970-01-01 of a valid date. */
export function dayNumber(date: string): number {
  return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / DAY_MS;
}

/** The date of a day number. */
export function dateOfDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export const addDays = (date: string, days: number): string => dateOfDay(dayNumber(date) + days);

/** Days from start to end, both counted (1 when equal). */
export const daysInRange = (start: string, end: string): number => dayNumber(end) - dayNumber(start) + 1;

export const monthOf = (date: string): string => date.slice(0, 7);
export const yearOf = (dateOrMonth: string): string => dateOrMonth.slice(0, 4);

export const firstDayOf = (month: string): string => `${month}-01`;

export function lastDayOf(month: string): string {
  return `${month}-${String(daysInMonth(Number(month.slice(0, 4)), Number(month.slice(5, 7)))).padStart(2, '0')}`;
}

/** The month after a YYYY-MM month. */
export function nextMonth(month: string): string {
  const y = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7));
  return m === 12 ? `${String(y + 1).padStart(4, '0')}-01` : `${month.slice(0, 4)}-${String(m + 1).padStart(2, '0')}`;
}

/** Every date from start to end, inclusive. */
export function datesBetween(start: string, end: string): string[] {
  const out: string[] = [];
  for (let d = dayNumber(start), last = dayNumber(end); d <= last; d++) out.push(dateOfDay(d));
  return out;
}

/** Every month (YYYY-MM) touched by the range, in order. */
export function monthsBetween(start: string, end: string): string[] {
  const out: string[] = [];
  for (let m = monthOf(start), last = monthOf(end); m <= last; m = nextMonth(m)) out.push(m);
  return out;
}

/** Every year (YYYY) touched by the range, in order. */
export function yearsBetween(start: string, end: string): string[] {
  const out: string[] = [];
  for (let y = Number(yearOf(start)), last = Number(yearOf(end)); y <= last; y++) out.push(String(y).padStart(4, '0'));
  return out;
}
