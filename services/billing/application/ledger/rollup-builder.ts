import { LimbTotal } from './amount-limbs';
import {
  accountBucket,
  domainBucket,
  FAMILY_DIMS,
  type FamilyName,
  type Grain,
  type RollupDoc,
} from './rollup-families';

/** The pair a rollup document belongs to. */
export interface PairBase {
  domainId: string;
  dataSourceId: string;
  serviceAccountId: string;
}

/** Separates the parts of a group key: period, currency, then the family's dims in order. */
export const SEP = '\u0000';

export const groupKey = (period: string, currency: string, dims: readonly string[]): string => `${period}${SEP}${currency}${SEP}${dims.join(SEP)}`;

export interface Group {
  total: LimbTotal;
  rows: number;
}

/**
 * Adds amounts into the documents of one rollup family and grain, in memory. Groups are
 * keyed by groupKey (texts holding SEP are refused before they get here), so adding a row
 * allocates nothing once its group exists.
 */
export class RollupBuilder {
  private readonly groups = new Map<string, Group>();

  constructor(
    readonly family: FamilyName,
    readonly grain: Grain,
  ) {}

  get size(): number {
    return this.groups.size;
  }

  /** The running group of a key (created empty), for callers that cache it. */
  groupOf(key: string): Group {
    let g = this.groups.get(key);
    if (!g) {
      g = { total: new LimbTotal(), rows: 0 };
      this.groups.set(key, g);
    }
    return g;
  }

  add(period: string, currency: string, dims: readonly string[], a0: number, a1: number, a2: number, a3: number, rows: number): void {
    const g = this.groupOf(groupKey(period, currency, dims));
    g.total.add(a0, a1, a2, a3);
    g.rows += rows;
  }

  /** Groups as (period, currency, dims, total, rows). */
  *entries(): IterableIterator<{ period: string; currency: string; dims: string[]; total: LimbTotal; rows: number }> {
    for (const [key, g] of this.groups) {
      const [period, currency, ...dims] = key.split(SEP);
      yield { period, currency, dims, total: g.total, rows: g.rows };
    }
  }

  /** The documents, with ids idPrefix0, idPrefix1, ... */
  docs(base: PairBase, idPrefix: string): RollupDoc[] {
    const names = FAMILY_DIMS[this.family];
    const tagAt = names.indexOf('tag_key');
    const out: RollupDoc[] = [];
    let n = 0;
    for (const g of this.entries()) {
      const t = g.total.normalize();
      const doc: RollupDoc = {
        _id: `${idPrefix}${n++}`,
        domain_id: base.domainId,
        data_source_id: base.dataSourceId,
        service_account_id: base.serviceAccountId,
        month: g.period.slice(0, 7),
        currency: g.currency,
        provider: '',
        a0: t.a0,
        a1: t.a1,
        a2: t.a2,
        a3: t.a3,
        rows: g.rows,
        dk: domainBucket(base.domainId, this.grain, g.period, tagAt >= 0 ? g.dims[tagAt] : undefined),
        sk: accountBucket(base.domainId, base.serviceAccountId, this.grain, g.period),
      };
      if (this.grain === 'day') doc.date = g.period;
      else doc.year = g.period.slice(0, 4);
      names.forEach((name, i) => (doc[name] = g.dims[i]));
      out.push(doc);
    }
    return out;
  }
}

/** Rolls the groups of one builder up into another (coarser dims and/or the month grain). */
export function rollInto(
  from: RollupBuilder,
  to: RollupBuilder,
  pick: (dims: string[]) => string[],
  keep: (period: string) => boolean = () => true,
): void {
  for (const g of from.entries()) {
    if (!keep(g.period)) continue;
    const period = to.grain === 'month' && from.grain === 'day' ? g.period.slice(0, 7) : g.period;
    to.add(period, g.currency, pick(g.dims), g.total.a0, g.total.a1, g.total.a2, g.total.a3, g.rows);
  }
}
