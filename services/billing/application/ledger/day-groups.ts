import { LimbTotal } from './amount-limbs';
import type { Slotted } from './chunk-layout';
import { SEP, type Group } from './rollup-builder';

/** A day group, which also knows its entry in the segment its date's rows are written to. */
export interface DayGroup extends Group, Slotted {}

/**
 * The day groups of one (date, currency, provider): fine groups by product, region and usage
 * type, tag groups by key and value. Nested maps of the row's own texts, so adding a row builds
 * no key.
 */
export interface BaseGroups {
  date: string;
  currency: string;
  provider: string;
  /** date SEP currency SEP provider */
  base: string;
  /** product -> region -> usage_type -> group */
  fine: Map<string, Map<string, Map<string, DayGroup>>>;
  /** tag key -> tag value -> group */
  tags: Map<string, Map<string, DayGroup>>;
}

const newDayGroup = (): DayGroup => ({ total: new LimbTotal(), rows: 0, segment: 0, slot: 0 });

/** Adds one group's total and rows into another. */
export function addGroup(to: Group, from: Group): void {
  to.total.add(from.total.a0, from.total.a1, from.total.a2, from.total.a3);
  to.rows += from.rows;
}

/** The child of a map (created by make when missing). */
export function childOf<V>(map: Map<string, V>, key: string, make: () => V): V {
  let v = map.get(key);
  if (v === undefined) {
    v = make();
    map.set(key, v);
  }
  return v;
}

/** The fine and tag day groups of a writer, by (date, currency, provider). */
export class DayGroups {
  private readonly bases = new Map<string, BaseGroups>();
  private last: BaseGroups | null = null;

  /** The groups of one (date, currency, provider); consecutive rows mostly share it. */
  of(date: string, currency: string, provider: string): BaseGroups {
    const last = this.last;
    if (last !== null && last.date === date && last.currency === currency && last.provider === provider) return last;
    const base = date + SEP + currency + SEP + provider;
    let found = this.bases.get(base);
    if (!found) {
      found = { date, currency, provider, base, fine: new Map(), tags: new Map() };
      this.bases.set(base, found);
    }
    this.last = found;
    return found;
  }

  fine(bg: BaseGroups, product: string, region: string, usageType: string): DayGroup {
    let byRegion = bg.fine.get(product);
    if (byRegion === undefined) {
      byRegion = new Map();
      bg.fine.set(product, byRegion);
    }
    let byType = byRegion.get(region);
    if (byType === undefined) {
      byType = new Map();
      byRegion.set(region, byType);
    }
    let g = byType.get(usageType);
    if (g === undefined) {
      g = newDayGroup();
      byType.set(usageType, g);
    }
    return g;
  }

  tag(bg: BaseGroups, key: string, value: string): DayGroup {
    let byValue = bg.tags.get(key);
    if (byValue === undefined) {
      byValue = new Map();
      bg.tags.set(key, byValue);
    }
    let g = byValue.get(value);
    if (g === undefined) {
      g = newDayGroup();
      byValue.set(value, g);
    }
    return g;
  }

  values(): IterableIterator<BaseGroups> {
    return this.bases.values();
  }
}
