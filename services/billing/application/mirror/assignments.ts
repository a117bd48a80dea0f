import type { Source } from '../../../../lib/resource/resource-collection';
import { BILLING_COLLECTIONS, OPEN_END, type AssignmentRecord } from '../../domain/records';
import { dayBefore } from './dates';

/**
 * The assignment history of an account: which project it belonged to from one day to another.
 * Exactly one assignment is open (to = OPEN_END) while the account exists. Ids are
 * `<service account>:<from>`, so one account has at most one assignment starting on a day.
 */
const assignments = (source: Source) => source.collection<AssignmentRecord>(BILLING_COLLECTIONS.assignments);

const assignmentId = (serviceAccountId: string, from: string) => `${serviceAccountId}:${from}`;

export async function openAssignmentOf(source: Source, domainId: string, serviceAccountId: string): Promise<AssignmentRecord | null> {
  return assignments(source).findOne({ domain_id: domainId, service_account_id: serviceAccountId, to: OPEN_END });
}

/** The account's history, oldest first. */
export async function assignmentHistory(source: Source, domainId: string, serviceAccountId: string): Promise<AssignmentRecord[]> {
  return assignments(source).find(
    { domain_id: domainId, service_account_id: serviceAccountId },
    { sort: [{ field: 'from', direction: 1 }] },
  );
}

/**
 * Puts the account in `projectId` from `date` on. The open assignment is closed the day before
 * and a new one opened; when the open one starts on `date` (or later: the account moved twice
 * the same day, or an older event arrives after reconciliation dated a move today), it is simply
 * re-pointed, and merged with the assignment before it when that one has the same project. An
 * account without history gets one open assignment from `date`.
 */
export async function assignProject(source: Source, domainId: string, serviceAccountId: string, projectId: string, date: string): Promise<void> {
  const coll = assignments(source);
  const open = await openAssignmentOf(source, domainId, serviceAccountId);
  if (!open) {
    await coll.insertOne({ _id: assignmentId(serviceAccountId, date), domain_id: domainId, service_account_id: serviceAccountId, project_id: projectId, from: date, to: OPEN_END });
    return;
  }
  if (open.project_id === projectId) return;
  if (date > open.from) {
    await coll.updateOne({ _id: open._id }, { $set: { to: dayBefore(date) } });
    await coll.insertOne({ _id: assignmentId(serviceAccountId, date), domain_id: domainId, service_account_id: serviceAccountId, project_id: projectId, from: date, to: OPEN_END });
    return;
  }
  const previous = await coll.findOne({ domain_id: domainId, service_account_id: serviceAccountId, to: dayBefore(open.from) });
  if (previous && previous.project_id === projectId) {
    await coll.deleteOne({ _id: open._id });
    await coll.updateOne({ _id: previous._id }, { $set: { to: OPEN_END } });
    return;
  }
  await coll.updateOne({ _id: open._id }, { $set: { project_id: projectId } });
}

/**
 * Ends the open assignment the day before `date` (the account left its project without joining
 * another); an assignment that starts on `date` or later is dropped.
 */
export async function endAssignment(source: Source, domainId: string, serviceAccountId: string, date: string): Promise<void> {
  const open = await openAssignmentOf(source, domainId, serviceAccountId);
  if (!open) return;
  if (date > open.from) await assignments(source).updateOne({ _id: open._id }, { $set: { to: dayBefore(date) } });
  else await assignments(source).deleteOne({ _id: open._id });
}

/** Forgets an account's history (it was deleted; its costs go with it). */
export async function removeAssignments(source: Source, domainId: string, serviceAccountId: string): Promise<void> {
  await assignments(source).deleteMany({ domain_id: domainId, service_account_id: serviceAccountId });
}
