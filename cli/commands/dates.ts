import { UsageError, type Flags } from '../args';

/** A `YYYY-MM-DD` flag, checked; undefined when absent. */
export function checkDate(flags: Flags, name: string): string | undefined {
  const v = flags.get(name);
  if (v === undefined) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00Z`))) throw new UsageError(`--${name} must be a date YYYY-MM-DD (not ${JSON.stringify(v)})`);
  return v;
}

export const today = () => new Date().toISOString().slice(0, 10);

/** The first day of the month, `months` months before this one. */
export function monthsAgo(months: number): string {
  const d = new Date();
  d.setUTCMonth(d.getUTCMonth() - months, 1);
  return d.toISOString().slice(0, 10);
}
