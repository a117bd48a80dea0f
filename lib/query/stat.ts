import type { StatQuery } from '../../gen/tally/core/v1/query';
import { invalidArgument } from '../errors/domain-error';
import type { Accumulator, Filter, GroupSpec, SortSpec } from '../store/port';
import { compilePage, conditions, join, type CompileOptions } from './compile';
import { QUERY_LIMITS } from './limits';
import { isSortable, normalizeSchema, resolveField, type QuerySchema } from './schema';

export const STAT_OPERATORS = ['count', 'sum', 'min', 'max', 'add_to_set'] as const;
export type StatOperator = (typeof STAT_OPERATORS)[number];

const OUTPUT_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

export interface StatGroupKey {
  /** The key as the API names it, and as it appears in results (project_id, tags.env). */
  name: string;
  /** The stored path grouped on (the name under which the store returns it). */
  stored: string;
}

export interface CompiledStatQuery {
  filter: Filter;
  /** For Collection.group: stored key paths and accumulators named by output name. */
  group: GroupSpec;
  /** Over output names (group key names and field names); applied by pageGroups. */
  sort: SortSpec[];
  skip: number;
  limit: number;
  keys: StatGroupKey[];
}

/**
 * Compiles a Stat query: filter as for List; group_by keys and fields validated (sum on number
 * fields; min and max on number or date-time fields; add_to_set on scalar fields; count takes no
 * key); output names simple identifiers, unique, distinct from the group keys; sort keys must be
 * group keys or non-add_to_set field names (default: the group keys, ascending). Apply the
 * result of Collection.group with pageGroups.
 */
export function compileStatQuery(
  query: StatQuery | undefined,
  schema: QuerySchema,
  options: CompileOptions = {},
): CompiledStatQuery {
  const n = normalizeSchema(schema);
  const prefix = options.path ?? 'query';
  const q: Partial<StatQuery> = query ?? {};
  const filter = conditions(q.filter ?? [], q.filterOr ?? [], n, prefix);

  const groupBy = q.groupBy ?? [];
  const groupAt = join(prefix, 'group_by');
  if (groupBy.length > QUERY_LIMITS.maxGroupBy)
    throw invalidArgument(
      'QUERY.TOO_MANY_GROUP_KEYS',
      groupAt,
      `${groupAt}: at most ${QUERY_LIMITS.maxGroupBy} group keys are allowed`,
    );
  const keys: StatGroupKey[] = [];
  groupBy.forEach((k, i) => {
    const at = `${groupAt}[${i}]`;
    const f = resolveField(n, k, at);
    if (!isSortable(f.type))
      throw invalidArgument(
        'QUERY.INVALID_GROUP_BY',
        at,
        `${at}: cannot group by "${f.path}"${f.type === 'map' ? `; group by one of its keys (${f.path}.<key>)` : ''}`,
      );
    if (keys.some((x) => x.name === f.path))
      throw invalidArgument('QUERY.INVALID_GROUP_BY', at, `${at}: "${f.path}" appears twice in group_by`);
    keys.push({ name: f.path, stored: f.stored });
  });

  const fields = q.fields ?? [];
  const fieldsAt = join(prefix, 'fields');
  if (fields.length > QUERY_LIMITS.maxStatFields)
    throw invalidArgument(
      'QUERY.TOO_MANY_FIELDS',
      fieldsAt,
      `${fieldsAt}: at most ${QUERY_LIMITS.maxStatFields} fields are allowed`,
    );
  if (fields.length === 0 && keys.length === 0)
    throw invalidArgument('QUERY.EMPTY_STAT', fieldsAt, `${fieldsAt}: give group_by keys, fields, or both`);
  const accumulators: Record<string, Accumulator> = Object.create(null) as Record<string, Accumulator>;
  const sortable = new Set(keys.map((k) => k.name));
  const taken = new Set(keys.flatMap((k) => [k.name, k.stored]));
  fields.forEach((sf, i) => {
    const at = `${fieldsAt}[${i}]`;
    const name = sf?.name ?? '';
    if (!OUTPUT_NAME.test(name))
      throw invalidArgument(
        'QUERY.INVALID_STAT_FIELD',
        `${at}.name`,
        `${at}.name: an output name must start with a letter and hold only letters, digits and _ (at most 64)`,
      );
    if (taken.has(name))
      throw invalidArgument(
        'QUERY.INVALID_STAT_FIELD',
        `${at}.name`,
        `${at}.name: "${name}" is already used by a group key or another field`,
      );
    taken.add(name);
    const op = sf.operator;
    if (!(STAT_OPERATORS as readonly string[]).includes(op))
      throw invalidArgument(
        'QUERY.UNKNOWN_OPERATOR',
        `${at}.operator`,
        `${at}.operator: unknown operator "${String(op).slice(0, 32)}"; allowed: ${STAT_OPERATORS.join(', ')}`,
      );
    if (op === 'count') {
      if (sf.key)
        throw invalidArgument('QUERY.INVALID_STAT_FIELD', `${at}.key`, `${at}.key: count takes no key`);
      accumulators[name] = { op: 'count' };
      sortable.add(name);
      return;
    }
    const f = resolveField(n, sf.key, `${at}.key`);
    const ok =
      op === 'sum'
        ? f.type === 'number'
        : op === 'add_to_set'
          ? isSortable(f.type)
          : f.type === 'number' || f.type === 'datetime';
    if (!ok) {
      const need =
        op === 'sum' ? 'a number field' : op === 'add_to_set' ? 'a single-valued field' : 'a number or date-time field';
      throw invalidArgument(
        'QUERY.INVALID_STAT_FIELD',
        `${at}.key`,
        `${at}.key: ${op} needs ${need}; "${f.path}" is not one`,
      );
    }
    accumulators[name] = {
      op: op === 'add_to_set' ? 'addToSet' : (op as 'sum' | 'min' | 'max'),
      field: f.stored,
    };
    if (op !== 'add_to_set') sortable.add(name);
  });

  const sortAt = join(prefix, 'sort');
  const givenSort = q.sort ?? [];
  if (givenSort.length > QUERY_LIMITS.maxSortKeys)
    throw invalidArgument(
      'QUERY.TOO_MANY_SORT_KEYS',
      sortAt,
      `${sortAt}: at most ${QUERY_LIMITS.maxSortKeys} sort keys are allowed`,
    );
  const sort: SortSpec[] = givenSort.map((s, i) => {
    const at = `${sortAt}[${i}].key`;
    if (!sortable.has(s?.key))
      throw invalidArgument(
        'QUERY.INVALID_SORT',
        at,
        `${at}: sort by a group key or a computed field; allowed: ${[...sortable].join(', ') || '(none)'}`,
      );
    return { field: s.key, direction: s.desc ? -1 : 1 };
  });
  if (new Set(sort.map((s) => s.field)).size !== sort.length)
    throw invalidArgument('QUERY.INVALID_SORT', sortAt, `${sortAt}: a key appears twice`);
  // Ties (and the default order) are broken by the group keys, so pages are stable.
  for (const k of keys) if (!sort.some((s) => s.field === k.name)) sort.push({ field: k.name, direction: 1 });

  const { skip, limit } = compilePage(q.page, n, prefix);
  return {
    filter,
    group: { keys: keys.map((k) => k.stored), accumulators: { ...accumulators } },
    sort,
    skip,
    limit,
    keys,
  };
}

