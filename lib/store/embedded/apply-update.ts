import type { Doc, Update } from '../port';
import { compareStrings, valuesEqual } from '../value-order';
import { cloneIn, cloneOut } from './clone-value';
import { getAt, setAt, splitPath, unsetAt } from './doc-path';

interface Step {
  op: '$set' | '$unset' | '$inc';
  path: string;
  value: unknown;
}

/**
 * Applies $set / $unset / $inc to a copy of a stored document and returns the new version,
 * or throws (leaving the stored document as it was) where MongoDB would refuse the update:
 * two operators on overlapping paths, $inc of a non-number, changing _id, a path through a
 * scalar. Fields are processed in name order, as MongoDB 5+ does.
 */
export function applyUpdate(stored: Doc, update: Update): Doc {
  const steps: Step[] = [];
  for (const op of ['$set', '$unset', '$inc'] as const) {
    const fields = update[op];
    if (!fields) continue;
    for (const [path, value] of Object.entries(fields)) {
      if (value === undefined) continue;
      splitPath(path);
      steps.push({ op, path, value: op === '$set' ? cloneIn(value, path) : value });
    }
  }
  steps.sort((a, b) => compareStrings(a.path, b.path));
  const paths = new Set<string>();
  for (const { path } of steps) {
    if (paths.has(path)) throw new TypeError(`updating the path '${path}' would create a conflict at '${path}'`);
    paths.add(path);
  }
  for (const { path } of steps) {
    const parts = splitPath(path);
    for (let k = 1; k < parts.length; k++) {
      const prefix = parts.slice(0, k).join('.');
      if (paths.has(prefix)) throw new TypeError(`updating the path '${path}' would create a conflict at '${prefix}'`);
    }
  }
  const doc = cloneOut(stored);
  for (const { op, path, value } of steps) {
    const parts = splitPath(path);
    if (parts[0] === '_id') {
      if (op === '$set' && parts.length === 1 && valuesEqual(value, stored._id)) continue;
      throw new TypeError(`performing an update on the path '${path}' would modify the immutable field '_id'`);
    }
    if (op === '$set') setAt(doc, parts, value);
    else if (op === '$unset') unsetAt(doc, parts);
    else {
      const current = getAt(doc, parts);
      if (current !== undefined && typeof current !== 'number') {
        throw new TypeError(`cannot apply $inc to '${path}': it holds a non-numeric value`);
      }
      setAt(doc, parts, (current ?? 0) + (value as number));
    }
  }
  return doc;
}
