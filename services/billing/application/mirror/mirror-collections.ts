import type { IndexSpec } from '../../../../lib/store/port';
import { BILLING_COLLECTIONS } from '../../domain/records';

/**
 * Collections the mirror keeps besides BILLING_COLLECTIONS: tombstones of deleted identity
 * resources, so that an older event delivered after a deletion (a redelivery, say) or a stale
 * list read by reconciliation does not bring the resource back.
 */
export const MIRROR_COLLECTIONS = {
  tombstones: 'mirror_tombstones',
} as const;

/** A deleted identity resource. _id is `<kind>:<id>` (service_account:sa-…, project:project-…). */
export interface TombstoneRecord {
  _id: string;
  domain_id: string;
  kind: TombstoneKind;
  /** The service account's version when it was deleted (0 for other kinds). */
  version: number;
  at: Date;
  [k: string]: unknown;
}

export type TombstoneKind = 'service_account' | 'project' | 'project_group';

/** Indexes of the mirror's collections (ensure them at start with store.ensureIndexes). */
export const MIRROR_INDEXES: Record<string, IndexSpec[]> = {
  [BILLING_COLLECTIONS.accounts]: [
    { name: 'domain_provider', fields: ['domain_id', 'provider'] },
    { name: 'domain_project', fields: ['domain_id', 'project_id'] },
  ],
  [BILLING_COLLECTIONS.assignments]: [
    { name: 'domain_account_from', fields: ['domain_id', 'service_account_id', 'from'], unique: true },
    { name: 'domain_project', fields: ['domain_id', 'project_id'] },
  ],
  [BILLING_COLLECTIONS.projects]: [{ name: 'domain_group', fields: ['domain_id', 'project_group_id'] }],
  [BILLING_COLLECTIONS.projectGroups]: [{ name: 'domain_parent', fields: ['domain_id', 'parent_group_id'] }],
  [BILLING_COLLECTIONS.processedEvents]: [
    { name: 'at', fields: ['at'] },
    { name: 'done_at', fields: ['done', 'at'] },
  ],
  [MIRROR_COLLECTIONS.tombstones]: [{ name: 'at', fields: ['at'] }],
};
