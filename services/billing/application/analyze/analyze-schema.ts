import type { QuerySchema } from '../../../../lib/query';

/** The keys Analyze groups and filters by (besides tags.<key>). */
export const ANALYZE_KEYS = [
  'project_id',
  'project_group_id',
  'service_account_id',
  'provider',
  'product',
  'region',
  'usage_type',
  'data_source_id',
] as const;
export type AnalyzeKey = (typeof ANALYZE_KEYS)[number];

/**
 * Filters of Analyze, in the core Query language. project_group_id is a list on each cost
 * (the project's group and all its ancestors), so eq / in on it cover a group's whole subtree.
 */
export const ANALYZE_FILTER_SCHEMA: QuerySchema = {
  resource: 'cost analysis',
  fields: {
    project_id: 'string',
    project_group_id: 'string[]',
    service_account_id: 'string',
    provider: 'string',
    product: 'string',
    region: 'string',
    usage_type: 'string',
    data_source_id: 'string',
    tags: { type: 'map', values: 'string' },
  },
};

/**
 * Limits of one Analyze request; beyond them the request is INVALID_ARGUMENT naming the field:
 * - end before start; dates that are not real calendar dates (YYYY-MM-DD)
 * - DAILY ranges of more than 400 days; any range of more than 10 years (end must come before
 *   the day 10 years after start)
 * - more than 5 group_by keys, or a key twice; tags.<key> keys of more than 128 characters
 * - limit above 1000 (0 means every group)
 * - the filter limits of the core Query language (50 conditions, 1000 values per list, ...)
 */
export const ANALYZE_LIMITS = {
  maxDailyDays: 400,
  maxYears: 10,
  maxGroupBy: 5,
  maxLimit: 1000,
  maxTagKeyLength: 128,
} as const;

/** The group of groups beyond the limit. */
export const OTHERS = '(others)';
