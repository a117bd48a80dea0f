import type { Condition } from '../../gen/tally/core/v1/query';
import { invalidArgument } from '../errors/domain-error';
import type { Filter, Scalar } from '../store/port';
import { parseIsoDateTime } from './datetime';
import { QUERY_LIMITS } from './limits';
import { escapeRegex, regexProblem } from './regex';
import { clip, resolveField, type NormalizedSchema, type ResolvedField, type ResolvedType } from './schema';

/** SpaceONE's filter operators; an empty operator means eq. */
export const OPERATORS = [
  'eq',
  'not',
  'lt',
  'lte',
  'gt',
  'gte',
  'in',
  'not_in',
  'contain',
  'not_contain',
  'contain_in',
  'not_contain_in',
  'exists',
  'regex',
  'datetime_lt',
  'datetime_lte',
  'datetime_gt',
  'datetime_gte',
] as const;
export type Operator = (typeof OPERATORS)[number];

const isOperator = (o: string): o is Operator => (OPERATORS as readonly string[]).includes(o);

const ORDER: readonly Operator[] = ['lt', 'lte', 'gt', 'gte'];
const LISTS: readonly Operator[] = ['in', 'not_in'];
const TEXT: readonly Operator[] = ['contain', 'not_contain', 'contain_in', 'not_contain_in', 'regex'];
const DATETIME: readonly Operator[] = ['datetime_lt', 'datetime_lte', 'datetime_gt', 'datetime_gte'];

/** Which operators each field type takes. */
const ALLOWED: Record<ResolvedType, readonly Operator[]> = {
  string: ['eq', 'not', ...ORDER, ...LISTS, ...TEXT, 'exists'],
  number: ['eq', 'not', ...ORDER, ...LISTS, 'exists'],
  boolean: ['eq', 'not', ...LISTS, 'exists'],
  datetime: ['eq', 'not', ...ORDER, ...LISTS, 'exists', ...DATETIME],
  // "No element contains" cannot be written with the store's operators, so the negated
  // substring operators are not offered on lists (not_in covers exact values).
  'string[]': ['eq', 'not', ...LISTS, 'contain', 'contain_in', 'regex', 'exists'],
  map: ['exists'],
  any: ['eq', 'not', ...ORDER, ...LISTS, ...TEXT, 'exists'],
};

const TYPE_LABEL: Record<ResolvedType, string> = {
  string: 'a string field',
  number: 'a number field',
  boolean: 'a boolean field',
  datetime: 'a date-time field',
  'string[]': 'a list-of-strings field',
  map: 'a map (filter on its keys, e.g. tags.<key>)',
  any: 'a map value',
};

const STORE_OP: Partial<Record<Operator, string>> = {
  eq: '$eq',
  not: '$ne',
  lt: '$lt',
  lte: '$lte',
  gt: '$gt',
  gte: '$gte',
  in: '$in',
  not_in: '$nin',
  datetime_lt: '$lt',
  datetime_lte: '$lte',
  datetime_gt: '$gt',
  datetime_gte: '$gte',
};

/** Describes a JSON value's type for messages. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'no value';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (v instanceof Date) return 'a date';
  switch (typeof v) {
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'a boolean';
    default:
      return 'an object';
  }
}

const ISO_EXAMPLE = 'an ISO-8601 date-time string such as "2024-05-01T00:00:00Z"';

interface Ctx {
  field: ResolvedField;
  op: Operator;
  /** Error path of the value (query.filter[1].v). */
  at: string;
}

const badValue = (ctx: Ctx, need: string, v: unknown) =>
  invalidArgument(
    'QUERY.INVALID_VALUE',
    ctx.at,
    `${ctx.at}: "${ctx.field.path}" is ${TYPE_LABEL[ctx.field.type]}; ${ctx.op} needs ${need}, got ${describeValue(v)}`,
  );

function checkString(ctx: Ctx, v: string, max: number): string {
  if (v.length > max)
    throw invalidArgument('QUERY.VALUE_TOO_LONG', ctx.at, `${ctx.at}: the value is longer than ${max} characters`);
  return v;
}

/** One value compared with the field, converted to what the store holds. */
function scalar(ctx: Ctx, v: unknown, allowNull: boolean): Scalar {
  if (v === null && allowNull) return null;
  const orNull = allowNull ? ' (or null)' : '';
  switch (ctx.field.type) {
    case 'string':
    case 'string[]':
      if (typeof v !== 'string') throw badValue(ctx, `a string${orNull}`, v);
      return checkString(ctx, v, QUERY_LIMITS.maxStringLength);
    case 'number':
      if (typeof v !== 'number' || !Number.isFinite(v)) throw badValue(ctx, `a number${orNull}`, v);
      return v;
    case 'boolean':
      if (typeof v !== 'boolean') throw badValue(ctx, `true or false${orNull}`, v);
      return v;
    case 'datetime':
      return dateValue(ctx, v, orNull);
    case 'any': {
      const ordered = ORDER.includes(ctx.op);
      const need = ordered ? 'a string or a number' : `a string, number or boolean${orNull}`;
      if (typeof v === 'string') return checkString(ctx, v, QUERY_LIMITS.maxStringLength);
      if (typeof v === 'number' && Number.isFinite(v)) return v;
      if (typeof v === 'boolean' && !ordered) return v;
      throw badValue(ctx, need, v);
    }
    default:
      throw badValue(ctx, 'nothing (use exists)', v);
  }
}

