import type { FakeAccount } from './accounts';
import { AMOUNT_SCALE, addAmounts, type CostAmounts, type CostModel, type DailyCost } from './cost-model';

/** The kinds the fake answers; the real API also has cost_by_country and usage_detail. */
export const SUMMARY_KINDS = ['daily_cost', 'monthly_cost', 'cost_by_service', 'cost_by_region'] as const;
export type SummaryKind = (typeof SUMMARY_KINDS)[number];
export const isSummaryKind = (k: string): k is SummaryKind => (SUMMARY_KINDS as readonly string[]).includes(k);

/** One cost record as the API writes it: every amount a decimal string. */
export interface CostRecordJson {
  cost: string;
  credit: string;
  final_cost: string;
  cost_in_usd: string;
  credit_in_usd: string;
  final_cost_in_usd: string;
  currency: string;
}

/** One entry of a project's data: an invoice month, optionally a date, a service or a region. */
export interface EntryJson {
  invoice_month: string;
  date?: string;
  service_name?: string;
  region_id?: string;
  multi_region?: boolean;
  costs: CostRecordJson[];
}

/** One item of the answer: a kind and a month, then per-project entries. */
export interface SummaryItemJson {
  kind: SummaryKind;
  month: string;
  data: { project_id: string; project_name: string; data: EntryJson[] }[];
}

/** An entry with the kind and month it belongs to (the unit of paging). */
export interface FlatEntry {
  kind: SummaryKind;
  month: string;
  entry: EntryJson;
}

export function costRecordJson(a: CostAmounts): CostRecordJson {
  const f = (d: CostAmounts['cost']) => d.toFixed(AMOUNT_SCALE);
  return {
    cost: f(a.cost),
    credit: f(a.credit),
    final_cost: f(a.final),
    cost_in_usd: f(a.costUsd),
    credit_in_usd: f(a.creditUsd),
    final_cost_in_usd: f(a.finalUsd),
    currency: a.currency,
  };
}

/** Sums daily records by a key, keeping the first-seen order of keys. */
function groupBy(records: DailyCost[], key: (r: DailyCost) => string): Map<string, { first: DailyCost; sum: CostAmounts }> {
  const out = new Map<string, { first: DailyCost; sum: CostAmounts }>();
  for (const r of records) {
    const k = key(r);
    const g = out.get(k);
    if (g) g.sum = addAmounts(g.sum, r.amounts);
    else out.set(k, { first: r, sum: r.amounts });
  }
  return out;
}

function entriesFor(kind: SummaryKind, account: FakeAccount, month: string, daily: DailyCost[]): EntryJson[] {
  const invoice_month = month;
  switch (kind) {
    case 'daily_cost':
      if (account.grain === 'monthly') {
        // No daily breakdown for this account: one entry per service and region for the month.
        return [...groupBy(daily, (r) => `${r.service}\u0000${r.region}`).values()].map(({ first, sum }) => ({
          invoice_month,
          service_name: first.service,
          region_id: first.region,
          costs: [costRecordJson(sum)],
        }));
      }
      return daily.map((r) => ({
        invoice_month,
        date: r.date,
        service_name: r.service,
        region_id: r.region,
        costs: [costRecordJson(r.amounts)],
      }));
    case 'monthly_cost': {
      const all = groupBy(daily, () => '').get('');
      return all ? [{ invoice_month, costs: [costRecordJson(all.sum)] }] : [];
    }
    case 'cost_by_service':
      return [...groupBy(daily, (r) => r.service).values()].map(({ first, sum }) => ({
        invoice_month,
        service_name: first.service,
        costs: [costRecordJson(sum)],
      }));
    case 'cost_by_region':
      return [...groupBy(daily, (r) => r.region).values()].map(({ first, sum }) => ({
        invoice_month,
        region_id: first.region,
        multi_region: first.region === 'global' || first.region === 'us',
        costs: [costRecordJson(sum)],
      }));
  }
}

/** Every entry of the answer, in order: by kind as asked, then month as asked. */
export function summaryEntries(model: CostModel, account: FakeAccount, months: string[], kinds: SummaryKind[]): FlatEntry[] {
  const out: FlatEntry[] = [];
  const dailyByMonth = new Map(months.map((m) => [m, model.daily(account, m)]));
  for (const kind of kinds) {
    for (const month of months) {
      for (const entry of entriesFor(kind, account, month, dailyByMonth.get(month) ?? [])) out.push({ kind, month, entry });
    }
  }
  return out;
}

/** Groups a page of entries back into items (consecutive entries of one kind and month). */
export function assembleItems(account: FakeAccount, entries: FlatEntry[]): SummaryItemJson[] {
  const items: SummaryItemJson[] = [];
  for (const e of entries) {
    let item = items[items.length - 1];
    if (!item || item.kind !== e.kind || item.month !== e.month) {
      item = { kind: e.kind, month: e.month, data: [{ project_id: account.account_id, project_name: account.name, data: [] }] };
      items.push(item);
    }
    item.data[0].data.push(e.entry);
  }
  return items;
}
