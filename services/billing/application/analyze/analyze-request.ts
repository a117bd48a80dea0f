import { Granularity, granularityToJSON, type CostServiceAnalyzeRequest } from '../../../../gen/tally/billing/v1/cost';
import { invalidArgument } from '../../../../lib/errors/domain-error';
import { assertCurrencyCode } from '../../../../lib/money';
import { compileConditions } from '../../../../lib/query';
import type { Filter } from '../../../../lib/store/port';
import { isRealDate } from '../ledger/calendar';
import { ANALYZE_FILTER_SCHEMA, ANALYZE_KEYS, ANALYZE_LIMITS } from './analyze-schema';
import { daysInRange } from '../ledger/calendar';
import { filterPaths } from './filter-predicate';

export type GranularityName = 'DAILY' | 'MONTHLY' | 'YEARLY' | 'ACCUMULATED';

export interface SortKey {
  /** 'total' or a group_by key. */
  key: string;
  desc: boolean;
}

/** A checked Analyze request. */
export interface AnalyzeSpec {
  granularity: GranularityName;
  start: string;
  end: string;
  /** group_by keys as given (project_id, tags.env, ...). */
  groupBy: string[];
  /** Compiled filter AND (filter_or) over stored paths (project_id, tags.env, ...); {} for none. */
  filter: Filter;
  /** Paths the filter reads. */
  filterPaths: string[];
  sort: SortKey[];
  /** 0: every group. */
  limit: number;
  /** Requested currency; null for the domain's. */
  currency: string | null;
}

const GRANULARITIES: Partial<Record<number, GranularityName>> = {
  [Granularity.GRANULARITY_DAILY]: 'DAILY',
  [Granularity.GRANULARITY_MONTHLY]: 'MONTHLY',
  [Granularity.GRANULARITY_YEARLY]: 'YEARLY',
  [Granularity.GRANULARITY_ACCUMULATED]: 'ACCUMULATED',
};

/** The granularities as clients write them (the enum value names the JSON decoder accepts). */
const GRANULARITY_NAMES = Object.keys(GRANULARITIES).map((n) => granularityToJSON(Number(n)));

const bad = (field: string, message: string, reason = 'COST.INVALID_ANALYZE') => invalidArgument(reason, field, `${field}: ${message}`);
const shown = (v: unknown) => (typeof v === 'string' ? `"${v.slice(0, 40)}"` : String(v));

function checkDate(value: unknown, field: string): string {
  if (value === undefined || value === null || value === '') throw bad(field, 'required (YYYY-MM-DD)');
  if (!isRealDate(value)) throw bad(field, `${shown(value)} is not a calendar date YYYY-MM-DD`);
  return value;
}

/** A group_by or sort key: one of ANALYZE_KEYS or tags.<key>. */
export function checkKey(key: unknown, field: string): string {
  if (typeof key !== 'string' || key === '') throw bad(field, `a key is required; allowed: ${ANALYZE_KEYS.join(', ')}, tags.<key>`);
  if ((ANALYZE_KEYS as readonly string[]).includes(key)) return key;
  if (key.startsWith('tags.')) {
    const tag = key.slice(5);
    if (tag === '') throw bad(field, 'tags.<key> needs a key after "tags."');
    if (tag.length > ANALYZE_LIMITS.maxTagKeyLength) throw bad(field, `the key after "tags." is longer than ${ANALYZE_LIMITS.maxTagKeyLength} characters`);
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f]/.test(tag)) throw bad(field, 'the tag key contains control characters');
    return key;
  }
  throw bad(field, `unknown key ${shown(key)}; allowed: ${ANALYZE_KEYS.join(', ')}, tags.<key>`);
}

/** Checks an Analyze request (limits: ANALYZE_LIMITS). Throws INVALID_ARGUMENT naming the field. */
export function parseAnalyzeRequest(req: CostServiceAnalyzeRequest): AnalyzeSpec {
  const granularity = GRANULARITIES[req.granularity];
  if (!granularity) {
    const accepted = `one of ${GRANULARITY_NAMES.join(', ')}`;
    if (req.granularity === undefined || req.granularity === Granularity.GRANULARITY_UNSPECIFIED) throw bad('granularity', `missing; give ${accepted}`);
    throw bad('granularity', `${shown(req.granularity)} is not a known granularity; give ${accepted}`);
  }
  const start = checkDate(req.start, 'start');
  const end = checkDate(req.end, 'end');
  if (end < start) throw bad('end', `${end} is before start ${start}`);
  const tenYears = `${String(Number(start.slice(0, 4)) + ANALYZE_LIMITS.maxYears).padStart(4, '0')}${start.slice(4)}`;
  if (end >= tenYears) throw bad('end', `the range may span at most ${ANALYZE_LIMITS.maxYears} years (end before ${tenYears})`);
  if (granularity === 'DAILY' && daysInRange(start, end) > ANALYZE_LIMITS.maxDailyDays)
    throw bad('end', `a DAILY range may span at most ${ANALYZE_LIMITS.maxDailyDays} days, this one spans ${daysInRange(start, end)}`);

  const given = req.groupBy ?? [];
  if (given.length > ANALYZE_LIMITS.maxGroupBy) throw bad('group_by', `at most ${ANALYZE_LIMITS.maxGroupBy} keys are allowed, got ${given.length}`);
  const groupBy: string[] = [];
  given.forEach((k, i) => {
    const key = checkKey(k, `group_by[${i}]`);
    if (groupBy.includes(key)) throw bad(`group_by[${i}]`, `"${key}" appears twice`);
    groupBy.push(key);
  });

  const filter = compileConditions(req.filter, req.filterOr, ANALYZE_FILTER_SCHEMA, { path: '' });

  const sortGiven = req.sort ?? [];
  if (sortGiven.length > ANALYZE_LIMITS.maxGroupBy + 1) throw bad('sort', `at most ${ANALYZE_LIMITS.maxGroupBy + 1} sort keys are allowed`);
  const sort: SortKey[] = sortGiven.map((s, i) => {
    const key = s?.key;
    if (key !== 'total' && !groupBy.includes(key))
      throw bad(`sort[${i}].key`, `sort by "total" or a group_by key (${groupBy.join(', ') || 'none given'}); got ${shown(key)}`);
    return { key, desc: s.desc === true };
  });
  if (new Set(sort.map((s) => s.key)).size !== sort.length) throw bad('sort', 'a key appears twice');
  if (sort.length === 0) sort.push({ key: 'total', desc: true });

  const limit = req.limit ?? 0;
  if (!Number.isSafeInteger(limit) || limit < 0) throw bad('limit', 'must be a whole number');
  if (limit > ANALYZE_LIMITS.maxLimit) throw bad('limit', `at most ${ANALYZE_LIMITS.maxLimit} groups may be asked for, got ${limit}`);

  const currency = req.currency ? assertCurrencyCode(req.currency, 'currency') : null;
  return { granularity, start, end, groupBy, filter, filterPaths: filterPaths(filter), sort, limit, currency };
}
