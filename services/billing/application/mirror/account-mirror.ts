import type { Source } from '../../../../lib/resource/resource-collection';
import { BILLING_COLLECTIONS, type AccountRecord } from '../../domain/records';
import type { IdentityAccount } from '../ports';
import { assignProject, endAssignment, removeAssignments } from './assignments';
import type { MirrorEffect } from './effects';
import { externalAccountId } from './external-account-id';
import { findTombstone, writeTombstone } from './tombstones';

export const accountsIn = (source: Source) => source.collection<AccountRecord>(BILLING_COLLECTIONS.accounts);

export interface ApplyAccountOptions {
  /** The day a project change takes effect (YYYY-MM-DD). */
  date: string;
  now: Date;
  /**
   * 'event': the state carries identity's version; a state not newer than the mirror's is
   * ignored. 'reconcile': identity's lists carry no version; the state is applied as the truth
   * and the stored version is kept.
   */
  mode: 'event' | 'reconcile';
}

/**
 * Brings the mirror of one account to the state identity reports (from a created, updated or
 * project_changed event, or from reconciliation): creates it with an open assignment, or updates
 * it and re-points its assignment when the project changed. Returns what to do after the commit:
 * a (re)sync when the account is new or its provider account id or credentials changed.
 */
export async function applyAccountState(tx: Source, domainId: string, state: IdentityAccount, o: ApplyAccountOptions): Promise<MirrorEffect[]> {
  if (await findTombstone(tx, 'service_account', state.serviceAccountId)) return [];
  const coll = accountsIn(tx);
  const current = await coll.findOne({ _id: state.serviceAccountId });
  if (current && current.domain_id !== domainId) return [];
  if (current && o.mode === 'event' && state.version <= current.version) return [];
  const changed: MirrorEffect = { kind: 'accountChanged', domainId, serviceAccountId: state.serviceAccountId };
  const external = externalAccountId(state.data);

  if (!current) {
    const record: AccountRecord = {
      _id: state.serviceAccountId,
      domain_id: domainId,
      name: state.name,
      provider: state.provider,
      project_id: state.projectId,
      external_account_id: external,
      data: state.data ?? {},
      secret_id: state.secretId,
      version: state.version,
      synced: {},
      updated_at: o.now,
    };
    await coll.insertOne(record);
    if (state.projectId) await assignProject(tx, domainId, state.serviceAccountId, state.projectId, o.date);
    return [changed];
  }

  const set: Partial<AccountRecord> = {
    name: state.name,
    provider: state.provider,
    project_id: state.projectId,
    external_account_id: external,
    data: state.data ?? {},
    secret_id: state.secretId,
    version: Math.max(current.version, state.version),
    updated_at: o.now,
  };
  await coll.updateOne({ _id: current._id }, { $set: set });
  if (state.projectId !== current.project_id) {
    if (state.projectId) await assignProject(tx, domainId, state.serviceAccountId, state.projectId, o.date);
    else await endAssignment(tx, domainId, state.serviceAccountId, o.date);
  }
  const resync = external !== current.external_account_id || (state.secretId !== '' && state.secretId !== current.secret_id);
  return resync ? [changed] : [];
}

/**
 * Removes an account from the mirror (with its assignments) and leaves a tombstone so it never
 * comes back; its costs are removed after the commit.
 */
export async function removeAccountState(tx: Source, domainId: string, serviceAccountId: string, version: number, now: Date): Promise<MirrorEffect[]> {
  const current = await accountsIn(tx).findOne({ _id: serviceAccountId });
  if (current && current.domain_id !== domainId) return [];
  if (current) await accountsIn(tx).deleteOne({ _id: serviceAccountId });
  await removeAssignments(tx, domainId, serviceAccountId);
  await writeTombstone(tx, 'service_account', domainId, serviceAccountId, version, now);
  return [{ kind: 'removeAccount', domainId, serviceAccountId }];
}
