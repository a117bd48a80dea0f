import type { Doc } from '../port';
import { isPlainObject } from '../value-order';
import { cloneOut } from './clone-value';
import { splitPath } from './doc-path';

/** A projection as a tree of the fields to keep (true keeps the whole value). */
export type ProjectionTree = { [field: string]: true | ProjectionTree };

/** Builds the tree for a list of fields (dotted paths allowed); _id is always kept. */
export function projectionTree(fields: string[]): ProjectionTree {
  if (!Array.isArray(fields)) throw new TypeError('projection must be an array of field names');
  const tree: ProjectionTree = { _id: true };
  for (const field of fields) {
    const parts = splitPath(field);
    let node = tree;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i];
      const last = i === parts.length - 1;
      const existing = node[part];
      if (existing === true) {
        if (part === '_id' && i === 0 && last) break;
        throw new TypeError(`projection: path collision at ${field}`);
      }
      if (last) {
        if (existing !== undefined) throw new TypeError(`projection: path collision at ${field}`);
        node[part] = true;
      } else {
        node = (existing ?? (node[part] = {})) as ProjectionTree;
      }
    }
  }
  return tree;
}

/** A copy of a document with only the projected fields, in the document's own order. */
export function projectDoc(doc: Doc, tree: ProjectionTree): Doc {
  return projectObject(doc, tree) as Doc;
}

function projectObject(value: Record<string, unknown>, tree: ProjectionTree): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const sub = tree[key];
    if (sub === undefined) continue;
    if (sub === true) out[key] = cloneOut(value[key]);
    else {
      const projected = projectNested(value[key], sub);
      if (projected !== undefined) out[key] = projected;
    }
  }
  return out;
}

function projectNested(value: unknown, tree: ProjectionTree): unknown {
  if (isPlainObject(value)) return projectObject(value, tree);
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const el of value) {
      const projected = projectNested(el, tree);
      if (projected !== undefined) out.push(projected);
    }
    return out;
  }
  return undefined;
}
