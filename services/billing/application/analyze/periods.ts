import { datesBetween, monthsBetween, yearsBetween } from '../ledger/calendar';
import type { GranularityName } from './analyze-request';

/** Every period of the range, in order: dates, months (YYYY-MM), years, or the range itself. */
export function periodsOf(granularity: GranularityName, start: string, end: string): string[] {
  switch (granularity) {
    case 'DAILY':
      return datesBetween(start, end);
    case 'MONTHLY':
      return monthsBetween(start, end);
    case 'YEARLY':
      return yearsBetween(start, end);
    default:
      return [accumulatedPeriod(start, end)];
  }
}

/** The ACCUMULATED period: the range as an ISO 8601 interval, start/end. */
export const accumulatedPeriod = (start: string, end: string): string => `${start}/${end}`;

/** The period a date or a month (YYYY-MM) falls in. */
export function periodOf(granularity: GranularityName, dateOrMonth: string, accumulated: string): string {
  switch (granularity) {
    case 'DAILY':
      return dateOrMonth;
    case 'MONTHLY':
      return dateOrMonth.slice(0, 7);
    case 'YEARLY':
      return dateOrMonth.slice(0, 4);
    default:
      return accumulated;
  }
}
