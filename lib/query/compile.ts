import type { Condition, Page, Query, Sort } from '../../gen/tally/core/v1/query';
import { invalidArgument } from '../errors/domain-error';
import type { Filter, FindOptions, SortSpec } from '../store/port';
import { QUERY_LIMITS } from './limits';
import { compileCondition } from './operators';
import { escapeRegex } from './regex';
import { clip, isSortable, normalizeSchema, resolveField, type NormalizedSchema, type QuerySchema } from './schema';

export interface CompileOptions {
  /** Path of the query in the request, used in error fields (default "query"; "" for none). */
  path?: string;
}

export interface CompiledQuery {
  filter: Filter;
  options: FindOptions;
}

export const join = (prefix: string, name: string) => (prefix ? `${prefix}.${name}` : name);

const isEmpty = (f: Filter) => Object.keys(f).length === 0;

/** ANDs filters, dropping empty ones: {} for none, the filter itself for one. */
export function andFilters(filters: Filter[]): Filter {
  const terms = filters
    .filter((f) => !isEmpty(f))
    .flatMap((f) => (Object.keys(f).length === 1 && Array.isArray(f.$and) ? f.$and : [f]));
  if (terms.length === 0) return {};
  if (terms.length === 1) return terms[0];
  return { $and: terms };
}

/**
 * Compiles filter (ANDed) and filter_or (ORed, the OR group ANDed with the rest) into a
 * store filter. Throws INVALID_ARGUMENT naming the condition at fault.
 */
export function compileConditions(
  filter: readonly Condition[] | undefined,
  filterOr: readonly Condition[] | undefined,
  schema: QuerySchema,
  options: CompileOptions = {},
): Filter {
  return conditions(filter ?? [], filterOr ?? [], normalizeSchema(schema), options.path ?? 'query');
}

export function conditions(
  filter: readonly Condition[],
  filterOr: readonly Condition[],
  schema: NormalizedSchema,
  prefix: string,
): Filter {
  const max = QUERY_LIMITS.maxConditions;
  if (filter.length > max || filter.length + filterOr.length > max) {
    const at = join(prefix, filter.length > max ? 'filter' : 'filter_or');
    throw invalidArgument(
      'QUERY.TOO_MANY_CONDITIONS',
      at,
      `${at}: at most ${max} conditions are allowed in filter and filter_or together, got ${filter.length + filterOr.length}`,
    );
  }
  const and = filter.map((c, i) => compileCondition(c, schema, `${join(prefix, 'filter')}[${i}]`));
  const or = filterOr.map((c, i) => compileCondition(c, schema, `${join(prefix, 'filter_or')}[${i}]`));
  // An empty term in the OR group always holds, and so does the whole group.
  if (or.length > 0 && !or.some(isEmpty)) and.push(or.length === 1 ? or[0] : { $or: or });
  return andFilters(and);
}

/** The keyword as a filter: a case-insensitive substring of any keyword field. */
export function compileKeyword(keyword: string | undefined, schema: NormalizedSchema, prefix: string): Filter {
  const text = (keyword ?? '').trim();
  if (text === '') return {};
  const at = join(prefix, 'keyword');
  if (schema.keywordFields.length === 0)
    throw invalidArgument('QUERY.KEYWORD_NOT_SUPPORTED', at, `${at}: ${schema.resource} has no keyword search`);
  if (text.length > QUERY_LIMITS.maxContainLength)
    throw invalidArgument(
      'QUERY.VALUE_TOO_LONG',
      at,
      `${at}: the keyword is limited to ${QUERY_LIMITS.maxContainLength} characters`,
    );
  const pattern = escapeRegex(text);
  const terms = schema.keywordFields.map((f) => ({ [f.stored]: { $regex: pattern, $options: 'i' } }));
  return terms.length === 1 ? terms[0] : { $or: terms };
}

/**
 * Sort keys, stored names: the query's, else the schema's default; _id is appended as the
 * final tie-breaker so that pages never overlap or skip.
 */
