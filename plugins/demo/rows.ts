import { daysInRange, type CostRow, type DateRange } from '../sdk';
import { CURRENCIES, REGIONS, TAG_SETS, USAGE_KINDS } from './catalog';
import { unitsToDecimal } from './decimal-text';
import { hash4 } from './hash';

export const DEMO_PROVIDER = 'demo';

export interface RowPlan {
  seed: number;
  /** Linked account ids the rows are spread over. */
  accounts: readonly string[];
  rowsPerDay: number;
  range: DateRange;
}

/** The linked accounts of a service account: itself, or `<id>-001`... when there are several. */
export function linkedAccounts(externalAccountId: string, count: number): string[] {
  if (count === 1) return [externalAccountId];
  return Array.from({ length: count }, (_, k) => `${externalAccountId}-${String(k + 1).padStart(3, '0')}`);
}

/** The one currency a linked account bills in (stable for a seed and account). */
export function currencyOf(seed: number, account: string): (typeof CURRENCIES)[number] {
  let h = seed;
  for (let i = 0; i < account.length; i++) h = hash4(h, account.charCodeAt(i), i, 7);
  return CURRENCIES[h % CURRENCIES.length];
}

/** Resource ids by row index, shared by every generator (grown on demand, never rebuilt). */
const resourceIds: string[] = [];
function resourceIdsUpTo(n: number): readonly string[] {
  for (let i = resourceIds.length; i < n; i++) resourceIds.push(i < USAGE_KINDS.length * REGIONS.length ? '' : `res-${i.toString(36).padStart(5, '0')}`);
  return resourceIds;
}

const dayNumber = (date: string) => Date.parse(`${date}T00:00:00Z`) / 86_400_000;

/**
 * The plan's rows, lazily: day by day, account by account, `rowsPerDay` rows each. Row i of a
 * day is one (product, usage type, region[, resource]) combination; its quantity varies with a
 * hash of (seed, day, account, i) and its cost is quantity x unit price in integer micro-units
 * of the account's currency. Nothing is built ahead beyond one string per day and account; the
 * only per-row allocations are the row and its two amount strings.
 */
export function* demoRows(plan: RowPlan): Generator<CostRow, void, undefined> {
  const ids = resourceIdsUpTo(plan.rowsPerDay);
  const kinds = USAGE_KINDS.length;
  const regions = REGIONS.length;
  const currencies = plan.accounts.map((a) => currencyOf(plan.seed, a));
  for (const date of daysInRange(plan.range)) {
    const day = dayNumber(date);
    for (let a = 0; a < plan.accounts.length; a++) {
      const account = plan.accounts[a];
      const currency = currencies[a];
      for (let i = 0; i < plan.rowsPerDay; i++) {
        const kind = USAGE_KINDS[i % kinds];
        const h = hash4(plan.seed, day, a, i);
        // Quantity: 50%..150% of the usual daily quantity, in milli-units.
        const scaled = kind.dailyMilli * (50 + (h % 101));
        const qtyMilli = (scaled - (scaled % 100)) / 100;
        // Cost: quantity x price, in micro-USD, then in micro-units of the account's currency.
        const usd = qtyMilli * kind.priceMicroUsd;
        const costUsdMicro = (usd - (usd % 1000)) / 1000;
        const local = costUsdMicro * currency.per100Usd;
        const costMicro = (local - (local % 100)) / 100;
        yield {
          billedDate: date,
          externalAccountId: account,
          provider: DEMO_PROVIDER,
          product: kind.product,
          region: REGIONS[((i / kinds) | 0) % regions],
          usageType: kind.usageType,
          resourceId: ids[i],
          usageQuantity: unitsToDecimal(qtyMilli, 3),
          usageUnit: kind.unit,
          cost: unitsToDecimal(costMicro, 6),
          currency: currency.code,
          tags: TAG_SETS[(h >>> 8) % TAG_SETS.length],
          additionalInfo: kind.additionalInfo,
        };
      }
    }
  }
}