/** The value at a dotted path of a row (tags.env), undefined when absent; own properties only. */
export function readPath(row: Record<string, unknown>, path: string): unknown {
  if (Object.prototype.hasOwnProperty.call(row, path)) return row[path];
  let cur: unknown = row;
  for (const seg of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || !Object.prototype.hasOwnProperty.call(cur, seg)) return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}

const RANK = (v: unknown): number => {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number' || typeof v === 'bigint') return 1;
  if (typeof v === 'string') return 2;
  if (v instanceof Date) return 6;
  if (Array.isArray(v)) return 4;
  if (typeof v === 'boolean') return 5;
  return 3;
};

/** Orders values as MongoDB does across types: null, numbers, strings, objects, lists, booleans, dates. */
export function compareValues(a: unknown, b: unknown): number {
  const ra = RANK(a);
  const rb = RANK(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 0:
      return 0;
    case 1:
    case 2:
    case 5:
      return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
    case 6: {
      const x = (a as Date).getTime();
      const y = (b as Date).getTime();
      return x < y ? -1 : x > y ? 1 : 0;
    }
    default: {
      const x = JSON.stringify(a);
      const y = JSON.stringify(b);
      return x < y ? -1 : x > y ? 1 : 0;
    }
  }
}

const jsonSafe = (v: unknown): unknown =>
  v instanceof Date ? v.toISOString() : Array.isArray(v) ? v.map(jsonSafe) : v;

/**
 * Turns Collection.group rows into the Stat answer: results named by the API (group keys under
 * their API names, then the computed fields), sorted, then the requested page; totalCount is
 * the number of groups before paging. Dates become ISO-8601 strings (results travel as Struct).
 */
export function pageGroups(
  rows: readonly Record<string, unknown>[],
  compiled: Pick<CompiledStatQuery, 'keys' | 'group' | 'sort' | 'skip' | 'limit'>,
): { results: Record<string, unknown>[]; totalCount: number } {
  const results = rows.map((row) => {
    const out: Record<string, unknown> = {};
    for (const k of compiled.keys) out[k.name] = readPath(row, k.stored) ?? null;
    for (const [name, acc] of Object.entries(compiled.group.accumulators)) {
      const v = row[name];
      out[name] = v ?? (acc.op === 'count' ? 0 : acc.op === 'addToSet' ? [] : null);
    }
    return out;
  });
  const sort = compiled.sort;
  results.sort((a, b) => {
    for (const s of sort) {
      const c = compareValues(a[s.field], b[s.field]);
      if (c !== 0) return c * s.direction;
    }
    return 0;
  });
  const page = results.slice(compiled.skip, compiled.skip + compiled.limit).map((r) => {
    for (const k of Object.keys(r)) r[k] = jsonSafe(r[k]);
    return r;
  });
  return { results: page, totalCount: results.length };
}
