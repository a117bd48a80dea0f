import type { Doc, FindOptions, GroupSpec, IndexSpec, Update } from './port';
import { isPlainObject } from './value-order';

/**
 * Checks both adapters make before a call reaches storage, so that bad input fails the same
 * way on MongoDB and on the embedded store.
 */

const UPDATE_OPERATORS = new Set(['$set', '$unset', '$inc']);

/** A document must be an object with a non-empty string _id (ids are never generated). */
export function assertDocument(doc: unknown, collection: string): asserts doc is Doc {
  if (!isPlainObject(doc)) throw new TypeError(`${collection}: a document must be a plain object`);
  if (typeof doc._id !== 'string' || doc._id === '') {
    throw new TypeError(`${collection}: a document needs a non-empty string _id`);
  }
}

/** A list of documents (insertMany): an array of documents, each as assertDocument wants it. */
export function assertDocuments(docs: unknown, collection: string): asserts docs is Doc[] {
  if (!Array.isArray(docs)) throw new TypeError(`${collection}: insertMany needs an array of documents`);
  for (const doc of docs) assertDocument(doc, collection);
}

/**
 * A filter may not hold undefined anywhere: MongoDB's driver would drop the condition and
 * match every document, which is never what the caller meant.
 */
export function assertFilter(filter: unknown, collection: string): void {
  if (!isPlainObject(filter)) throw new TypeError(`${collection}: a filter must be a plain object`);
  const visit = (value: unknown, path: string): void => {
    if (value === undefined) throw new TypeError(`${collection}: filter value at ${path} is undefined`);
    if (Array.isArray(value)) value.forEach((v, i) => visit(v, `${path}.${i}`));
    else if (isPlainObject(value)) for (const [k, v] of Object.entries(value)) visit(v, path ? `${path}.${k}` : k);
  };
  visit(filter, '');
}

/** An update holds only $set, $unset and $inc, at least one of them, each with an object. */
export function assertUpdate(update: unknown, collection: string): asserts update is Update {
  if (!isPlainObject(update)) throw new TypeError(`${collection}: an update must be a plain object`);
  const ops = Object.keys(update);
  if (ops.length === 0) throw new TypeError(`${collection}: an update needs $set, $unset or $inc`);
  for (const op of ops) {
    if (!UPDATE_OPERATORS.has(op)) throw new TypeError(`${collection}: unsupported update operator ${op}`);
    const fields = update[op];
    if (!isPlainObject(fields)) throw new TypeError(`${collection}: ${op} needs an object of fields`);
    if (op === '$inc') {
      for (const [path, by] of Object.entries(fields)) {
        if (typeof by !== 'number') throw new TypeError(`${collection}: $inc of ${path} needs a number`);
      }
    }
  }
}

/** A replacement is a whole document: no update operators, and an _id when it has one. */
export function assertReplacement(doc: unknown, collection: string): asserts doc is Doc {
  if (!isPlainObject(doc)) throw new TypeError(`${collection}: a replacement must be a plain object`);
  for (const key of Object.keys(doc)) {
    if (key.startsWith('$')) throw new TypeError(`${collection}: a replacement may not hold operator ${key}`);
  }
  if (doc._id !== undefined && (typeof doc._id !== 'string' || doc._id === '')) {
    throw new TypeError(`${collection}: a replacement's _id must be a non-empty string`);
  }
}

/** A collection name as MongoDB accepts it: non-empty, no $ or NUL, not a system name. */
export function assertCollectionName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name === '' || name.includes('$') || name.includes('\0') || name.startsWith('system.')) {
    throw new TypeError(`invalid collection name ${JSON.stringify(name)}`);
  }
}

/** Index definitions: each with a name and at least one distinct field; unique and partial are booleans. */
export function assertIndexSpecs(collection: string, specs: IndexSpec[]): void {
  if (!Array.isArray(specs)) throw new TypeError(`${collection}: indexes must be an array`);
  for (const spec of specs) {
    if (!spec || typeof spec.name !== 'string' || spec.name === '') {
      throw new TypeError(`${collection}: an index needs a name`);
    }
    const { fields } = spec;
    if (!Array.isArray(fields) || fields.length === 0 || fields.some((f) => typeof f !== 'string' || f === '')) {
      throw new TypeError(`${collection}: index ${spec.name} needs at least one field`);
    }
    if (new Set(fields).size !== fields.length) throw new TypeError(`${collection}: index ${spec.name} repeats a field`);
    for (const flag of ['unique', 'partial'] as const) {
      if (spec[flag] !== undefined && typeof spec[flag] !== 'boolean') {
        throw new TypeError(`${collection}: index ${spec.name}: ${flag} must be a boolean`);
      }
    }
  }
}

/** skip is a non-negative integer; limit an integer, 0 (or absent) for no limit. */
export function assertPaging(options: FindOptions): { skip: number; limit: number } {
  const skip = options.skip ?? 0;
  const limit = options.limit ?? 0;
  if (!Number.isInteger(skip) || skip < 0) throw new TypeError('skip must be a non-negative integer');
  if (!Number.isInteger(limit)) throw new TypeError('limit must be an integer');
  return { skip, limit: Math.abs(limit) };
}

const ACCUMULATOR_OPS = new Set(['count', 'sum', 'min', 'max', 'addToSet']);

/** A group spec: keys are field paths; each accumulator a known op with a field (but count). */
export function assertGroupSpec(spec: GroupSpec): string[] {
  if (!spec || !Array.isArray(spec.keys) || !isPlainObject(spec.accumulators)) {
    throw new TypeError('group: a spec needs keys (an array) and accumulators (an object)');
  }
  const isPath = (p: unknown) => typeof p === 'string' && p !== '' && !p.startsWith('$');
  for (const key of spec.keys) if (!isPath(key)) throw new TypeError(`group: invalid key ${JSON.stringify(key)}`);
  for (const [name, acc] of Object.entries(spec.accumulators)) {
    if (!acc || !ACCUMULATOR_OPS.has(acc.op)) throw new TypeError(`group: accumulator ${name} has an unsupported op`);
    if (acc.op !== 'count' && !isPath(acc.field)) throw new TypeError(`group: accumulator ${name} needs a field`);
    if (spec.keys.includes(name)) throw new TypeError(`group: accumulator ${name} has the name of a key`);
  }
  return spec.keys;
}
