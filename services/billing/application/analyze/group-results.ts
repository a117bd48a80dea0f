import type { AnalyzeGroup } from '../../../../gen/tally/billing/v1/cost';
import { Decimal } from '../../../../lib/money';
import type { SortKey } from './analyze-request';
import { OTHERS } from './analyze-schema';

/** One group being built: its key values and an exact amount per period. */
export interface GroupTotals {
  values: string[];
  periods: Map<string, Decimal>;
  total: Decimal;
}

function compareGroups(a: GroupTotals, b: GroupTotals, sort: readonly SortKey[], groupBy: readonly string[]): number {
  for (const s of sort) {
    let c: number;
    if (s.key === 'total') c = a.total.compare(b.total);
    else {
      const i = groupBy.indexOf(s.key);
      c = a.values[i] < b.values[i] ? -1 : a.values[i] > b.values[i] ? 1 : 0;
    }
    if (c !== 0) return s.desc ? -c : c;
  }
  for (let i = 0; i < a.values.length; i++) {
    if (a.values[i] !== b.values[i]) return a.values[i] < b.values[i] ? -1 : 1;
  }
  return 0;
}

function toGroup(g: GroupTotals, groupBy: readonly string[], periods: readonly string[]): AnalyzeGroup {
  const keys: Record<string, string> = {};
  groupBy.forEach((k, i) => (keys[k] = g.values[i]));
  return {
    keys,
    series: periods.map((period) => ({ period, cost: (g.periods.get(period) ?? Decimal.ZERO).toString() })),
    total: g.total.toString(),
  };
}

/** Sorts the groups, keeps `limit` (0: all) and sums the rest into one "(others)" group. */
export function shapeGroups(
  groups: GroupTotals[],
  groupBy: readonly string[],
  periods: readonly string[],
  sort: readonly SortKey[],
  limit: number,
): AnalyzeGroup[] {
  groups.sort((a, b) => compareGroups(a, b, sort, groupBy));
  if (limit === 0 || groups.length <= limit) return groups.map((g) => toGroup(g, groupBy, periods));
  const shown = groups.slice(0, limit).map((g) => toGroup(g, groupBy, periods));
  const others: GroupTotals = { values: groupBy.map(() => OTHERS), periods: new Map(), total: Decimal.ZERO };
  for (const g of groups.slice(limit)) {
    others.total = others.total.add(g.total);
    for (const [p, v] of g.periods) others.periods.set(p, (others.periods.get(p) ?? Decimal.ZERO).add(v));
  }
  shown.push(toGroup(others, groupBy, periods));
  return shown;
}
