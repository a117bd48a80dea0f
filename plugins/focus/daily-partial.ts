import { KEPT_PROBLEMS } from './bad-rows';
import { LimbSum } from './decimal-limbs';
import { InterpretationCounts } from './interpretations';
import { TupleIndex } from './tuple-index';

/** Parts of a bucket key: ids of day, account, provider, service, region, charge category, currency, tags. */
export const KEY_PARTS = 8;

/** One daily bucket while it is summed. */
export interface Bucket {
  /** The ids it is keyed by (KEY_PARTS of them, numbered by the thread's TextIds). */
  key: Int32Array;
  day: string;
  account: string;
  provider: string;
  service: string;
  region: string;
  chargeCategory: string;
  currency: string;
  tags: Record<string, string>;
  /** The tags as sorted [key, value] pairs in JSON: how they take part in the key and the order. */
  tagsKey: string;
  cost: LimbSum;
  quantity: LimbSum;
  /** The unit of the summed quantities; null before the first one. */
  unit: string | null;
  mixedUnits: boolean;
  lineItems: number;
}

/** A bucket as it crosses threads: its texts, its exact limb sums and its counts. */
export type BucketData = [
  day: string,
  account: string,
  provider: string,
  service: string,
  region: string,
  chargeCategory: string,
  currency: string,
  tagsKey: string,
  unit: string | null,
  mixedUnits: boolean,
  lineItems: number,
  cost: number[],
  quantity: number[],
];

/** A bad row of a piece: its line counts from the piece's first line (1). */
export interface PieceProblem {
  line: number;
  column: string;
  problem: string;
}

/** Texts numbered in the order first seen: the ids bucket keys are made of (one set per thread). */
export class TextIds {
  private readonly ids = new Map<string, number>();

  id(text: string): number {
    let id = this.ids.get(text);
    if (id === undefined) {
      id = this.ids.size;
      this.ids.set(text, id);
    }
    return id;
  }
}

/**
 * Daily buckets and counts of some of a file's line items: a piece of it, until the piece is
 * known to have started at a record's start, or everything a thread has read and kept.
 */
export class DailyPartial {
  readonly counts = new InterpretationCounts();
  lineItems = 0;
  outsideRange = 0;
  /** Bad rows, the first KEPT_PROBLEMS of them, and how many there were. */
  readonly problems: PieceProblem[] = [];
  problemCount = 0;
  readonly buckets: Bucket[] = [];
  private readonly keys = new TupleIndex(KEY_PARTS);

  report(line: number, column: string, problem: string): void {
    this.problemCount++;
    if (this.problems.length < KEPT_PROBLEMS) this.problems.push({ line, column, problem });
  }

  /** The index of the bucket keyed by key; -(index + 1) for a new key, whose bucket the caller pushes. */
  find(key: Int32Array): number {
    return this.keys.add(key);
  }

  /** Adds the buckets of another partial (which must not be used afterwards: its buckets may be taken over). */
  merge(other: DailyPartial): void {
    for (const b of other.buckets) {
      const i = this.keys.add(b.key);
      if (i < 0) this.buckets.push(b);
      else addBucket(this.buckets[i], b.cost, b.quantity, b.unit, b.mixedUnits, b.lineItems);
    }
  }

  /** The buckets as data for another thread. */
  data(): BucketData[] {
    return this.buckets.map((b) => [b.day, b.account, b.provider, b.service, b.region, b.chargeCategory, b.currency, b.tagsKey, b.unit, b.mixedUnits, b.lineItems, b.cost.limbs(), b.quantity.limbs()]);
  }

  /** Adds buckets from another thread, keyed by this thread's ids. */
  mergeData(data: readonly BucketData[], ids: TextIds): void {
    const key = new Int32Array(KEY_PARTS);
    for (const [day, account, provider, service, region, chargeCategory, currency, tagsKey, unit, mixedUnits, lineItems, cost, quantity] of data) {
      const texts = [day, account, provider, service, region, chargeCategory, currency, tagsKey];
      for (let k = 0; k < KEY_PARTS; k++) key[k] = ids.id(texts[k]);
      const i = this.keys.add(key);
      const costSum = LimbSum.of(cost);
      const quantitySum = LimbSum.of(quantity);
      if (i >= 0) {
        addBucket(this.buckets[i], costSum, quantitySum, unit, mixedUnits, lineItems);
        continue;
      }
      const tags = tagsKey === '' ? {} : Object.fromEntries(JSON.parse(tagsKey) as [string, string][]);
      this.buckets.push({ key: key.slice(), day, account, provider, service, region, chargeCategory, currency, tags, tagsKey, cost: costSum, quantity: quantitySum, unit, mixedUnits, lineItems });
    }
  }
}

function addBucket(b: Bucket, cost: LimbSum, quantity: LimbSum, unit: string | null, mixedUnits: boolean, lineItems: number): void {
  b.cost.addSum(cost);
  b.quantity.addSum(quantity);
  b.lineItems += lineItems;
  if (unit === null) return;
  if (b.unit === null) {
    b.unit = unit;
    b.mixedUnits = mixedUnits;
  } else if (mixedUnits || b.unit !== unit) b.mixedUnits = true;
}
