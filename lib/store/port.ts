/**
 * The store port: the only storage operations repositories may use. Both adapters (MongoDB
 * through the official driver, and the embedded store) implement exactly these, and one
 * contract suite (store-contract.ts) runs against both.
 *
 * Filters are a subset of MongoDB's query language so the Mongo adapter passes them through:
 *   { field: value }                       equality (on arrays: contains the value)
 *   { field: { $eq, $ne, $lt, $lte, $gt, $gte, $in, $nin, $exists, $regex, $options } }
 *   { $and: [Filter...] }, { $or: [Filter...] }
 * Dotted paths reach into nested objects (tags.env). Values are strings, numbers, booleans,
 * null, Date, or arrays of those. Comparison operators compare values of the same type only.
 */
export type Scalar = string | number | boolean | null | Date;
export type FieldValue = Scalar | Scalar[] | { [k: string]: unknown } | unknown[];

export interface Doc {
  _id: string;
  [key: string]: unknown;
}

export interface FieldOps {
  $eq?: unknown;
  $ne?: unknown;
  $lt?: Scalar;
  $lte?: Scalar;
  $gt?: Scalar;
  $gte?: Scalar;
  $in?: unknown[];
  $nin?: unknown[];
  $exists?: boolean;
  $regex?: string;
  /** Regex flags; only 'i' is supported. */
  $options?: string;
}

export type Filter = {
  $and?: Filter[];
  $or?: Filter[];
  [field: string]: unknown;
};

export interface SortSpec {
  field: string;
  direction: 1 | -1;
}

export interface FindOptions {
  sort?: SortSpec[];
  skip?: number;
  limit?: number;
  /** Top-level fields to return (plus _id); all when absent. */
  projection?: string[];
}

/** $set / $unset / $inc on dotted paths; applied atomically to one document. */
export interface Update {
  $set?: Record<string, unknown>;
  $unset?: Record<string, true | 1 | ''>;
  $inc?: Record<string, number>;
}

export type Accumulator =
  | { op: 'count' }
  | { op: 'sum' | 'min' | 'max' | 'addToSet'; field: string };

export interface GroupSpec {
  /** Fields to group by; one group over everything when empty. */
  keys: string[];
  /** Output name -> accumulator. */
  accumulators: Record<string, Accumulator>;
}

export interface IndexSpec {
  name: string;
  /** Fields of the index, in order, ascending. */
  fields: string[];
  unique?: boolean;
  /**
   * A partial index: it holds only the documents where every field of the index exists (even
   * as null), so a unique partial index lets documents without one of its fields repeat, e.g.
   * records written before the field was introduced. MongoDB: partialFilterExpression with
   * { $exists: true } on each field (partialIndexFilter). Lookups never answer from it.
   */
  partial?: boolean;
}

/** The filter a partial index holds its documents by: every one of its fields exists. */
export function partialIndexFilter(fields: readonly string[]): Filter {
  return Object.fromEntries(fields.map((f) => [f, { $exists: true }]));
}

export interface Collection<T extends Doc = Doc> {
  /** Throws DuplicateKeyError when _id or a unique index would repeat. */
  insertOne(doc: T): Promise<void>;
  /**
   * Inserts documents, all or none: when an _id or a unique key would repeat (a stored
   * document's, or another's of the list) it throws DuplicateKeyError and inserts nothing; so
   * does a list holding something that is not a document (TypeError). An empty list does
   * nothing. Outside a transaction the documents become visible together.
   */
  insertMany(docs: readonly T[]): Promise<void>;
  findOne(filter: Filter): Promise<T | null>;
  find(filter: Filter, options?: FindOptions): Promise<T[]>;
  count(filter: Filter): Promise<number>;
  /** Atomically updates the first matching document. Returns how many matched (0 or 1). */
  updateOne(filter: Filter, update: Update): Promise<number>;
  /** Atomically replaces the first matching document (same _id). Returns how many matched. */
  replaceOne(filter: Filter, doc: T): Promise<number>;
  deleteOne(filter: Filter): Promise<number>;
  deleteMany(filter: Filter): Promise<number>;
  /**
   * Groups matching documents: each result holds the group keys (by name) and accumulators.
   * Results come sorted by the keys, ascending; addToSet values come sorted.
   */
  group(filter: Filter, spec: GroupSpec): Promise<Record<string, unknown>[]>;
}

/** A transaction's view of the store: its writes become visible together, or not at all. */
export interface TxContext {
  collection<T extends Doc = Doc>(name: string): Collection<T>;
}

export interface Store {
  collection<T extends Doc = Doc>(name: string): Collection<T>;
  ensureIndexes(collection: string, indexes: IndexSpec[]): Promise<void>;
  /**
   * Runs fn in a transaction: every write through tx commits together, or none does when fn
   * throws. (MongoDB needs a replica set for this; a single-node replica set is enough.)
   * fn may run more than once: after a write conflict it runs again on fresh data, as with
   * MongoDB's withTransaction; keep other side effects out of it.
   */
  transaction<R>(fn: (tx: TxContext) => Promise<R>): Promise<R>;
  /** Resolves when the store answers; rejects when it is down. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export class DuplicateKeyError extends Error {
  constructor(
    readonly collection: string,
    readonly index: string,
  ) {
    super(`duplicate key in ${collection} (index ${index})`);
    this.name = 'DuplicateKeyError';
  }
}