function dateValue(ctx: Ctx, v: unknown, orNull = ''): Date {
  if (typeof v !== 'string') throw badValue(ctx, `${ISO_EXAMPLE}${orNull}`, v);
  const d = parseIsoDateTime(v);
  if (!d)
    throw invalidArgument(
      'QUERY.INVALID_DATETIME',
      ctx.at,
      `${ctx.at}: "${clip(v)}" is not a valid ISO-8601 date or date-time (e.g. "2024-05-01" or "2024-05-01T10:00:00Z")`,
    );
  return d;
}

function list(ctx: Ctx, v: unknown, of: string): unknown[] {
  if (!Array.isArray(v)) throw badValue(ctx, `a list of ${of}`, v);
  if (v.length > QUERY_LIMITS.maxListValues)
    throw invalidArgument(
      'QUERY.TOO_MANY_VALUES',
      ctx.at,
      `${ctx.at}: ${ctx.op} takes at most ${QUERY_LIMITS.maxListValues} values, got ${v.length}`,
    );
  return v;
}

function substring(ctx: Ctx, v: unknown, at = ctx.at): string {
  if (typeof v !== 'string') throw badValue({ ...ctx, at }, 'a string', v);
  if (v.length > QUERY_LIMITS.maxContainLength)
    throw invalidArgument(
      'QUERY.VALUE_TOO_LONG',
      at,
      `${at}: a substring to search for is limited to ${QUERY_LIMITS.maxContainLength} characters`,
    );
  return v;
}

/** Matches values that do not contain any of the (escaped) alternatives; missing or null too. */
function notContaining(stored: string, alternatives: string[]): Filter {
  const pattern = `^(?![\\s\\S]*(?:${alternatives.join('|')}))`;
  return { $or: [{ [stored]: { $eq: null } }, { [stored]: { $regex: pattern, $options: 'i' } }] };
}

/** Compiles one Condition; `at` is its path (query.filter[2]). Throws INVALID_ARGUMENT. */
export function compileCondition(cond: Condition, schema: NormalizedSchema, at: string): Filter {
  if (cond === null || typeof cond !== 'object')
    throw invalidArgument('QUERY.INVALID_CONDITION', at, `${at}: a condition {k, v, o} is required`);
  const field = resolveField(schema, cond.k, `${at}.k`);
  const rawOp = cond.o ?? '';
  if (typeof rawOp !== 'string' || (rawOp !== '' && !isOperator(rawOp)))
    throw invalidArgument(
      'QUERY.UNKNOWN_OPERATOR',
      `${at}.o`,
      `${at}.o: unknown operator "${clip(String(rawOp))}"; allowed: ${OPERATORS.join(', ')}`,
    );
  const op: Operator = rawOp === '' ? 'eq' : rawOp;
  if (!ALLOWED[field.type].includes(op))
    throw invalidArgument(
      'QUERY.OPERATOR_NOT_ALLOWED',
      `${at}.o`,
      `${at}.o: ${op} cannot be used on "${field.path}", which is ${TYPE_LABEL[field.type]}; allowed: ${ALLOWED[field.type].join(', ')}`,
    );
  const ctx: Ctx = { field, op, at: `${at}.v` };
  const v: unknown = cond.v;
  const s = field.stored;
  switch (op) {
    case 'eq':
    case 'not':
      return { [s]: { [STORE_OP[op]!]: scalar(ctx, v, true) } };
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte':
      return { [s]: { [STORE_OP[op]!]: scalar(ctx, v, false) } };
    case 'datetime_lt':
    case 'datetime_lte':
    case 'datetime_gt':
    case 'datetime_gte':
      return { [s]: { [STORE_OP[op]!]: dateValue(ctx, v) } };
    case 'in':
    case 'not_in': {
      const values = list(ctx, v, 'values').map((x, i) => scalar({ ...ctx, at: `${ctx.at}[${i}]` }, x, true));
      return { [s]: { [STORE_OP[op]!]: values } };
    }
    case 'contain':
      return { [s]: { $regex: escapeRegex(substring(ctx, v)), $options: 'i' } };
    case 'not_contain':
      return notContaining(s, [escapeRegex(substring(ctx, v))]);
    case 'contain_in':
    case 'not_contain_in': {
      const raw = list(ctx, v, 'strings').map((x, i) => substring(ctx, x, `${ctx.at}[${i}]`));
      const total = raw.reduce((n, p) => n + p.length, 0);
      if (total > QUERY_LIMITS.maxContainInTotalLength)
        throw invalidArgument(
          'QUERY.VALUE_TOO_LONG',
          ctx.at,
          `${ctx.at}: the substrings of ${op} are limited to ${QUERY_LIMITS.maxContainInTotalLength} characters together`,
        );
      const parts = raw.map(escapeRegex);
      if (parts.length === 0) return op === 'contain_in' ? { [s]: { $in: [] } } : {};
      if (op === 'not_contain_in') return notContaining(s, parts);
      return { [s]: { $regex: parts.join('|'), $options: 'i' } };
    }
    case 'exists':
      if (typeof v !== 'boolean') throw badValue(ctx, 'true or false', v);
      return { [s]: { $exists: v } };
    case 'regex': {
      if (typeof v !== 'string' || v === '') throw badValue(ctx, 'a non-empty regular expression string', v);
      if (v.length > QUERY_LIMITS.maxRegexLength)
        throw invalidArgument(
          'QUERY.REGEX_TOO_LONG',
          ctx.at,
          `${ctx.at}: a regular expression is limited to ${QUERY_LIMITS.maxRegexLength} characters`,
        );
      const problem = regexProblem(v);
      if (problem) throw invalidArgument('QUERY.INVALID_REGEX', ctx.at, `${ctx.at}: ${problem}`);
      return { [s]: { $regex: v } };
    }
  }
}
