import type { VisibilityDoc } from '../ledger/ledger-collections';
import { overlaps } from '../ledger/segments';
import type { Attribution } from './attribution';
import type { RowPredicate } from './filter-predicate';

/** Fields that depend only on the account (and its data source), not on the cost row. */
export const ACCOUNT_PATHS = new Set(['service_account_id', 'data_source_id', 'project_id', 'project_group_id']);

export interface Candidates {
  /** Pairs (data source, account) with data in the range that may pass the scope and filter. */
  pairs: VisibilityDoc[];
  /** Read the rollups by account bucket (few accounts) rather than by domain bucket. */
  accountLevel: boolean;
  accounts: string[];
}

/**
 * The pairs a request can see: those with visible data in [start, end], and, for project-
 * scoped callers or filters on accounts/projects/groups, only those whose account belongs to an
 * allowed project on some day of the range and passes those filter terms. When that leaves few
 * accounts (at most 8, or a quarter of the domain's), rollups are read by account bucket.
 */
export function choosePairs(
  all: readonly VisibilityDoc[],
  start: string,
  end: string,
  attribution: Attribution,
  scope: ReadonlySet<string> | null,
  accountTerms: readonly RowPredicate[],
): Candidates {
  const inRange = all.filter((p) => p.segments.some((s) => overlaps(s, start, end)));
  const accountsOf = (pairs: readonly VisibilityDoc[]) => [...new Set(pairs.map((p) => p.service_account_id))];
  if (!scope && accountTerms.length === 0) return { pairs: inRange, accountLevel: false, accounts: accountsOf(inRange) };
  const kept = inRange.filter((pair) => {
    for (const project of attribution.projectsIn(pair.service_account_id, start, end)) {
      if (scope && !scope.has(project)) continue;
      const row = {
        service_account_id: pair.service_account_id,
        data_source_id: pair.data_source_id,
        project_id: project,
        project_group_id: attribution.groupsOf(project),
      };
      if (accountTerms.every((t) => t(row))) return true;
    }
    return false;
  });
  const accounts = accountsOf(kept);
  return { pairs: kept, accounts, accountLevel: accounts.length <= Math.max(8, accountsOf(inRange).length / 4) };
}
