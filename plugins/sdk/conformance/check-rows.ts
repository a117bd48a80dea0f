import { Decimal, DecimalError, isCurrencyCode } from '../../../lib/money';
import { isIsoDate, type DateRange } from '../dates';
import type { CostRow, ReplaceWindow } from '../types';
import { show } from './check-result';

/** What a row of one task is checked against. */
export interface RowRules {
  task: DateRange;
  range: DateRange;
  /** Init's providers; empty when Init failed (not checked then). */
  providers: ReadonlySet<string>;
  /** GetTasks' windows by external account id: every row must fall inside one. */
  windows: ReadonlyMap<string, DateRange[]>;
}

export function windowsByAccount(windows: ReplaceWindow[]): Map<string, DateRange[]> {
  const out = new Map<string, DateRange[]>();
  for (const w of windows) {
    const list = out.get(w.externalAccountId) ?? [];
    list.push({ start: w.startDate, end: w.endDate });
    out.set(w.externalAccountId, list);
  }
  return out;
}

function decimalProblem(text: string, field: string): string | undefined {
  if (text === '') return `${field} is empty: a plain decimal string such as "12.5" is expected`;
  try {
    Decimal.parse(text, field);
    return undefined;
  } catch (err) {
    if (err instanceof DecimalError) return err.message;
    throw err;
  }
}

/** The first thing wrong with the row, naming the field, or undefined. */
export function rowProblem(row: CostRow, rules: RowRules): string | undefined {
  const d = row.billedDate;
  if (!isIsoDate(d)) return `billed_date ${show(d)} is not a date YYYY-MM-DD`;
  if (d < rules.task.start || d > rules.task.end) return `billed_date ${d} is outside the task's ${rules.task.start}..${rules.task.end}`;
  if (d < rules.range.start || d > rules.range.end) return `billed_date ${d} is outside the requested ${rules.range.start}..${rules.range.end}`;
  if (!row.externalAccountId) return 'external_account_id is empty';
  if (!row.provider) return 'provider is empty';
  if (rules.providers.size && !rules.providers.has(row.provider)) return `provider ${show(row.provider)} is not among Init's providers (${[...rules.providers].join(', ')})`;
  if (!row.product) return 'product is empty';
  const money = decimalProblem(row.cost, 'cost') ?? decimalProblem(row.usageQuantity, 'usage_quantity');
  if (money) return money;
  if (!isCurrencyCode(row.currency)) return `currency ${show(row.currency)} is not an ISO 4217 code (e.g. USD)`;
  for (const key of Object.keys(row.tags)) if (!key.trim()) return `tags has an empty key (value ${show(row.tags[key], 60)})`;
  const windows = rules.windows.get(row.externalAccountId);
  if (!windows?.some((w) => d >= w.start && d <= w.end)) {
    return `no replace window of GetTasks covers account ${show(row.externalAccountId)} on ${d}: a re-sync could not replace this row`;
  }
  return undefined;
}
