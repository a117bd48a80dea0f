/** Helpers for analyze's tests: principals, requests, mirror records. */
import { Granularity, type CostServiceAnalyzeRequest } from '../../../../../gen/tally/billing/v1/cost';
import type { Principal } from '../../../../../lib/auth/principal';
import type { Store } from '../../../../../lib/store/port';
import { BILLING_COLLECTIONS, OPEN_END, type AttributionMode } from '../../../domain/records';

export const admin = (domainId = 'domain-1'): Principal => ({ subject: 'key-admin', domainId, role: 'DOMAIN_ADMIN', projectIds: [] });
export const member = (projectIds: string[], domainId = 'domain-1'): Principal => ({ subject: 'key-member', domainId, role: 'PROJECT_MEMBER', projectIds });

export function request(over: Partial<CostServiceAnalyzeRequest> = {}): CostServiceAnalyzeRequest {
  return {
    granularity: Granularity.GRANULARITY_MONTHLY,
    start: '2024-01-01',
    end: '2024-12-31',
    groupBy: [],
    filter: [],
    filterOr: [],
    sort: [],
    limit: 0,
    currency: '',
    ...over,
  };
}

export async function setSettings(store: Store, domainId: string, over: { currency?: string; attribution_mode?: AttributionMode }): Promise<void> {
  await store.collection(BILLING_COLLECTIONS.settings).insertOne({
    _id: domainId,
    domain_id: domainId,
    currency: 'USD',
    attribution_mode: 'FOLLOW_ACCOUNT',
    first_sync_months: 12,
    schedule_hours: 24,
    hyperbilling_enabled: true,
    ...over,
  });
}

export async function addGroup(store: Store, id: string, parent = '', domainId = 'domain-1'): Promise<void> {
  await store.collection(BILLING_COLLECTIONS.projectGroups).insertOne({ _id: id, domain_id: domainId, name: id, parent_group_id: parent });
}

export async function addProject(store: Store, id: string, group = '', domainId = 'domain-1'): Promise<void> {
  await store.collection(BILLING_COLLECTIONS.projects).insertOne({ _id: id, domain_id: domainId, name: id, project_group_id: group });
}

/** An account with its history: [project, from, to] oldest first; the last one stays open. */
export async function addAccount(store: Store, id: string, history: [string, string][], domainId = 'domain-1'): Promise<void> {
  const current = history[history.length - 1]?.[0] ?? '';
  await store.collection(BILLING_COLLECTIONS.accounts).insertOne({
    _id: id,
    domain_id: domainId,
    name: id,
    provider: 'aws',
    project_id: current,
    external_account_id: id,
    data: {},
    secret_id: '',
    version: 1,
    synced: {},
    updated_at: new Date(),
  });
  for (let i = 0; i < history.length; i++) {
    const [project, from] = history[i];
    const next = history[i + 1];
    const to = next ? new Date(Date.parse(`${next[1]}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10) : OPEN_END;
    await store
      .collection(BILLING_COLLECTIONS.assignments)
      .insertOne({ _id: `${id}:${from}`, domain_id: domainId, service_account_id: id, project_id: project, from, to });
  }
}

/** Moves an account to a project from a date (closes its open assignment the day before). */
export async function moveAccount(store: Store, id: string, project: string, from: string, domainId = 'domain-1'): Promise<void> {
  const assignments = store.collection(BILLING_COLLECTIONS.assignments);
  const open = await assignments.findOne({ domain_id: domainId, service_account_id: id, to: OPEN_END });
  const dayBefore = new Date(Date.parse(`${from}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
  if (open) await assignments.updateOne({ _id: open._id }, { $set: { to: dayBefore } });
  await assignments.insertOne({ _id: `${id}:${from}`, domain_id: domainId, service_account_id: id, project_id: project, from, to: OPEN_END });
  await store.collection(BILLING_COLLECTIONS.accounts).updateOne({ _id: id }, { $set: { project_id: project } });
}

export async function addRate(store: Store, currency: string, quote: string, rate: string, effectiveDate: string, domainId = 'domain-1'): Promise<void> {
  await store.collection(BILLING_COLLECTIONS.exchangeRates).insertOne({
    _id: `${domainId}:${currency}:${quote}:${effectiveDate}`,
    domain_id: domainId,
    currency,
    quote_currency: quote,
    rate,
    effective_date: effectiveDate,
  });
}

/** The group total of each group, keyed by its keys joined with '/'. */
export function totalsByKey(res: { results: { keys: Record<string, string>; total: string }[] }): Record<string, string> {
  return Object.fromEntries(res.results.map((g) => [Object.values(g.keys).join('/'), g.total]));
}
