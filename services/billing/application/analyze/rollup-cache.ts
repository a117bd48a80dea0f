import type { Source } from '../../../../lib/resource/resource-collection';
import type { Filter } from '../../../../lib/store/port';
import { chunked } from '../ledger/commit-transaction';
import { LEDGER_COLLECTIONS, type VisibilityDoc } from '../ledger/ledger-collections';
import type { EpochState } from '../ledger/ledger-epoch';

/**
 * An in-process cache of what analyze reads from the ledger (the visibility documents, and the
 * rollup documents of the buckets queries asked for, compiled for the fields each kind of query
 * reads), per store and domain, valid for one ledger epoch. Every commit and removal bumps the
 * epoch in the same transaction that changes the visibility and the rollups, so documents read
 * while the epoch stayed at E are exactly the documents of epoch E. A query opens a session at
 * the epoch it read first; what the session loads is kept only once the query's reads were
 * confirmed consistent (the epoch was still E after them: see readConsistentlyAt). So a reader
 * sees either the old or the new ledger, never a mix, exactly as without the cache.
 *
 * A session at a later epoch than the cache's uses only the cached buckets that no commit in
 * between touched (the epoch document notes each commit's account and buckets: EpochChange). A
 * commit of one account's February re-reads that account's February and the domain's, not the
 * domain's whole year. A removal, or more commits than the epoch document keeps, starts over.
 *
 * What is cached is shared between queries: callers must not change it.
 */

/**
 * How a bucket is read: the fields of its documents a reader needs (besides the amount: the
 * limbs a0..a3 and rows always come), and with `tagKey`, only the documents of that tag key (an
 * account bucket of the tag family holds every key's).
 */
export interface BucketShape {
  fields: readonly string[];
  tagKey?: string;
}

/** A rollup document as read: the shape's fields, its limbs and its row count. */
export type RollupRow = Record<string, unknown> & { a0: number; a1: number; a2: number; a3: number; rows: number };

/** A bucket as compiled by its reader; `size`: how many entries it holds, for the cache's bound. */
export interface Compiled {
  readonly size: number;
}

const AMOUNT_FIELDS = ['a0', 'a1', 'a2', 'a3', 'rows'];

/** Entries (of compiled buckets) kept at most, over all domains of all stores: each is a few hundred bytes. */
const MAX_CACHED_ENTRIES = 1_500_000;
/** Domains kept at most. */
const MAX_DOMAINS = 256;

/** A compiled bucket and where it was read from (its bucket key, in field dk or sk). */
interface CachedBucket {
  compiled: Compiled;
  field: 'dk' | 'sk';
  key: string;
}

interface DomainEntry {
  domainId: string;
  epoch: number;
  /** The id of the change that made the epoch: the same number with another id is another ledger. */
  id: string;
  visibility: VisibilityDoc[] | null;
  /** JSON of [collection, field, shape fields, tag key], then the bucket key -> the bucket, compiled. */
  buckets: Map<string, CachedBucket>;
  entries: number;
}

const stores = new WeakMap<object, Map<string, DomainEntry>>();
let cachedEntries = 0;
/** Domains by last use, for eviction (oldest first). */
const recency = new Map<DomainEntry, Map<string, DomainEntry>>();

function touch(entry: DomainEntry, owner: Map<string, DomainEntry>): void {
  recency.delete(entry);
  recency.set(entry, owner);
}

function drop(entry: DomainEntry, owner: Map<string, DomainEntry>): void {
  if (owner.get(entry.domainId) === entry) owner.delete(entry.domainId);
  recency.delete(entry);
  cachedEntries -= entry.entries;
}

/** Forgets everything (tests). */
export function clearAnalyzeCache(): void {
  for (const [entry, owner] of [...recency]) drop(entry, owner);
  cachedEntries = 0;
}

/** The reads of one query attempt at one epoch (or, epoch null, uncached: inside a transaction). */
export class LedgerReadSession {
  private readonly base: DomainEntry | null;
  /** The cache's entry of an earlier epoch, and what of it still holds at this one (carryOver, once). */
  private stale: DomainEntry | null;
  private carried: Map<string, CachedBucket> | null = null;
  private visibility: VisibilityDoc[] | null = null;
  private readonly loaded = new Map<string, CachedBucket>();

  constructor(
    private readonly store: object,
    private readonly domainId: string,
    /** Where the ledger stood when the query began (null: uncached, inside a transaction). */
    private readonly at: EpochState | null,
  ) {
    const found = at === null ? undefined : stores.get(store)?.get(domainId);
    this.base = found && found.epoch === at!.epoch && found.id === at!.id ? found : null;
    this.stale = found && found.epoch < at!.epoch ? found : null;
  }

  /** The domain's visibility documents (shared: callers must not change them). */
  async readVisibility(source: Source): Promise<VisibilityDoc[]> {
    const cached = this.base?.visibility ?? this.visibility;
    if (cached) return cached;
    this.visibility = await source.collection<VisibilityDoc>(LEDGER_COLLECTIONS.visibility).find({ domain_id: this.domainId });
    return this.visibility;
  }

