import { RollupBuilder, SEP } from './rollup-builder';
import type { FamilyName } from './rollup-families';

/** The rollups a writer's day groups give, before they become documents. */
export interface DerivedRollups {
  day: Record<Exclude<FamilyName, 'fine'>, RollupBuilder>;
  /** Months the windows cover entirely. */
  month: Record<FamilyName, RollupBuilder>;
  /** fine at the month grain for the window days of months covered only in part. */
  partialFine: RollupBuilder;
}

/**
 * Derives every rollup from the fine and tag day groups in one pass. Group keys are
 * `date SEP currency SEP provider SEP product SEP region SEP usage_type` (fine) and
 * `date SEP currency SEP provider SEP tag_key SEP tag_value` (tag): a coarser family's key is a
 * prefix, and a month key swaps the date (10 characters) for its month (7), so nothing is parsed.
 */
export function deriveRollups(fineDay: RollupBuilder, tagDay: RollupBuilder, fullMonth: (month: string) => boolean): DerivedRollups {
  const out: DerivedRollups = {
    day: { product: new RollupBuilder('product', 'day'), provider: new RollupBuilder('provider', 'day'), tag: tagDay },
    month: {
      fine: new RollupBuilder('fine', 'month'),
      product: new RollupBuilder('product', 'month'),
      provider: new RollupBuilder('provider', 'month'),
      tag: new RollupBuilder('tag', 'month'),
    },
    partialFine: new RollupBuilder('fine', 'month'),
  };
  const full = new Map<string, boolean>();
  const isFull = (month: string) => {
    let f = full.get(month);
    if (f === undefined) full.set(month, (f = fullMonth(month)));
    return f;
  };
  fineDay.forEachGroup((key, t, rows) => {
    const afterProvider = key.indexOf(SEP, key.indexOf(SEP, 11) + 1);
    const afterProduct = key.indexOf(SEP, afterProvider + 1);
    out.day.product.addKey(key.slice(0, afterProduct), t.a0, t.a1, t.a2, t.a3, rows);
    out.day.provider.addKey(key.slice(0, afterProvider), t.a0, t.a1, t.a2, t.a3, rows);
    const month = key.slice(0, 7);
    if (isFull(month)) {
      out.month.fine.addKey(month + key.slice(10), t.a0, t.a1, t.a2, t.a3, rows);
      out.month.product.addKey(month + key.slice(10, afterProduct), t.a0, t.a1, t.a2, t.a3, rows);
      out.month.provider.addKey(month + key.slice(10, afterProvider), t.a0, t.a1, t.a2, t.a3, rows);
    } else {
      out.partialFine.addKey(month + key.slice(10), t.a0, t.a1, t.a2, t.a3, rows);
    }
  });
  tagDay.forEachGroup((key, t, rows) => {
    const month = key.slice(0, 7);
    if (isFull(month)) out.month.tag.addKey(month + key.slice(10), t.a0, t.a1, t.a2, t.a3, rows);
  });
  return out;
}