export function compileSort(sort: readonly Sort[] | undefined, schema: NormalizedSchema, prefix: string): SortSpec[] {
  const given = sort ?? [];
  const at = join(prefix, 'sort');
  if (given.length > QUERY_LIMITS.maxSortKeys)
    throw invalidArgument('QUERY.TOO_MANY_SORT_KEYS', at, `${at}: at most ${QUERY_LIMITS.maxSortKeys} sort keys are allowed`);
  const specs: SortSpec[] = [];
  const seen = new Set<string>();
  given.forEach((s, i) => {
    const keyAt = `${at}[${i}].key`;
    const f = resolveField(schema, s?.key, keyAt);
    if (!isSortable(f.type))
      throw invalidArgument('QUERY.INVALID_SORT', keyAt, `${keyAt}: "${f.path}" cannot be sorted on`);
    if (seen.has(f.stored))
      throw invalidArgument('QUERY.INVALID_SORT', keyAt, `${keyAt}: "${f.path}" appears twice in sort`);
    seen.add(f.stored);
    specs.push({ field: f.stored, direction: s.desc ? -1 : 1 });
  });
  if (specs.length === 0) {
    for (const d of schema.defaultSort) {
      if (seen.has(d.field.stored)) continue;
      seen.add(d.field.stored);
      specs.push({ field: d.field.stored, direction: d.desc ? -1 : 1 });
    }
  }
  if (!seen.has('_id')) specs.push({ field: '_id', direction: 1 });
  return specs;
}

/** page.start is 1-based (0 or absent means 1); page.limit 0 or absent means the default. */
export function compilePage(
  page: Page | undefined,
  schema: NormalizedSchema,
  prefix: string,
): { skip: number; limit: number } {
  const start = page?.start ?? 0;
  const limit = page?.limit ?? 0;
  const at = join(prefix, 'page');
  if (!Number.isSafeInteger(start) || start < 0)
    throw invalidArgument('QUERY.INVALID_PAGE', `${at}.start`, `${at}.start: must be a whole number from 1`);
  if (!Number.isSafeInteger(limit) || limit < 0)
    throw invalidArgument('QUERY.INVALID_PAGE', `${at}.limit`, `${at}.limit: must be a whole number from 1`);
  if (limit > schema.maxPageLimit)
    throw invalidArgument(
      'QUERY.PAGE_LIMIT_TOO_LARGE',
      `${at}.limit`,
      `${at}.limit: ${limit} is more than the maximum of ${schema.maxPageLimit}`,
    );
  return { skip: Math.max(start, 1) - 1, limit: limit === 0 ? schema.defaultPageLimit : limit };
}

/** `only` as a projection of stored top-level fields; undefined when all fields are wanted. */
export function compileOnly(
  only: readonly string[] | undefined,
  schema: NormalizedSchema,
  prefix: string,
): string[] | undefined {
  const given = only ?? [];
  if (given.length === 0) return undefined;
  const at = join(prefix, 'only');
  if (given.length > QUERY_LIMITS.maxOnly)
    throw invalidArgument('QUERY.TOO_MANY_FIELDS', at, `${at}: at most ${QUERY_LIMITS.maxOnly} fields are allowed`);
  const out = new Set<string>();
  given.forEach((name, i) => {
    const fieldAt = `${at}[${i}]`;
    const f = resolveField(schema, name, fieldAt);
    if (f.inMap)
      throw invalidArgument(
        'QUERY.INVALID_ONLY',
        fieldAt,
        `${fieldAt}: only takes top-level fields; use "${clip(name.split('.')[0])}" instead of "${clip(name)}"`,
      );
    out.add(f.stored);
  });
  return [...out];
}

/**
 * Compiles a List query: the filter (filter AND (filter_or...) AND keyword) and the find
 * options (sort, skip, limit, projection). Every problem is INVALID_ARGUMENT naming the field.
 */
export function compileQuery(query: Query | undefined, schema: QuerySchema, options: CompileOptions = {}): CompiledQuery {
  const n = normalizeSchema(schema);
  const prefix = options.path ?? 'query';
  const q: Partial<Query> = query ?? {};
  const filter = andFilters([
    conditions(q.filter ?? [], q.filterOr ?? [], n, prefix),
    compileKeyword(q.keyword, n, prefix),
  ]);
  const { skip, limit } = compilePage(q.page, n, prefix);
  const found: FindOptions = { sort: compileSort(q.sort, n, prefix), skip, limit };
  const projection = compileOnly(q.only, n, prefix);
  if (projection) found.projection = projection;
  return { filter, options: found };
}
