import { partialIndexFilter, type Doc, type IndexSpec } from '../port';
import { queryValues, splitPath } from './doc-path';
import { compileFilter, type Predicate } from './filter-match';
import { EMPTY_ARRAY_KEY, encodeKey } from './index-key';

/**
 * One index of a collection: its keys (as MongoDB would index them: a missing field as null,
 * an array by each of its elements) mapped to the ids of the documents holding them. The
 * leading map answers equality lookups on the first field of a compound index. A partial
 * index holds only the documents its filter covers: the others have no key in it.
 */
export class IndexState {
  readonly entries = new Map<string, Set<string>>();
  readonly leading: Map<string, Set<string>>;
  private readonly paths: string[][];
  /** For a partial index, whether it holds a document; null for a full index. */
  private readonly covers: Predicate | null;

  constructor(readonly spec: IndexSpec) {
    this.paths = spec.fields.map(splitPath);
    this.leading = spec.fields.length === 1 ? this.entries : new Map();
    this.covers = spec.partial === true ? compileFilter(partialIndexFilter(spec.fields)) : null;
  }

  get unique(): boolean {
    return this.spec.unique === true;
  }

  /** A partial index holds only some documents, so it cannot answer lookups. */
  get partial(): boolean {
    return this.covers !== null;
  }

  get firstField(): string {
    return this.spec.fields[0];
  }

  /** The keys of one field of the index for a document. */
  fieldKeys(doc: Doc, field: number): string[] {
    const path = this.paths[field];
    if (path.length === 1) {
      // Fast path: a top-level field holding a string, number or boolean has exactly its own key.
      const v = (doc as Record<string, unknown>)[path[0]];
      const t = typeof v;
      if ((t === 'string' || t === 'number' || t === 'boolean') && Object.hasOwn(doc, path[0])) return [encodeKey(v)];
    }
    const values = queryValues(doc, this.paths[field]);
    const keys = new Set<string>();
    for (const v of values) {
      if (Array.isArray(v)) {
        if (v.length === 0) keys.add(EMPTY_ARRAY_KEY);
        for (const el of v) keys.add(encodeKey(el));
      } else {
        keys.add(encodeKey(v));
      }
    }
    if (keys.size === 0) keys.add(encodeKey(null));
    return [...keys];
  }

  /** Every index key of a document (several when a field holds an array; none when a partial index does not hold it). */
  keys(doc: Doc): string[] {
    if (this.covers && !this.covers(doc)) return [];
    if (this.paths.length === 1) return this.fieldKeys(doc, 0);
    const single: string[] = [];
    for (let i = 0; i < this.paths.length; i++) {
      const keys = this.fieldKeys(doc, i);
      if (keys.length !== 1) {
        single.length = 0;
        break;
      }
      single.push(keys[0]);
    }
    if (single.length === this.paths.length) return [JSON.stringify(single)];
    let tuples: string[][] = [[]];
    for (let i = 0; i < this.paths.length; i++) {
      const next: string[][] = [];
      for (const key of this.fieldKeys(doc, i)) for (const t of tuples) next.push([...t, key]);
      tuples = next;
    }
    return tuples.map((t) => JSON.stringify(t));
  }

  add(doc: Doc): void {
    if (this.covers && !this.covers(doc)) return;
    for (const key of this.keys(doc)) addTo(this.entries, key, doc._id);
    if (this.leading !== this.entries) for (const key of this.fieldKeys(doc, 0)) addTo(this.leading, key, doc._id);
  }

  remove(doc: Doc): void {
    if (this.covers && !this.covers(doc)) return;
    for (const key of this.keys(doc)) removeFrom(this.entries, key, doc._id);
    if (this.leading !== this.entries) {
      for (const key of this.fieldKeys(doc, 0)) removeFrom(this.leading, key, doc._id);
    }
  }

  /** True when a document's keys are held by another document that `counts` accepts. */
  collides(doc: Doc, counts: (id: string) => boolean): boolean {
    for (const key of this.keys(doc)) {
      const ids = this.entries.get(key);
      if (ids) for (const id of ids) if (id !== doc._id && counts(id)) return true;
    }
    return false;
  }

  sameDefinition(spec: IndexSpec): boolean {
    return (
      (spec.unique === true) === this.unique &&
      (spec.partial === true) === this.partial &&
      spec.fields.length === this.spec.fields.length &&
      spec.fields.every((f, i) => f === this.spec.fields[i])
    );
  }
}

export function addTo(map: Map<string, Set<string>>, key: string, id: string): void {
  const ids = map.get(key);
  if (ids) ids.add(id);
  else map.set(key, new Set([id]));
}

export function removeFrom(map: Map<string, Set<string>>, key: string, id: string): void {
  const ids = map.get(key);
  if (!ids) return;
  ids.delete(id);
  if (ids.size === 0) map.delete(key);
}
