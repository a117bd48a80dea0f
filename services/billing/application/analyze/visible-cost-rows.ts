import type { Principal } from '../../../../lib/auth/principal';
import type { Filter, Store } from '../../../../lib/store/port';
import { BILLING_COLLECTIONS, DEFAULT_SETTINGS, type SettingsRecord } from '../../domain/records';
import { readConsistently } from '../ledger/ledger-epoch';
import { chunkRows, forEachVisibleChunk, readVisibility, unpackRow, type VisibleRow } from '../ledger/visible-rows';
import { loadAttribution } from './attribution';
import { ACCOUNT_PATHS, choosePairs } from './candidates';
import { DECIMAL_FIELDS } from './cost-row-schema';
import { andTerms, compilePredicate, filterPaths } from './filter-predicate';
import { scopeOf } from './principal-scope';

/** A visible row with its attribution, as List and Stat filter it. */
export interface AttributedRow extends VisibleRow {
  _id: string;
  project_id: string;
  project_group_id: string[];
}

const MIN_DATE = '0001-01-01';
const MAX_DATE = '9999-12-31';

/** The date bounds the filter's top-level terms on billed_date put on every match (a superset). */
function dateBounds(filter: Filter): { start: string; end: string } {
  let start = MIN_DATE;
  let end = MAX_DATE;
  for (const term of andTerms(filter)) {
    const cond = term.billed_date;
    if (cond === undefined || Object.keys(term).length !== 1) continue;
    const ops = (cond !== null && typeof cond === 'object' ? cond : { $eq: cond }) as Record<string, unknown>;
    for (const [op, v] of Object.entries(ops)) {
      const values = op === '$in' && Array.isArray(v) ? v : [v];
      if (!values.every((x) => typeof x === 'string') || values.length === 0) continue;
      const sorted = (values as string[]).slice().sort();
      if (op === '$eq' || op === '$in') {
        if (sorted[0] > start) start = sorted[0];
        if (sorted[sorted.length - 1] < end) end = sorted[sorted.length - 1];
      } else if (op === '$gte' || op === '$gt') {
        if (sorted[0] > start) start = sorted[0];
      } else if (op === '$lte' || op === '$lt') {
        if (sorted[0] < end) end = sorted[0];
      }
    }
  }
  return { start, end };
}

/**
 * The visible rows of the caller's domain that pass `filter` (compiled with COST_ROW_SCHEMA)
 * and the caller's project scope, each attributed to its project as Analyze does. Reads are
 * consistent (no commit lands in between). Rows are read chunk by chunk; only the matches are
 * kept.
 */
export async function matchingRows(store: Store, principal: Principal, filter: Filter): Promise<AttributedRow[]> {
  const scope = scopeOf(principal);
  const domainId = scope.domainId;
  const settings = await store.collection<SettingsRecord>(BILLING_COLLECTIONS.settings).findOne({ _id: domainId });
  const attribution = await loadAttribution(store, domainId, settings?.attribution_mode ?? DEFAULT_SETTINGS.attribution_mode);
  const predicate = compilePredicate(filter, DECIMAL_FIELDS);
  const accountTerms = andTerms(filter)
    .filter((t) => filterPaths(t).every((p) => ACCOUNT_PATHS.has(p)))
    .map((t) => compilePredicate(t));
  const { start, end } = dateBounds(filter);
  if (end < start) return [];
  return readConsistently(store, domainId, async (source) => {
    const { pairs } = choosePairs(await readVisibility(source, domainId), start, end, attribution, scope.projects, accountTerms);
    const out: AttributedRow[] = [];
    await forEachVisibleChunk(source, pairs, start, end, (chunk) => {
      const project = attribution.projectOn(chunk.service_account_id, chunk.date);
      if (scope.projects && !scope.projects.has(project)) return;
      const rows = chunkRows(chunk);
      for (let i = 0; i < rows.length; i++) {
        const row = unpackRow(chunk, rows[i], i) as AttributedRow;
        row._id = row.cost_id;
        row.project_id = project;
        row.project_group_id = attribution.groupsOf(project);
        if (predicate(row as unknown as Record<string, unknown>)) out.push(row);
      }
    });
    return out;
  });
}
