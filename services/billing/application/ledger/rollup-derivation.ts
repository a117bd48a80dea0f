import { addGroup, childOf, type DayGroups } from './day-groups';
import { RollupBuilder, SEP, type Group } from './rollup-builder';
import type { FamilyName } from './rollup-families';

/** The rollups a writer's day groups give, before they become documents. */
export interface DerivedRollups {
  day: Record<Exclude<FamilyName, 'fine'>, RollupBuilder>;
  /** Months the windows cover entirely. */
  month: Record<FamilyName, RollupBuilder>;
  /** fine at the month grain for the window days of months covered only in part. */
  partialFine: RollupBuilder;
}

/** The month groups of one (month, currency, provider), nested as the day groups are. */
interface MonthGroups {
  /** month SEP currency SEP provider */
  key: string;
  fine: Map<string, Map<string, Map<string, Group>>>;
  product: Map<string, Group>;
  provider: Group | null;
  tags: Map<string, Map<string, Group>>;
}

const newMap = <V>() => new Map<string, V>();

/**
 * Derives every rollup from the writer's fine and tag day groups in one pass over them. The
 * nested maps of the day groups are walked (nothing is parsed); a group key is built only when
 * a derived group first appears: `date|month SEP currency SEP provider` followed by the family's
 * dims, as rollup-builder's groupKey gives them.
 */
export function deriveRollups(days: DayGroups, fullMonth: (month: string) => boolean): DerivedRollups {
  const out: DerivedRollups = {
    day: { product: new RollupBuilder('product', 'day'), provider: new RollupBuilder('provider', 'day'), tag: new RollupBuilder('tag', 'day') },
    month: {
      fine: new RollupBuilder('fine', 'month'),
      product: new RollupBuilder('product', 'month'),
      provider: new RollupBuilder('provider', 'month'),
      tag: new RollupBuilder('tag', 'month'),
    },
    partialFine: new RollupBuilder('fine', 'month'),
  };
  const full = new Map<string, boolean>();
  const months = new Map<string, MonthGroups>();
  for (const bg of days.values()) {
    const month = bg.date.slice(0, 7);
    let whole = full.get(month);
    if (whole === undefined) full.set(month, (whole = fullMonth(month)));
    const key = month + SEP + bg.currency + SEP + bg.provider;
    const mg = childOf(months, key, () => ({ key, fine: new Map(), product: new Map(), provider: null, tags: new Map() }));
    const fineMonth = whole ? out.month.fine : out.partialFine;
    const providerDay = out.day.provider.groupOf(bg.base);
    const providerMonth = whole ? (mg.provider ??= out.month.provider.groupOf(key)) : null;
    for (const [product, byRegion] of bg.fine) {
      const productDay = out.day.product.groupOf(bg.base + SEP + product);
      const productMonth = whole ? childOf(mg.product, product, () => out.month.product.groupOf(key + SEP + product)) : null;
      const fineByRegion = childOf(mg.fine, product, newMap<Map<string, Group>>);
      for (const [region, byType] of byRegion) {
        const fineByType = childOf(fineByRegion, region, newMap<Group>);
        for (const [usageType, g] of byType) {
          addGroup(providerDay, g);
          addGroup(productDay, g);
          if (providerMonth) addGroup(providerMonth, g);
          if (productMonth) addGroup(productMonth, g);
          addGroup(
            childOf(fineByType, usageType, () => fineMonth.groupOf(key + SEP + product + SEP + region + SEP + usageType)),
            g,
          );
        }
      }
    }
    for (const [tagKey, byValue] of bg.tags) {
      const monthByValue = whole ? childOf(mg.tags, tagKey, newMap<Group>) : null;
      for (const [value, g] of byValue) {
        addGroup(out.day.tag.groupOf(bg.base + SEP + tagKey + SEP + value), g);
        if (monthByValue) addGroup(childOf(monthByValue, value, () => out.month.tag.groupOf(key + SEP + tagKey + SEP + value)), g);
      }
    }
  }
  return out;
}
