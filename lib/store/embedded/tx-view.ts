import { DuplicateKeyError, type Doc } from '../port';
import { ID_INDEX } from './collection-state';
import type { DocView } from './doc-view';
import type { EqualityLookup } from './filter-match';
import type { StoreState } from './store-state';
import type { Overlay } from './tx-state';

/**
 * A collection as a transaction sees it: the committed documents with its own staged writes
 * laid over them. Writes are staged (checked against unique indexes as they would be after
 * commit) and remembered with the committed version they replace.
 */
export class TxView implements DocView {
  constructor(
    private readonly state: StoreState,
    private readonly overlay: Overlay,
    readonly name: string,
  ) {}

  *candidates(lookups: EqualityLookup[]): Iterable<Doc> {
    const { staged } = this.overlay;
    const committed = this.state.get(this.name);
    const visited = new Set<string>();
    if (committed) {
      for (const doc of committed.lookup(lookups) ?? committed.docs.values()) {
        if (!staged.has(doc._id)) yield doc;
        else {
          visited.add(doc._id);
          const own = staged.get(doc._id);
          if (own) yield own;
        }
      }
    }
    for (const [id, doc] of staged) if (doc && !visited.has(id)) yield doc;
  }

  size(): number {
    const committed = this.state.get(this.name);
    let n = committed?.docs.size ?? 0;
    for (const [id, doc] of this.overlay.staged) {
      const before = committed?.docs.has(id) ?? false;
      if (before && !doc) n--;
      else if (!before && doc) n++;
    }
    return n;
  }

  noteRead(doc: Doc): void {
    const { staged, seen } = this.overlay;
    if (!staged.has(doc._id) && !seen.has(doc._id)) seen.set(doc._id, doc);
  }

  insert(doc: Doc): void {
    const { staged } = this.overlay;
    const committed = this.state.get(this.name);
    const exists = staged.has(doc._id) ? staged.get(doc._id) !== null : committed?.docs.has(doc._id);
    if (exists) throw new DuplicateKeyError(this.name, ID_INDEX);
    this.checkUnique(doc);
    this.stage(doc._id, doc);
  }

  insertMany(docs: Doc[]): void {
    const { staged } = this.overlay;
    const committed = this.state.get(this.name);
    const ids = new Set<string>();
    for (const doc of docs) {
      const exists = staged.has(doc._id) ? staged.get(doc._id) !== null : committed?.docs.has(doc._id);
      if (exists || ids.has(doc._id)) throw new DuplicateKeyError(this.name, ID_INDEX);
      ids.add(doc._id);
    }
    for (const index of committed?.indexes.values() ?? []) {
      if (!index.unique) continue;
      const owners = new Set<string>();
      for (const doc of docs) {
        for (const key of index.keys(doc)) {
          if (owners.has(key)) throw new DuplicateKeyError(this.name, index.spec.name);
          owners.add(key);
        }
      }
    }
    for (const doc of docs) this.checkUnique(doc);
    for (const doc of docs) this.stage(doc._id, doc);
  }

  replace(next: Doc): void {
    this.checkUnique(next);
    this.stage(next._id, next);
  }

  remove(docs: Doc[]): void {
    for (const doc of docs) this.stage(doc._id, null);
  }

  private checkUnique(doc: Doc): void {
    const committed = this.state.get(this.name);
    if (!committed) return;
    const { staged } = this.overlay;
    for (const index of committed.indexes.values()) {
      if (!index.unique) continue;
      const stagedKeys = this.overlay.keysOf(index);
      for (const key of index.keys(doc)) {
        for (const id of index.entries.get(key) ?? []) {
          if (id !== doc._id && !staged.has(id)) throw new DuplicateKeyError(this.name, index.spec.name);
        }
        for (const id of stagedKeys.get(key) ?? []) {
          if (id !== doc._id) throw new DuplicateKeyError(this.name, index.spec.name);
        }
      }
    }
  }

  private stage(id: string, doc: Doc | null): void {
    const committed = this.state.get(this.name);
    const { seen } = this.overlay;
    if (!seen.has(id) && !this.overlay.staged.has(id)) seen.set(id, committed?.docs.get(id));
    this.overlay.stage(id, doc, committed?.indexes.values() ?? []);
  }
}
