import type { Doc, Filter } from '../port';
import { compareValues, isPlainObject, typeRank, valuesEqual } from '../value-order';
import { queryValues, splitPath } from './doc-path';

/**
 * Compiles a filter (the port's subset of MongoDB's query language) into a predicate, with
 * MongoDB's semantics: equality on an array field also matches an element; null matches a
 * missing field; comparisons only between values of the same type; $ne and $nin also match
 * documents without the field. Anything outside the subset is refused rather than guessed.
 */
export type Predicate = (doc: Doc) => boolean;

type Test = (values: unknown[]) => boolean;

const anyValue = (values: unknown[], test: (v: unknown) => boolean) =>
  values.some((c) => c !== undefined && (test(c) || (Array.isArray(c) && c.some(test))));

function equals(target: unknown): Test {
  if (target === null) {
    return (values) =>
      values.length === 0 ||
      values.some((c) => c === undefined || c === null || (Array.isArray(c) && c.includes(null)));
  }
  if (target instanceof RegExp) return matchesRegex(target);
  return (values) => anyValue(values, (v) => valuesEqual(v, target));
}

function matchesRegex(re: RegExp): Test {
  return (values) => anyValue(values, (v) => typeof v === 'string' && re.test(v));
}

function compares(op: string, target: unknown): Test {
  if (target === null) return op === '$lte' || op === '$gte' ? equals(null) : () => false;
  const rank = typeRank(target);
  const ok: (c: number) => boolean =
    op === '$lt' ? (c) => c < 0 : op === '$lte' ? (c) => c <= 0 : op === '$gt' ? (c) => c > 0 : (c) => c >= 0;
  return (values) => anyValue(values, (v) => typeRank(v) === rank && ok(compareValues(v, target)));
}

function buildRegex(pattern: unknown, options: unknown, path: string): RegExp {
  let flags = '';
  if (options !== undefined) {
    if (typeof options !== 'string' || !/^[ims]*$/.test(options)) {
      throw new TypeError(`filter: $options for ${path} may only hold i, m and s`);
    }
    flags = options;
  }
  if (pattern instanceof RegExp) {
    return new RegExp(pattern.source, [...new Set(pattern.flags.replace(/[gyd]/g, '') + flags)].join(''));
  }
  if (typeof pattern !== 'string') throw new TypeError(`filter: $regex for ${path} needs a string`);
  try {
    return new RegExp(pattern, flags);
  } catch (err) {
    throw new TypeError(`filter: invalid $regex for ${path}: ${(err as Error).message}`, { cause: err });
  }
}

function needsArray(op: string, arg: unknown, path: string): unknown[] {
  if (!Array.isArray(arg)) throw new TypeError(`filter: ${op} for ${path} needs an array`);
  return arg;
}

function inList(list: unknown[]): Test {
  const tests = list.map(equals);
  return (values) => tests.some((t) => t(values));
}

/** True when a condition object is an operator expression ({ $gt: 1 }) rather than a literal. */
function isOperatorObject(cond: unknown): cond is Record<string, unknown> {
  if (!isPlainObject(cond)) return false;
  const first = Object.keys(cond)[0];
  return first !== undefined && first.startsWith('$');
}

function compileOperators(path: string, ops: Record<string, unknown>): Test {
  const tests: Test[] = [];
  for (const [op, arg] of Object.entries(ops)) {
    switch (op) {
      case '$eq':
        tests.push(equals(arg));
        break;
      case '$ne': {
        const eq = equals(arg);
        tests.push((values) => !eq(values));
        break;
      }
      case '$lt':
      case '$lte':
      case '$gt':
      case '$gte':
        tests.push(compares(op, arg));
        break;
      case '$in':
        tests.push(inList(needsArray(op, arg, path)));
        break;
      case '$nin': {
        const has = inList(needsArray(op, arg, path));
        tests.push((values) => !has(values));
        break;
      }
      case '$exists': {
        const want = Boolean(arg);
        tests.push((values) => values.some((v) => v !== undefined) === want);
        break;
      }
      case '$regex':
        tests.push(matchesRegex(buildRegex(arg, ops.$options, path)));
        break;
      case '$options':
        if (!('$regex' in ops)) throw new TypeError(`filter: $options for ${path} needs a $regex`);
        break;
      default:
        throw new TypeError(`filter: unsupported operator ${op} for ${path}`);
    }
  }
  return tests.length === 1 ? tests[0] : (values) => tests.every((t) => t(values));
}

function compileField(path: string, cond: unknown): Predicate {
  if (cond === undefined) throw new TypeError(`filter: value for ${path} is undefined`);
  const parts = splitPath(path);
  const test = isOperatorObject(cond) ? compileOperators(path, cond) : equals(cond);
  if (parts.length === 1) {
    const field = parts[0];
    return (doc) => test([Object.hasOwn(doc, field) ? doc[field] : undefined]);
  }
  return (doc) => test(queryValues(doc, parts));
}

function compileList(op: string, list: unknown): Predicate[] {
  if (!Array.isArray(list) || list.length === 0) throw new TypeError(`filter: ${op} needs a non-empty array of filters`);
  return list.map((f) => compileFilter(f as Filter));
}

export function compileFilter(filter: Filter): Predicate {
  if (!isPlainObject(filter)) throw new TypeError('filter: a filter must be a plain object');
  const preds: Predicate[] = [];
  for (const [key, cond] of Object.entries(filter)) {
    if (key === '$and') {
      const all = compileList(key, cond);
      preds.push((doc) => all.every((p) => p(doc)));
    } else if (key === '$or') {
      const any = compileList(key, cond);
      preds.push((doc) => any.some((p) => p(doc)));
    } else if (key.startsWith('$')) {
      throw new TypeError(`filter: unsupported operator ${key}`);
    } else {
      preds.push(compileField(key, cond));
    }
  }
  if (preds.length === 0) return () => true;
  if (preds.length === 1) return preds[0];
  return (doc) => preds.every((p) => p(doc));
}

/** A condition an index can answer: the field equals one of these scalar values. */
export interface EqualityLookup {
  path: string;
  values: Array<string | number | boolean | Date>;
}

const isLookupScalar = (v: unknown): v is string | number | boolean | Date =>
  typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v instanceof Date;

/** The equality conditions every matching document must meet (top level and inside $and). */
export function equalityLookups(filter: Filter, out: EqualityLookup[] = []): EqualityLookup[] {
  for (const [key, cond] of Object.entries(filter)) {
    if (key === '$and' && Array.isArray(cond)) {
      for (const sub of cond) if (isPlainObject(sub)) equalityLookups(sub as Filter, out);
    } else if (!key.startsWith('$')) {
      if (isLookupScalar(cond)) out.push({ path: key, values: [cond] });
      else if (isOperatorObject(cond)) {
        if (isLookupScalar(cond.$eq)) out.push({ path: key, values: [cond.$eq] });
        else if (Array.isArray(cond.$in) && cond.$in.every(isLookupScalar)) out.push({ path: key, values: cond.$in });
      }
    }
  }
  return out;
}
