// Dates of cost data are YYYY-MM-DD in UTC.

export const iso = (d) => d.toISOString().slice(0, 10);
export const today = () => iso(new Date());

export function monthStart(offsetMonths = 0, from = new Date()) {
  const d = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth() + offsetMonths, 1));
  return iso(d);
}

export function monthEnd(offsetMonths = 0, from = new Date()) {
  const d = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth() + offsetMonths + 1, 0));
  return iso(d);
}

/** The dashboard's periods. */
export const PERIODS = {
  '12m': { label: 'Last 12 months', range: () => [monthStart(-11), today()] },
  '6m': { label: 'Last 6 months', range: () => [monthStart(-5), today()] },
  '3m': { label: 'Last 3 months', range: () => [monthStart(-2), today()] },
  ytd: { label: 'This year', range: () => [`${today().slice(0, 4)}-01-01`, today()] },
};

/** "2026-03" -> "Mar 2026"; days stay as they are. */
export function periodLabel(p) {
  if (/^\d{4}-\d{2}$/.test(p)) {
    const d = new Date(`${p}-01T00:00:00Z`);
    return d.toLocaleDateString(undefined, { month: 'short', year: 'numeric', timeZone: 'UTC' });
  }
  return p;
}

export function dateTime(ts) {
  if (!ts) return '—';
  const d = new Date(ts);
  return Number.isNaN(d.getTime()) ? String(ts) : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
