import type { Filter } from '../../store/port';

/**
 * A small matcher for the store's filter language (the MongoDB subset of store/port.ts), used
 * by the query tests to check what compiled filters select, not just how they look.
 */
export function matches(doc: Record<string, unknown>, filter: Filter): boolean {
  return Object.entries(filter).every(([key, cond]) => {
    if (key === '$and') return (cond as Filter[]).every((f) => matches(doc, f));
    if (key === '$or') return (cond as Filter[]).some((f) => matches(doc, f));
    const value = get(doc, key);
    const ops =
      cond !== null && typeof cond === 'object' && !(cond instanceof Date) && !Array.isArray(cond)
        ? (cond as Record<string, unknown>)
        : { $eq: cond };
    return Object.entries(ops).every(([op, arg]) => test(value, op, arg, ops));
  });
}

function get(doc: unknown, path: string): unknown {
  let cur = doc;
  for (const seg of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || !Object.prototype.hasOwnProperty.call(cur, seg)) return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}

const same = (a: unknown, b: unknown) =>
  a instanceof Date && b instanceof Date ? a.getTime() === b.getTime() : a === b;

const eq = (value: unknown, arg: unknown): boolean => {
  if (arg === null) return value === null || value === undefined;
  if (Array.isArray(value)) return value.some((v) => same(v, arg));
  return same(value, arg);
};

const cmp = (a: unknown, b: unknown): number | null => {
  if (a instanceof Date && b instanceof Date) return a.getTime() - b.getTime();
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return null;
};

const anyOf = (value: unknown, pred: (v: unknown) => boolean) =>
  Array.isArray(value) ? value.some(pred) : pred(value);

function test(value: unknown, op: string, arg: unknown, ops: Record<string, unknown>): boolean {
  switch (op) {
    case '$eq':
      return eq(value, arg);
    case '$ne':
      return !eq(value, arg);
    case '$in':
      return (arg as unknown[]).some((a) => eq(value, a));
    case '$nin':
      return !(arg as unknown[]).some((a) => eq(value, a));
    case '$exists':
      return (value !== undefined) === arg;
    case '$lt':
    case '$lte':
    case '$gt':
    case '$gte':
      return anyOf(value, (v) => {
        const c = cmp(v, arg);
        if (c === null) return false;
        return op === '$lt' ? c < 0 : op === '$lte' ? c <= 0 : op === '$gt' ? c > 0 : c >= 0;
      });
    case '$regex': {
      const re = new RegExp(arg as string, (ops.$options as string | undefined) ?? '');
      return anyOf(value, (v) => typeof v === 'string' && re.test(v));
    }
    case '$options':
      return true;
    default:
      throw new Error(`matcher: unsupported operator ${op}`);
  }
}
