/**
 * Which dates a sync pulls (inclusive YYYY-MM-DD ranges, UTC).
 *
 * - First sync of an account by a data source: `first_sync_months` whole months before the
 *   current month, plus the current month to date (12 on 2024-06-15: 2023-06-01..2024-06-15).
 *   Starting on a month's first day keeps every monthly total of the dashboard complete.
 * - Later syncs re-pull the recent window: the current month to date; while today's day of the
 *   month is at most `recentWindowDays` (default 5) also the whole previous month, because
 *   providers keep adjusting last month's bill in the first days of a month. When the account's
 *   last successful sync is older than that, the window reaches back to the first day of that
 *   sync's month (never further than a first sync would), so a stretch of failed syncs leaves no gap.
 */
import type { DateWindow } from '../ports';

export const DEFAULT_RECENT_WINDOW_DAYS = 5;

const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The first day of the month `offset` months from the month of `date` (YYYY-MM-DD). */
export function monthStart(date: string, offset = 0): string {
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7)) - 1;
  return iso(Date.UTC(y, m + offset, 1));
}

export const todayOf = (now: Date): string => now.toISOString().slice(0, 10);

export function firstSyncWindow(today: string, months: number): DateWindow {
  return { start: monthStart(today, -Math.max(0, Math.floor(months))), end: today };
}

/** lastSynced: the account's last successful sync by this data source (ISO date-time), if any. */
export function recentWindow(today: string, recentWindowDays: number, lastSynced?: string, firstSyncMonths = 12): DateWindow {
  const dayOfMonth = Number(today.slice(8, 10));
  let start = monthStart(today, dayOfMonth <= recentWindowDays ? -1 : 0);
  if (lastSynced && /^\d{4}-\d{2}-\d{2}/.test(lastSynced)) {
    const since = monthStart(lastSynced.slice(0, 10));
    const floor = firstSyncWindow(today, firstSyncMonths).start;
    if (since < start) start = since < floor ? floor : since;
  }
  return { start, end: today };
}

/** Whole days in the window (both ends included). */
export function windowDays(w: DateWindow): number {
  return Math.round((Date.parse(`${w.end}T00:00:00Z`) - Date.parse(`${w.start}T00:00:00Z`)) / 86_400_000) + 1;
}

/** The smallest window covering both. */
export const hull = (a: DateWindow, b: DateWindow): DateWindow => ({
  start: a.start < b.start ? a.start : b.start,
  end: a.end > b.end ? a.end : b.end,
});

/** The part of w inside bounds, or null when they do not meet. */
export function clip(w: DateWindow, bounds: DateWindow): DateWindow | null {
  const start = w.start > bounds.start ? w.start : bounds.start;
  const end = w.end < bounds.end ? w.end : bounds.end;
  return start <= end ? { start, end } : null;
}
