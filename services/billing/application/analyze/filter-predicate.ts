import { Decimal } from '../../../../lib/money';
import type { Filter } from '../../../../lib/store/port';

/**
 * Evaluates a compiled Query filter (the store's MongoDB subset, as lib/query emits it) on
 * one in-memory row, with MongoDB's semantics: equality on a list matches any element; null
 * matches a missing value; $ne and $nin match missing values; comparisons only between strings
 * (or numbers); $regex tests strings. Dotted paths read nested maps (tags.env).
 */
export type RowPredicate = (row: Record<string, unknown>) => boolean;

type Test = (value: unknown) => boolean;

const ALWAYS: RowPredicate = () => true;
const NONE: ReadonlySet<string> = new Set();

function get(row: Record<string, unknown>, parts: string[]): unknown {
  let cur: unknown = row;
  for (const p of parts) {
    if (cur === null || typeof cur !== 'object' || !Object.prototype.hasOwnProperty.call(cur, p)) return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

const some = (value: unknown, test: (v: unknown) => boolean): boolean => (Array.isArray(value) ? value.some(test) : test(value));

function equals(target: unknown): Test {
  if (target === null) return (v) => v === undefined || v === null || (Array.isArray(v) && v.includes(null));
  return (v) => v !== undefined && some(v, (x) => x === target);
}

function compares(op: string, target: unknown): Test {
  if (target === null) return op === '$lte' || op === '$gte' ? equals(null) : () => false;
  const ok = op === '$lt' ? (c: number) => c < 0 : op === '$lte' ? (c: number) => c <= 0 : op === '$gt' ? (c: number) => c > 0 : (c: number) => c >= 0;
  return (v) =>
    some(v, (x) => {
      if (typeof x !== typeof target || (typeof x !== 'string' && typeof x !== 'number')) return false;
      return ok(x < (target as string) ? -1 : x > (target as string) ? 1 : 0);
    });
}

function operators(ops: Record<string, unknown>): Test {
  const tests: Test[] = [];
  for (const [op, arg] of Object.entries(ops)) {
    switch (op) {
      case '$eq':
        tests.push(equals(arg));
        break;
      case '$ne': {
        const eq = equals(arg);
        tests.push((v) => !eq(v));
        break;
      }
      case '$in': {
        const eqs = (arg as unknown[]).map(equals);
        tests.push((v) => eqs.some((t) => t(v)));
        break;
      }
      case '$nin': {
        const eqs = (arg as unknown[]).map(equals);
        tests.push((v) => !eqs.some((t) => t(v)));
        break;
      }
      case '$lt':
      case '$lte':
      case '$gt':
      case '$gte':
        tests.push(compares(op, arg));
        break;
      case '$exists':
        tests.push((v) => (v !== undefined) === Boolean(arg));
        break;
      case '$regex': {
        const re = new RegExp(arg as string, typeof ops.$options === 'string' ? ops.$options : '');
        tests.push((v) => some(v, (x) => typeof x === 'string' && re.test(x)));
        break;
      }
      case '$options':
        break;
      default:
        throw new Error(`filter predicate: unsupported operator ${op}`);
    }
  }
  return (v) => tests.every((t) => t(v));
}

/** A JSON number as the decimal it was written as (shortest round-trip form, exponent expanded). */
export function numberToDecimal(n: number): Decimal | null {
  if (!Number.isFinite(n)) return null;
  const text = String(n);
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!m) return Decimal.tryParse(text);
  const digits = m[2] + (m[3] ?? '');
  const point = 1 + Number(m[4]);
  const plain =
    point <= 0 ? `0.${'0'.repeat(-point)}${digits}` : point >= digits.length ? digits + '0'.repeat(point - digits.length) : `${digits.slice(0, point)}.${digits.slice(point)}`;
  return Decimal.tryParse(m[1] + plain);
}

const asDecimal = (v: unknown): Decimal | null =>
  typeof v === 'string' ? Decimal.tryParse(v) : typeof v === 'number' ? numberToDecimal(v) : v instanceof Decimal ? v : null;

/** Conditions on a decimal field (a decimal string in the row, numbers in the filter), compared exactly. */
function decimalOperators(ops: Record<string, unknown>): Test {
  const tests: Test[] = [];
  const eq = (target: unknown): Test => {
    if (target === null) return (v) => v === undefined || v === null;
    const t = asDecimal(target);
    return (v) => {
      const d = asDecimal(v);
      return t !== null && d !== null && d.compare(t) === 0;
    };
  };
  for (const [op, arg] of Object.entries(ops)) {
    switch (op) {
      case '$eq':
        tests.push(eq(arg));
        break;
      case '$ne': {
        const e = eq(arg);
        tests.push((v) => !e(v));
        break;
      }
      case '$in':
      case '$nin': {
        const eqs = (arg as unknown[]).map(eq);
        tests.push(op === '$in' ? (v) => eqs.some((t) => t(v)) : (v) => !eqs.some((t) => t(v)));
        break;
      }
      case '$lt':
      case '$lte':
      case '$gt':
      case '$gte': {
        const t = asDecimal(arg);
        const ok = op === '$lt' ? (c: number) => c < 0 : op === '$lte' ? (c: number) => c <= 0 : op === '$gt' ? (c: number) => c > 0 : (c: number) => c >= 0;
        tests.push((v) => {
          const d = asDecimal(v);
          return t !== null && d !== null && ok(d.compare(t));
        });
        break;
      }
      case '$exists':
        tests.push((v) => (v !== undefined) === Boolean(arg));
        break;
      default:
        throw new Error(`filter predicate: unsupported operator ${op} on a decimal field`);
    }
  }
  return (v) => tests.every((t) => t(v));
}

const isOperators = (c: unknown): c is Record<string, unknown> =>
  c !== null && typeof c === 'object' && !Array.isArray(c) && !(c instanceof Date) && Object.keys(c).every((k) => k.startsWith('$'));

/**
 * The predicate of a filter ({} holds for every row). Paths in `decimals` hold decimal strings
 * compared exactly with the filter's numbers.
 */
export function compilePredicate(filter: Filter, decimals: ReadonlySet<string> = NONE): RowPredicate {
  const preds: RowPredicate[] = [];
  for (const [key, cond] of Object.entries(filter)) {
    if (key === '$and' || key === '$or') {
      const subs = (cond as Filter[]).map((f) => compilePredicate(f, decimals));
      preds.push(key === '$and' ? (r) => subs.every((p) => p(r)) : (r) => subs.some((p) => p(r)));
      continue;
    }
    const parts = key.split('.');
    const test = decimals.has(key) ? decimalOperators(isOperators(cond) ? cond : { $eq: cond }) : isOperators(cond) ? operators(cond) : equals(cond);
    preds.push(parts.length === 1 ? (r) => test(r[key]) : (r) => test(get(r, parts)));
  }
  if (preds.length === 0) return ALWAYS;
  if (preds.length === 1) return preds[0];
  return (r) => preds.every((p) => p(r));
}

/** Every field path a filter reads. */
export function filterPaths(filter: Filter, out = new Set<string>()): string[] {
  for (const [key, cond] of Object.entries(filter)) {
    if (key === '$and' || key === '$or') for (const f of cond as Filter[]) filterPaths(f, out);
    else out.add(key);
  }
  return [...out];
}

/** The terms of a filter that must all hold (its top-level AND). */
export function andTerms(filter: Filter): Filter[] {
  const keys = Object.keys(filter);
  if (keys.length === 0) return [];
  if (keys.length === 1 && keys[0] === '$and') return (filter.$and as Filter[]).flatMap(andTerms);
  return keys.map((k) => ({ [k]: filter[k] }));
}
