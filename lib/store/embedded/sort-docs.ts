import type { Doc, SortSpec } from '../port';
import { compareValues } from '../value-order';
import { queryValues, splitPath } from './doc-path';

/**
 * Sorts as MongoDB does: missing and null first when ascending; a field holding an array
 * sorts by its smallest element ascending and its largest descending. Ties keep their order.
 */
export function sortDocs(docs: Doc[], sort: SortSpec[]): Doc[] {
  if (!Array.isArray(sort)) throw new TypeError('sort must be an array of { field, direction }');
  if (sort.length === 0) return docs;
  const keys = sort.map(({ field, direction }) => {
    if (direction !== 1 && direction !== -1) throw new TypeError(`sort direction for ${field} must be 1 or -1`);
    return { parts: splitPath(field), direction };
  });
  const rows = docs.map((doc) => ({ doc, values: keys.map((k) => sortValue(doc, k.parts, k.direction)) }));
  rows.sort((a, b) => {
    for (let i = 0; i < keys.length; i++) {
      const c = compareValues(a.values[i], b.values[i]);
      if (c !== 0) return c * keys[i].direction;
    }
    return 0;
  });
  return rows.map((r) => r.doc);
}

function sortValue(doc: Doc, parts: string[], direction: 1 | -1): unknown {
  let best: unknown = undefined;
  let seen = false;
  const consider = (v: unknown) => {
    const value = v === undefined ? null : v;
    if (!seen || compareValues(value, best) * direction < 0) best = value;
    seen = true;
  };
  for (const v of queryValues(doc, parts)) {
    if (Array.isArray(v) && v.length > 0) v.forEach(consider);
    else consider(Array.isArray(v) ? undefined : v);
  }
  return seen ? best : null;
}
