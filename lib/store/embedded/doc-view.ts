import type { Doc } from '../port';
import type { EqualityLookup } from './filter-match';

/**
 * What a collection's operations see and write: the committed state (BaseView) or a
 * transaction's staged writes over it (TxView). Every method runs synchronously, so each
 * operation is atomic.
 */
export interface DocView {
  readonly name: string;
  /** Visible documents that may satisfy the lookups (all of them when no index answers). */
  candidates(lookups: EqualityLookup[]): Iterable<Doc>;
  /** How many documents are visible. */
  size(): number;
  /** Records that a caller was given this version of a document. */
  noteRead(doc: Doc): void;
  /** These throw DuplicateKeyError (and change nothing) when a unique index would repeat. */
  insert(doc: Doc): void;
  /** Inserts new documents together (one journal entry), or none of them. */
  insertMany(docs: Doc[]): void;
  replace(next: Doc): void;
  /** Removes documents together (one journal entry). */
  remove(docs: Doc[]): void;
}

/** How operations reach their views, and the guard each operation runs under. */
export interface OpContext {
  view(name: string): DocView;
  run<R>(op: () => R): R;
}
