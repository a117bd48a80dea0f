import { DuplicateKeyError, type Doc } from '../port';
import type { JournalOp } from './persistence/journal-op';
import type { IndexState } from './index-state';
import { addTo, removeFrom } from './index-state';
import type { StoreState } from './store-state';

/** One collection's staged writes in a transaction. */
export class Overlay {
  /** _id -> new version, or null when deleted. */
  readonly staged = new Map<string, Doc | null>();
  /** _id -> the committed version the transaction first saw (undefined: none existed). */
  readonly seen = new Map<string, Doc | undefined>();
  /** unique index name -> keys of the staged documents -> their ids. */
  private readonly stagedKeys = new Map<string, Map<string, Set<string>>>();

  /** The keys the staged documents hold in a unique index. */
  keysOf(index: IndexState): Map<string, Set<string>> {
    let map = this.stagedKeys.get(index.spec.name);
    if (!map) {
      map = new Map();
      for (const doc of this.staged.values()) if (doc) for (const key of index.keys(doc)) addTo(map, key, doc._id);
      this.stagedKeys.set(index.spec.name, map);
    }
    return map;
  }

  stage(id: string, doc: Doc | null, indexes: Iterable<IndexState>): void {
    const previous = this.staged.get(id);
    for (const index of indexes) {
      if (!index.unique) continue;
      const map = this.keysOf(index);
      if (previous) for (const key of index.keys(previous)) removeFrom(map, key, id);
      if (doc) for (const key of index.keys(doc)) addTo(map, key, id);
    }
    this.staged.set(id, doc);
  }
}

/** Raised at commit when something outside the transaction changed what it read or wrote. */
export class WriteConflict extends Error {
  constructor(
    readonly collection: string,
    override readonly cause?: unknown,
  ) {
    super(`write conflict in ${collection}: changed outside the transaction`);
    this.name = 'WriteConflict';
  }
}

/** A transaction: its staged writes, and whether it may still be used. */
export class TxState {
  readonly overlays = new Map<string, Overlay>();
  active = true;
  /** The error of a failed operation: the transaction can no longer commit. */
  failure: { error: unknown } | null = null;

  overlay(name: string): Overlay {
    let overlay = this.overlays.get(name);
    if (!overlay) {
      overlay = new Overlay();
      this.overlays.set(name, overlay);
    }
    return overlay;
  }

  /**
   * Checks the staged writes against the committed state as it is now: every document the
   * transaction read or wrote is still the version it saw, and no unique index would repeat.
   * Returns the changes to commit, or throws WriteConflict.
   */
  prepareCommit(state: StoreState): JournalOp[] {
    const ops: JournalOp[] = [];
    for (const [name, overlay] of this.overlays) {
      const committed = state.get(name);
      for (const [id, version] of overlay.seen) {
        if (committed?.docs.get(id) !== version) throw new WriteConflict(name);
      }
      if (committed) {
        for (const index of committed.indexes.values()) {
          if (!index.unique) continue;
          const owners = new Map<string, string>();
          for (const [id, doc] of overlay.staged) {
            if (!doc) continue;
            for (const key of index.keys(doc)) {
              const owner = owners.get(key);
              if (owner !== undefined && owner !== id) {
                throw new WriteConflict(name, new DuplicateKeyError(name, index.spec.name));
              }
              owners.set(key, id);
              for (const other of index.entries.get(key) ?? []) {
                if (other !== id && !overlay.staged.has(other)) {
                  throw new WriteConflict(name, new DuplicateKeyError(name, index.spec.name));
                }
              }
            }
          }
        }
      }
      for (const [id, doc] of overlay.staged) ops.push(doc ? { c: name, put: doc } : { c: name, del: id });
    }
    return ops;
  }
}
