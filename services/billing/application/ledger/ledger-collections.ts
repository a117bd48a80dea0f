/**
 * The ledger's storage layout (besides the rollups of rollup-families.ts).
 *
 *   cost_row_chunks     raw rows: one document per (generation, date, chunk) holding up to
 *                       chunkRows rows as JSON text (chunk-layout.ts; read with chunkRows as
 *                       ROW_COLUMNS arrays); never visible by themselves, only through
 *                       cost_visibility.
 *   cost_generations    one per writer (begin): WRITING, then COMMITTED or ABORTED; later
 *                       SUPERSEDED, REMOVED or EXPIRED, when garbage collection deletes its rows.
 *   cost_visibility     one per (data source, service account): which generation is visible for
 *                       which dates (sorted, non-overlapping segments). Commit splices its windows
 *                       in; this document is the single switch that makes a write visible.
 *   cost_epochs         one per domain: a counter every commit and removal increases, so that
 *                       readers that need several reads can tell whether a change landed between.
 *   cost_tombstones     removed accounts and data sources: no later commit may bring them back.
 */
import type { IndexSpec } from '../../../../lib/store/port';
import { ROLLUP_INDEXES, rollupCollection, STORED_ROLLUPS } from './rollup-families';

export const LEDGER_COLLECTIONS = {
  chunks: 'cost_row_chunks',
  generations: 'cost_generations',
  visibility: 'cost_visibility',
  epochs: 'cost_epochs',
  tombstones: 'cost_tombstones',
} as const;

/** Columns of a stored row, as chunkRows (visible-rows.ts) gives it. */
export const ROW_COLUMNS = [
  'provider',
  'product',
  'region',
  'usage_type',
  'resource_id',
  'usage_quantity',
  'usage_unit',
  'cost',
  'currency',
  'tags', // flat [key, value, key, value, ...]: keys may hold any character
  'additional_info', // same
] as const;

export type StoredRow = [string, string, string, string, string, string, string, string, string, string[], string[]];

export interface ChunkDoc {
  _id: string; // <generation>:<date>:<n>
  domain_id: string;
  data_source_id: string;
  service_account_id: string;
  gen: string;
  date: string;
  /** How many rows. */
  n: number;
  /** 2: `rows` in the compact layout of chunk-layout.ts; absent: JSON of StoredRow[] (chunks written before it). */
  layout?: number;
  /**
   * The rows as JSON text: one string per chunk is copied by the store for free, takes a
   * fraction of the memory of as many arrays, and is only ever read whole (chunkRows).
   */
  rows: string;
  [k: string]: unknown;
}

export type GenerationState = 'WRITING' | 'COMMITTED' | 'ABORTED' | 'SUPERSEDED' | 'REMOVED' | 'EXPIRED';

export interface GenerationDoc {
  _id: string; // gen-…
  domain_id: string;
  data_source_id: string;
  service_account_id: string;
  job_id: string;
  windows: { start: string; end: string }[];
  state: GenerationState;
  rows: number;
  created_at: Date;
  /** Last sign of life of its writer (stale writers expire). */
  touched_at: Date;
  committed_at: Date | null;
  /** When it stopped being WRITING or visible (its record is deleted a while after). */
  stopped_at: Date | null;
  /** Set when a later commit hid part of its dates: garbage collection has rows to delete. */
  partial: boolean;
  /** Increased with every such commit, so collection does not clear a newer mark. */
  partial_v: number;
  [k: string]: unknown;
}

export interface Segment {
  from: string;
  to: string;
  gen: string;
}

export interface VisibilityDoc {
  _id: string; // <domain>|<data source>|<service account>
  domain_id: string;
  data_source_id: string;
  service_account_id: string;
  segments: Segment[];
  updated_at: Date;
  [k: string]: unknown;
}

export interface EpochDoc {
  _id: string; // the domain id
  epoch: number;
  /** What the latest commits and removals changed, oldest first (see EpochChange). */
  changes?: EpochChange[];
  [k: string]: unknown;
}

/**
 * What the commit or removal that moved a domain to epoch `e` changed, for readers that keep
 * what they read (analyze's rollup cache): the rollups of one service account in these buckets
 * (months of the day rollups, years of the month rollups; the domain's buckets of the same
 * months and years with them). Without `account` (a removal), anything may have changed.
 */
export interface EpochChange {
  e: number;
  /** Unique to this change (absent on documents written before ids). */
  id?: string;
  account?: string;
  buckets?: string[];
}

export interface TombstoneDoc {
  _id: string; // <domain>|sa|<id> or <domain>|ds|<id>
  domain_id: string;
  at: Date;
  [k: string]: unknown;
}

export const pairId = (domainId: string, dataSourceId: string, serviceAccountId: string): string => `${domainId}|${dataSourceId}|${serviceAccountId}`;
export const accountTombstoneId = (domainId: string, serviceAccountId: string): string => `${domainId}|sa|${serviceAccountId}`;
export const dataSourceTombstoneId = (domainId: string, dataSourceId: string): string => `${domainId}|ds|${dataSourceId}`;

/**
 * Indexes of every ledger collection; create them at start (store.ensureIndexes). Rollups are
 * found through single-field bucket keys (dk, sk) that the embedded store answers with one map
 * lookup, and that MongoDB answers from an ordinary index.
 */
export const LEDGER_INDEXES: Record<string, IndexSpec[]> = {
  [LEDGER_COLLECTIONS.chunks]: [{ name: 'gen', fields: ['gen'] }],
  [LEDGER_COLLECTIONS.generations]: [
    { name: 'state', fields: ['state'] },
    { name: 'domain_account', fields: ['domain_id', 'service_account_id'] },
  ],
  [LEDGER_COLLECTIONS.visibility]: [{ name: 'domain', fields: ['domain_id'] }],
  ...Object.fromEntries(STORED_ROLLUPS.map(({ family, grain }) => [rollupCollection(family, grain), ROLLUP_INDEXES])),
};

/** Creates the ledger's indexes (idempotent). */
export async function ensureLedgerIndexes(store: { ensureIndexes(c: string, i: IndexSpec[]): Promise<void> }): Promise<void> {
  for (const [collection, indexes] of Object.entries(LEDGER_INDEXES)) await store.ensureIndexes(collection, indexes);
}
