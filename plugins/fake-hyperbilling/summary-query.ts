import { MONTH } from './calendar';
import { isSummaryKind, type SummaryKind } from './summary';

/** GET /summary's query parameters, checked. */
export interface SummaryQuery {
  accountId: string;
  platform?: string;
  months: string[];
  kinds: SummaryKind[];
  pageSize: number;
  pageToken?: string;
}

/** The real API's limits: daily data for one month per call, monthly data for up to 24 months. */
export const MAX_MONTHS = 24;

/** Repeated and comma-separated values alike (`months=202401&months=202402`, `months=202401,202402`). */
const listOf = (params: URLSearchParams, name: string): string[] =>
  [...new Set(params.getAll(name).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean))];

export function parseSummaryQuery(
  params: URLSearchParams,
  pageSizes: { default: number; max: number },
): { query: SummaryQuery } | { error: string } {
  const accountId = params.get('account_id') ?? '';
  if (!accountId) return { error: 'account_id is required' };
  const months = listOf(params, 'months');
  if (months.length === 0) return { error: 'months is required (one or more YYYYMM)' };
  const badMonth = months.find((m) => !MONTH.test(m));
  if (badMonth) return { error: `months: ${JSON.stringify(badMonth)} is not a YYYYMM month` };
  if (months.length > MAX_MONTHS) return { error: `months: at most ${MAX_MONTHS} months per call` };
  const kinds = listOf(params, 'kinds');
  if (kinds.length === 0) return { error: 'kinds is required (e.g. daily_cost)' };
  const badKind = kinds.find((k) => !isSummaryKind(k));
  if (badKind) return { error: `kinds: ${JSON.stringify(badKind)} is not supported` };
  if (kinds.includes('daily_cost') && months.length > 1)
    return { error: 'daily_cost covers at most one month (31 days) per call' };
  let pageSize = pageSizes.default;
  const rawSize = params.get('page_size');
  if (rawSize !== null) {
    if (!/^\d{1,6}$/.test(rawSize) || Number(rawSize) < 1 || Number(rawSize) > pageSizes.max)
      return { error: `page_size must be from 1 to ${pageSizes.max}` };
    pageSize = Number(rawSize);
  }
  const platform = params.get('platform') || undefined;
  const pageToken = params.get('page_token') || undefined;
  return { query: { accountId, platform, months: months.sort(), kinds: kinds as SummaryKind[], pageSize, pageToken } };
}
