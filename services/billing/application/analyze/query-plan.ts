import { firstDayOf, lastDayOf, monthsBetween } from '../ledger/calendar';
import type { FamilyName, Grain } from '../ledger/rollup-families';
import type { AnalyzeSpec } from './analyze-request';

export type RowDim = 'provider' | 'product' | 'region' | 'usage_type';
const ROW_DIMS: readonly RowDim[] = ['provider', 'product', 'region', 'usage_type'];

/** What a request reads from each cost, besides its date and amount. */
export interface Needs {
  dims: Set<RowDim>;
  /** tags.<key> keys read. */
  tagKeys: Set<string>;
  /** The filter reads the whole tags map (tags exists). */
  allTags: boolean;
  /** The account is needed: for attribution (project keys, project-scoped callers) or as a key. */
  sa: boolean;
  ds: boolean;
}

export function needsOf(spec: AnalyzeSpec, projectScoped: boolean): Needs {
  const paths = [...spec.groupBy, ...spec.filterPaths];
  const needs: Needs = { dims: new Set(), tagKeys: new Set(), allTags: false, sa: projectScoped, ds: false };
  for (const p of paths) {
    if ((ROW_DIMS as readonly string[]).includes(p)) needs.dims.add(p as RowDim);
    else if (p.startsWith('tags.')) needs.tagKeys.add(p.slice(5));
    else if (p === 'tags') needs.allTags = true;
    else if (p === 'project_id' || p === 'project_group_id' || p === 'service_account_id') needs.sa = true;
    else if (p === 'data_source_id') needs.ds = true;
  }
  return needs;
}

/** A stretch of the range read at one grain: dates (day) or months (month), inclusive. */
export interface Piece {
  grain: Grain;
  from: string;
  to: string;
}

export interface Plan {
  /** rollup: answered from one rollup family; raw: from the visible rows. */
  source: 'rollup' | 'raw';
  family: FamilyName;
  /** For the tag family: the one tag key. */
  tagKey?: string;
  /** Fields grouped on besides the period and the currency. */
  keys: string[];
  pieces: Piece[];
}

/**
 * The planner. Family: the coarsest that holds every dimension the request reads
 *   provider only -> provider; + product -> product; + region or usage_type -> fine;
 *   one tag key with at most provider -> tag (its untagged rest from provider);
 *   anything else (two tag keys, a tag with product/region/usage type, the whole tags map)
 *   -> the raw rows.
 * Grain: DAILY reads the day grain. Other granularities read whole months of the range at the
 * month grain and the partial first and last months at the day grain (the executor later reads
 * single months at the day grain where an account moved mid-month under AS_OF_DATE, or an
 * exchange rate changed or was missing). fine has no day grain: those pieces read raw rows.
 */
export function planQuery(spec: AnalyzeSpec, needs: Needs): Plan {
  const pieces = piecesOf(spec);
  const extra = [...(needs.sa ? ['service_account_id'] : []), ...(needs.ds ? ['data_source_id'] : [])];
  const dims = ROW_DIMS.filter((d) => needs.dims.has(d));
  const raw: Plan = { source: 'raw', family: 'fine', keys: [], pieces: [{ grain: 'day', from: spec.start, to: spec.end }] };
  if (needs.allTags || needs.tagKeys.size > 1) return raw;
  if (needs.tagKeys.size === 1) {
    if (dims.some((d) => d !== 'provider')) return raw;
    return { source: 'rollup', family: 'tag', tagKey: [...needs.tagKeys][0], keys: [...dims, ...extra, 'tag_value'], pieces };
  }
  const family: FamilyName = needs.dims.has('region') || needs.dims.has('usage_type') ? 'fine' : needs.dims.has('product') ? 'product' : 'provider';
  return { source: 'rollup', family, keys: [...dims, ...extra], pieces };
}

function piecesOf(spec: AnalyzeSpec): Piece[] {
  if (spec.granularity === 'DAILY') return [{ grain: 'day', from: spec.start, to: spec.end }];
  const out: Piece[] = [];
  for (const m of monthsBetween(spec.start, spec.end)) {
    const first = firstDayOf(m);
    const last = lastDayOf(m);
    const prev = out[out.length - 1];
    if (spec.start <= first && spec.end >= last) {
      if (prev?.grain === 'month') prev.to = m;
      else out.push({ grain: 'month', from: m, to: m });
    } else {
      out.push({ grain: 'day', from: spec.start > first ? spec.start : first, to: spec.end < last ? spec.end : last });
    }
  }
  return out;
}
