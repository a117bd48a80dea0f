import type { JournalOp } from './persistence/journal-op';
import { CollectionState } from './collection-state';

/**
 * The committed state of an embedded store: its collections, and the journal every change
 * is written to before it is applied (none when the store lives in memory only).
 */
export class StoreState {
  readonly collections = new Map<string, CollectionState>();
  journal: ((ops: JournalOp[]) => void) | null = null;

  get(name: string): CollectionState | undefined {
    return this.collections.get(name);
  }

  ensure(name: string): CollectionState {
    let state = this.collections.get(name);
    if (!state) {
      state = new CollectionState(name);
      this.collections.set(name, state);
    }
    return state;
  }

  /** Writes changes to the journal; call before applying them, so a failed write changes nothing. */
  record(ops: JournalOp[]): void {
    if (this.journal && ops.length > 0) this.journal(ops);
  }

  /** Applies a recorded change without checks (restoring from disk, or after validation). */
  apply(op: JournalOp): void {
    const state = this.ensure(op.c);
    if ('put' in op) state.put(op.put);
    else if ('del' in op) state.delete(op.del);
    else state.restoreIndex(op.ix);
  }

  /** The whole state as changes that rebuild it: indexes first, then documents. */
  *dump(): Iterable<JournalOp> {
    for (const [c, state] of this.collections) {
      for (const index of state.indexes.values()) yield { c, ix: index.spec };
      for (const doc of state.docs.values()) yield { c, put: doc };
    }
  }
}
