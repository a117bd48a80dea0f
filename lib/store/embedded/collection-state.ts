import { DuplicateKeyError, type Doc, type IndexSpec } from '../port';
import type { EqualityLookup } from './filter-match';
import { encodeKey } from './index-key';
import { IndexState } from './index-state';

export const ID_INDEX = '_id_';

/**
 * The committed state of one collection: documents by _id (stored documents are never
 * changed in place; a write stores a new object) and their indexes.
 */
export class CollectionState {
  readonly docs = new Map<string, Doc>();
  readonly indexes = new Map<string, IndexState>();

  constructor(readonly name: string) {}

  /** The unique index a document would break if stored, counting only ids `counts` accepts. */
  uniqueViolation(doc: Doc, counts: (id: string) => boolean): string | null {
    for (const index of this.indexes.values()) {
      if (index.unique && index.collides(doc, counts)) return index.spec.name;
    }
    return null;
  }

  /**
   * The index (ID_INDEX included) a list of new documents would break if stored together:
   * an _id or unique key repeated within the list or held by a stored document.
   */
  batchViolation(docs: readonly Doc[]): string | null {
    const ids = new Set<string>();
    for (const doc of docs) {
      if (this.docs.has(doc._id) || ids.has(doc._id)) return ID_INDEX;
      ids.add(doc._id);
    }
    for (const index of this.indexes.values()) {
      if (!index.unique) continue;
      const owners = new Map<string, string>();
      for (const doc of docs) {
        for (const key of index.keys(doc)) {
          if (index.entries.has(key) || owners.has(key)) return index.spec.name;
          owners.set(key, doc._id);
        }
      }
    }
    return null;
  }

  /** Stores new documents (none may exist yet), index by index; no checks. */
  putNew(docs: readonly Doc[]): void {
    for (const doc of docs) this.docs.set(doc._id, doc);
    for (const index of this.indexes.values()) for (const doc of docs) index.add(doc);
  }

  /** Stores a document (new or a new version); no checks. */
  put(doc: Doc): void {
    const previous = this.docs.get(doc._id);
    if (previous) for (const index of this.indexes.values()) index.remove(previous);
    this.docs.set(doc._id, doc);
    for (const index of this.indexes.values()) index.add(doc);
  }

  delete(id: string): void {
    const previous = this.docs.get(id);
    if (!previous) return;
    for (const index of this.indexes.values()) index.remove(previous);
    this.docs.delete(id);
  }

  /**
   * Documents that may satisfy the lookups, from the most selective index that answers one;
   * null when no index does (the caller scans everything).
   */
  lookup(lookups: EqualityLookup[]): Doc[] | null {
    let best: Doc[] | null = null;
    for (const { path, values } of lookups) {
      let found: Doc[];
      if (path === '_id') {
        found = [];
        for (const v of values) {
          const doc = typeof v === 'string' ? this.docs.get(v) : undefined;
          if (doc && !found.includes(doc)) found.push(doc);
        }
      } else {
        const index = [...this.indexes.values()].find((i) => i.firstField === path && !i.partial);
        if (!index) continue;
        const ids = new Set<string>();
        for (const v of values) for (const id of index.leading.get(encodeKey(v)) ?? []) ids.add(id);
        found = [...ids].map((id) => this.docs.get(id) as Doc);
      }
      if (best === null || found.length < best.length) best = found;
      if (best.length === 0) break;
    }
    return best;
  }

  /** Checks new index definitions against the existing ones and the data; no change on error. */
  planIndexes(specs: IndexSpec[]): IndexState[] {
    const added: IndexState[] = [];
    for (const spec of specs) {
      const onId = spec.fields.length === 1 && spec.fields[0] === '_id';
      if (spec.name === ID_INDEX || onId) {
        if (spec.name !== ID_INDEX || !onId) {
          throw new Error(`${this.name}: the _id index is ${ID_INDEX} on _id and cannot be redefined`);
        }
        continue;
      }
      const existing = this.indexes.get(spec.name) ?? added.find((i) => i.spec.name === spec.name);
      if (existing) {
        if (!existing.sameDefinition(spec)) {
          throw new Error(`${this.name}: index ${spec.name} already exists with a different definition`);
        }
        continue;
      }
      const sameFields = [...this.indexes.values(), ...added].find(
        (i) => i.spec.fields.length === spec.fields.length && i.spec.fields.every((f, k) => f === spec.fields[k]),
      );
      if (sameFields) throw new Error(`${this.name}: index ${spec.name} repeats the fields of index ${sameFields.spec.name}`);
      const index = new IndexState({
        name: spec.name,
        fields: [...spec.fields],
        unique: spec.unique === true,
        ...(spec.partial === true ? { partial: true } : {}),
      });
      for (const doc of this.docs.values()) {
        if (index.unique && index.collides(doc, () => true)) throw new DuplicateKeyError(this.name, spec.name);
        index.add(doc);
      }
      added.push(index);
    }
    return added;
  }

  /** Adds indexes built by planIndexes (or restored from disk). */
  addIndexes(indexes: IndexState[]): void {
    for (const index of indexes) this.indexes.set(index.spec.name, index);
  }

  /** Restores an index from disk: built from the documents, trusted to be consistent. */
  restoreIndex(spec: IndexSpec): void {
    if (this.indexes.has(spec.name)) return;
    const index = new IndexState(spec);
    for (const doc of this.docs.values()) index.add(doc);
    this.indexes.set(spec.name, index);
  }
}
