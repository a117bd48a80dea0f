import type { Source } from '../../../../lib/resource/resource-collection';
import type { Filter } from '../../../../lib/store/port';
import { chunked } from '../ledger/commit-transaction';
import { LEDGER_COLLECTIONS, type VisibilityDoc } from '../ledger/ledger-collections';

/**
 * An in-process cache of what analyze reads from the ledger (the visibility documents and the
 * rollup documents of the buckets queries asked for), per store and domain, valid for one ledger
 * epoch. Every commit and removal bumps the epoch in the same transaction that changes the
 * visibility and the rollups, so documents read while the epoch stayed at E are exactly the
 * documents of epoch E. A query opens a session at the epoch it read first; what the session
 * loads is kept only once the query's reads were confirmed consistent (the epoch was still E
 * after them: see readConsistentlyAt), and a session never uses entries of another epoch. So a
 * reader sees either the old or the new ledger, never a mix, exactly as without the cache.
 *
 * Cached documents are shared between queries: callers must not change them.
 */

/**
 * A bucket as read: its rollup documents added up by every field they hold (so one entry per
 * document), with `docs`, how many documents were added into the entry. Read with the store's
 * group, which adds integer limbs exactly and copies only the keys.
 */
export interface BucketDoc {
  domain_id: string | null;
  date: string | null;
  month: string | null;
  year: string | null;
  currency: string | null;
  service_account_id: string | null;
  data_source_id: string | null;
  provider: string | null;
  product: string | null;
  region: string | null;
  usage_type: string | null;
  tag_key: string | null;
  tag_value: string | null;
  a0: number;
  a1: number;
  a2: number;
  a3: number;
  rows: number;
  docs: number;
  [k: string]: unknown;
}

const LOAD_KEYS = ['domain_id', 'date', 'month', 'year', 'currency', 'service_account_id', 'data_source_id', 'provider', 'product', 'region', 'usage_type', 'tag_key', 'tag_value'];
const LOAD_SUMS = {
  a0: { op: 'sum', field: 'a0' },
  a1: { op: 'sum', field: 'a1' },
  a2: { op: 'sum', field: 'a2' },
  a3: { op: 'sum', field: 'a3' },
  rows: { op: 'sum', field: 'rows' },
  docs: { op: 'count' },
} as const;

/** Documents kept at most, over all domains of all stores (a rollup document is a few hundred bytes). */
const MAX_CACHED_DOCS = 1_500_000;
/** Domains kept at most. */
const MAX_DOMAINS = 256;

interface DomainEntry {
  domainId: string;
  epoch: number;
  visibility: VisibilityDoc[] | null;
  /** `${collection}\u0000${field}\u0000${bucket key}` -> the bucket's documents. */
  buckets: Map<string, BucketDoc[]>;
  docs: number;
}

const stores = new WeakMap<object, Map<string, DomainEntry>>();
let cachedDocs = 0;
/** Domains by last use, for eviction (oldest first). */
const recency = new Map<DomainEntry, Map<string, DomainEntry>>();

function touch(entry: DomainEntry, owner: Map<string, DomainEntry>): void {
  recency.delete(entry);
  recency.set(entry, owner);
}

function drop(entry: DomainEntry, owner: Map<string, DomainEntry>): void {
  if (owner.get(entry.domainId) === entry) owner.delete(entry.domainId);
  recency.delete(entry);
  cachedDocs -= entry.docs;
}

/** Forgets everything (tests). */
export function clearAnalyzeCache(): void {
  for (const [entry, owner] of [...recency]) drop(entry, owner);
  cachedDocs = 0;
}

/** The reads of one query attempt at one epoch (or, epoch null, uncached: inside a transaction). */
export class LedgerReadSession {
  private readonly base: DomainEntry | null;
  private visibility: VisibilityDoc[] | null = null;
  private readonly loaded = new Map<string, BucketDoc[]>();

