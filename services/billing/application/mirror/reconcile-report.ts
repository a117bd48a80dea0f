/** What one reconciliation pass healed (counts), and how many of its steps failed. */
export interface ReconcileReport {
  domains: number;
  accountsAdded: number;
  accountsRemoved: number;
  accountsMoved: number;
  accountsUpdated: number;
  projectsUpserted: number;
  projectsRemoved: number;
  groupsUpserted: number;
  groupsRemoved: number;
  dataSourcesCreated: number;
  /** Effects of earlier changes (syncs, cost removals) that had failed and were run again. */
  effectsRetried: number;
  /** Steps that failed (logged); the next pass tries them again. */
  failures: number;
}

export const emptyReport = (): ReconcileReport => ({
  domains: 0,
  accountsAdded: 0,
  accountsRemoved: 0,
  accountsMoved: 0,
  accountsUpdated: 0,
  projectsUpserted: 0,
  projectsRemoved: 0,
  groupsUpserted: 0,
  groupsRemoved: 0,
  dataSourcesCreated: 0,
  effectsRetried: 0,
  failures: 0,
});
