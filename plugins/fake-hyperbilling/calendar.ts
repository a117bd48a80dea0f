/** Calendar helpers on UTC `YYYYMM` months and `YYYY-MM-DD` dates. */

export const MONTH = /^(\d{4})(0[1-9]|1[0-2])$/;

/** The days of a YYYYMM month, as YYYY-MM-DD. */
export function daysOfMonth(month: string): string[] {
  const m = MONTH.exec(month);
  if (!m) throw new RangeError(`not a YYYYMM month: ${month}`);
  const year = Number(m[1]);
  const mon = Number(m[2]);
  const count = new Date(Date.UTC(year, mon, 0)).getUTCDate();
  return Array.from({ length: count }, (_, i) => `${m[1]}-${m[2]}-${String(i + 1).padStart(2, '0')}`);
}

/** Today's date in UTC, YYYY-MM-DD. */
export const todayUtc = (): string => new Date().toISOString().slice(0, 10);