  constructor(
    private readonly store: object,
    private readonly domainId: string,
    private readonly epoch: number | null,
  ) {
    const found = epoch === null ? undefined : stores.get(store)?.get(domainId);
    this.base = found && found.epoch === epoch ? found : null;
  }

  /** The domain's visibility documents. */
  async readVisibility(source: Source): Promise<VisibilityDoc[]> {
    const cached = this.base?.visibility ?? this.visibility;
    if (cached) return cached;
    this.visibility = await source.collection<VisibilityDoc>(LEDGER_COLLECTIONS.visibility).find({ domain_id: this.domainId });
    return this.visibility;
  }

  /** The rollup documents of the domain in these buckets (field dk or sk) of a collection, bucket by bucket. */
  async readBuckets(source: Source, collection: string, field: 'dk' | 'sk', keys: readonly string[]): Promise<BucketDoc[][]> {
    const slot = (key: string) => `${collection}\u0000${field}\u0000${key}`;
    const out: (BucketDoc[] | undefined)[] = keys.map((key) => this.cached(slot(key)));
    const missing = [...new Set(keys.filter((_, i) => out[i] === undefined))];
    if (missing.length > 0) {
      const byKey = new Map<string, BucketDoc[]>(missing.map((k) => [k, []]));
      const coll = source.collection(collection);
      for (const chunk of chunked(missing)) {
        const filter: Filter = { [field]: chunk.length === 1 ? chunk[0] : { $in: chunk }, domain_id: this.domainId };
        for (const doc of await coll.group(filter, { keys: [field, ...LOAD_KEYS], accumulators: LOAD_SUMS })) byKey.get(doc[field] as string)?.push(doc as unknown as BucketDoc);
      }
      for (const [key, docs] of byKey) this.loaded.set(slot(key), docs);
      keys.forEach((key, i) => (out[i] ??= byKey.get(key)));
    }
    return out as BucketDoc[][];
  }

  private cached(slot: string): BucketDoc[] | undefined {
    return this.base?.buckets.get(slot) ?? this.loaded.get(slot);
  }

  /** Keeps what this session read: call only once its reads were confirmed to be of its epoch. */
  keep(): void {
    if (this.epoch === null) return;
    let owner = stores.get(this.store);
    if (!owner) stores.set(this.store, (owner = new Map()));
    let entry = owner.get(this.domainId);
    if (entry && entry.epoch > this.epoch) return;
    if (entry && entry.epoch < this.epoch) {
      drop(entry, owner);
      entry = undefined;
    }
    if (!entry) {
      entry = { domainId: this.domainId, epoch: this.epoch, visibility: null, buckets: new Map(), docs: 0 };
      owner.set(this.domainId, entry);
    }
    touch(entry, owner);
    while (recency.size > MAX_DOMAINS) {
      const [oldest, its] = recency.entries().next().value as [DomainEntry, Map<string, DomainEntry>];
      drop(oldest, its);
    }
    if (!entry.visibility && this.visibility) entry.visibility = this.visibility;
    for (const [slot, docs] of this.loaded) {
      if (entry.buckets.has(slot)) continue;
      if (!this.makeRoom(entry, docs.length)) return;
      entry.buckets.set(slot, docs);
      entry.docs += docs.length;
      cachedDocs += docs.length;
    }
  }

  /** Evicts the least recently used other domains until `n` more documents fit. */
  private makeRoom(keep: DomainEntry, n: number): boolean {
    if (n > MAX_CACHED_DOCS) return false;
    for (const [entry, owner] of [...recency]) {
      if (cachedDocs + n <= MAX_CACHED_DOCS) break;
      if (entry !== keep) drop(entry, owner);
    }
    if (cachedDocs + n <= MAX_CACHED_DOCS) return true;
    // Only this domain is left: start it over.
    cachedDocs -= keep.docs;
    keep.docs = 0;
    keep.buckets.clear();
    return cachedDocs + n <= MAX_CACHED_DOCS;
  }
}