  /**
   * The domain's rollup documents in these buckets (field dk or sk) of a collection, bucket by
   * bucket, each bucket compiled once by `compile` (a cached result is shared between queries:
   * callers must not change it). One compile per shape: the same collection, field and shape
   * always get the same compile. Documents are read with a projection of the shape's fields
   * (cheaper than the store's group on the embedded store, and the reader adds them up anyway).
   */
  async readBuckets<T extends Compiled>(
    source: Source,
    collection: string,
    field: 'dk' | 'sk',
    keys: readonly string[],
    shape: BucketShape,
    compile: (docs: RollupRow[]) => T,
  ): Promise<T[]> {
    const prefix = JSON.stringify([collection, field, shape.fields, shape.tagKey ?? null]); // self-delimiting: + bucket key
    if (this.stale) this.carryOver();
    const out = keys.map((key) => this.cached(prefix + key)) as (T | undefined)[];
    const missing = [...new Set(keys.filter((_, i) => out[i] === undefined))];
    if (missing.length > 0) {
      const byKey = new Map<string, RollupRow[]>(missing.map((k) => [k, []]));
      const coll = source.collection(collection);
      const projection = [field, ...shape.fields, ...AMOUNT_FIELDS];
      for (const chunk of chunked(missing)) {
        const filter: Filter = { [field]: chunk.length === 1 ? chunk[0] : { $in: chunk }, domain_id: this.domainId };
        if (shape.tagKey !== undefined) filter.tag_key = shape.tagKey;
        for (const doc of await coll.find(filter, { projection })) byKey.get(doc[field] as string)?.push(doc as unknown as RollupRow);
      }
      const compiled = new Map<string, T>();
      for (const [key, docs] of byKey) {
        const entries = compile(docs);
        compiled.set(key, entries);
        this.loaded.set(prefix + key, { compiled: entries, field, key });
      }
      keys.forEach((key, i) => (out[i] ??= compiled.get(key)));
    }
    return out as T[];
  }

  private cached(slot: string): Compiled | undefined {
    return (this.base?.buckets.get(slot) ?? this.carried?.get(slot) ?? this.loaded.get(slot))?.compiled;
  }

  /**
   * Keeps (in `carried`) the stale entry's buckets that no commit since its epoch changed: a
   * commit of account A in bucket B changes A's bucket B (sk) and the domain's bucket B (dk, of
   * every tag key). Nothing is kept unless the epoch document still holds the change that made
   * the stale epoch, under the same id (the cache and the ledger share that history: an epoch
   * number can come back after a rollback), and every change since, each bucket by bucket (a
   * removal, or a commit over many years, is not).
   */
  private carryOver(): void {
    const stale = this.stale!;
    this.stale = null;
    const at = this.at!;
    const changes = at.changes.filter((c) => c.e >= stale.epoch && c.e <= at.epoch);
    if (changes.length !== at.epoch - stale.epoch + 1 || stale.id === '' || changes[0].id !== stale.id) return;
    if (changes.slice(1).some((c) => c.account === undefined || c.buckets === undefined)) return;
    const domainBuckets = new Set<string>();
    const accountBuckets = new Set<string>();
    for (const c of changes.slice(1)) {
      for (const b of c.buckets!) {
        domainBuckets.add(b);
        accountBuckets.add(`${c.account!}|${b}`);
      }
    }
    const afterDomain = this.domainId.length + 1;
    const carried = new Map<string, CachedBucket>();
    for (const [slot, b] of stale.buckets) {
      // Keys: <domain>|<bucket> or <domain>|<tag key>|<bucket> (dk), <domain>|<account>|<bucket> (sk).
      const touched = b.field === 'dk' ? domainBuckets.has(b.key.slice(b.key.lastIndexOf('|') + 1)) : accountBuckets.has(b.key.slice(afterDomain));
      if (!touched) carried.set(slot, b);
    }
    this.carried = carried;
  }

  /** Keeps what this session read: call only once its reads were confirmed to be of its epoch. */
  keep(): void {
    const at = this.at;
    if (at === null) return;
    let owner = stores.get(this.store);
    if (!owner) stores.set(this.store, (owner = new Map()));
    let entry = owner.get(this.domainId);
    if (entry && entry.epoch > at.epoch) return;
    if (entry && (entry.epoch < at.epoch || entry.id !== at.id)) {
      drop(entry, owner);
      entry = undefined;
    }
    if (!entry) {
      entry = { domainId: this.domainId, epoch: at.epoch, id: at.id, visibility: null, buckets: new Map(), entries: 0 };
      owner.set(this.domainId, entry);
    }
    touch(entry, owner);
    while (recency.size > MAX_DOMAINS) {
      const [oldest, its] = recency.entries().next().value as [DomainEntry, Map<string, DomainEntry>];
      drop(oldest, its);
    }
    if (!entry.visibility && this.visibility) entry.visibility = this.visibility;
    for (const kept of [this.carried, this.loaded]) {
      for (const [slot, bucket] of kept ?? []) {
        if (entry.buckets.has(slot)) continue;
        const size = bucket.compiled.size;
        if (!this.makeRoom(entry, size)) return;
        entry.buckets.set(slot, bucket);
        entry.entries += size;
        cachedEntries += size;
      }
    }
  }

  /** Evicts the least recently used other domains until `n` more entries fit. */
  private makeRoom(keep: DomainEntry, n: number): boolean {
    if (n > MAX_CACHED_ENTRIES) return false;
    for (const [entry, owner] of [...recency]) {
      if (cachedEntries + n <= MAX_CACHED_ENTRIES) break;
      if (entry !== keep) drop(entry, owner);
    }
    if (cachedEntries + n <= MAX_CACHED_ENTRIES) return true;
    // Only this domain is left: start it over.
    cachedEntries -= keep.entries;
    keep.entries = 0;
    keep.buckets.clear();
    return cachedEntries + n <= MAX_CACHED_ENTRIES;
  }
}
