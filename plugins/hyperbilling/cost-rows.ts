import type { CostRowInput, DateRange } from '../sdk';
import type { SummaryEntry } from './summary-page';

/** The kind the plugin asks for: cost per day, service and region. */
export const DAILY_KIND = 'daily_cost';
/** What a row's usage_type says: the cost of using the service (credits are netted in). */
export const USAGE_TYPE = 'Usage';
/** product of a row the API did not break down by service. */
export const ALL_SERVICES = 'All services';

export interface RowContext {
  accountId: string;
  provider: string;
  platform?: string;
  /** Rows outside this inclusive range are not the task's and are left out. */
  range: DateRange;
}

export interface MappedRows {
  rows: CostRowInput[];
  /** Monthly figures of the task's month left out because its first day is before the task's range. */
  monthlyOutside: number;
}

const firstDay = (yyyymm: string) => `${yyyymm.slice(0, 4)}-${yyyymm.slice(4, 6)}-01`;

/**
 * Maps summary entries to cost rows: product = service name, region = region id, cost = the
 * final cost (credits applied) in the record's currency, exactly. The original cost, the credit
 * and the USD equivalents go to additional_info. An entry without a date is a monthly figure:
 * it lands on its month's first day, and additional_info says so.
 *
 * When the answer mixes kinds, only daily_cost entries are used (the API may add other kinds,
 * and using two kinds would count the same cost twice); an answer without any daily_cost entry
 * is used as it is (a coarser answer to the daily question).
 */
export function rowsFromEntries(entries: SummaryEntry[], ctx: RowContext): MappedRows {
  const daily = entries.filter((e) => e.kind === DAILY_KIND);
  const used = daily.length > 0 ? daily : entries;
  const rows: CostRowInput[] = [];
  let monthlyOutside = 0;
  for (const e of used) {
    const monthly = e.date === undefined;
    const billedDate = e.date ?? firstDay(e.invoiceMonth);
    if (billedDate < ctx.range.start || billedDate > ctx.range.end) {
      if (monthly && billedDate < ctx.range.start && e.invoiceMonth === ctx.range.start.slice(0, 7).replace('-', '')) monthlyOutside++;
      continue;
    }
    for (const c of e.costs) {
      const info: Record<string, string> = {
        kind: e.kind,
        invoice_month: e.invoiceMonth,
        granularity: monthly ? 'MONTHLY' : 'DAILY',
      };
      if (monthly) info.note = `Hyper Billing gave a monthly figure for ${e.invoiceMonth}; it is placed on the month's first day`;
      if (c.cost !== undefined) info.original_cost = c.cost;
      if (c.credit !== undefined) info.credit = c.credit;
      if (c.costInUsd !== undefined) info.original_cost_in_usd = c.costInUsd;
      if (c.creditInUsd !== undefined) info.credit_in_usd = c.creditInUsd;
      if (c.finalCostInUsd !== undefined) info.final_cost_in_usd = c.finalCostInUsd;
      if (e.projectId !== undefined) info.project_id = e.projectId;
      if (e.projectName !== undefined) info.project_name = e.projectName;
      if (ctx.platform) info.platform = ctx.platform;
      rows.push({
        billedDate,
        externalAccountId: ctx.accountId,
        provider: ctx.provider,
        product: e.serviceName || ALL_SERVICES,
        region: e.regionId ?? '',
        usageType: USAGE_TYPE,
        resourceId: '',
        usageQuantity: '0',
        usageUnit: '',
        cost: c.finalCost,
        currency: c.currency,
        tags: {},
        additionalInfo: info,
      });
    }
  }
  return { rows, monthlyOutside };
}
