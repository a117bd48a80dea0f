import type { Collection, Doc } from '../../../../lib/store/port';
import type { Source } from '../../../../lib/resource/resource-collection';
import type { AccountRecord } from '../../domain/records';
import { dataSources } from '../data-sources/collection';
import { hyperbillingDataSourceId } from '../data-sources/hyperbilling';
import type { BillingDeps, IdentityAccount } from '../ports';
import { settingsIn } from '../settings/settings-store';
import { accountsIn, applyAccountState, removeAccountState } from './account-mirror';
import { applyOnce } from './apply-once';
import { utcDate } from './dates';
import { ensureDomainBilling } from './domain-billing';
import type { MirrorEffect } from './effects';
import { externalAccountId } from './external-account-id';
import type { MirrorDeps } from './handle-event';
import type { TombstoneKind } from './mirror-collections';
import { applyGroupState, applyProjectState, groupsIn, projectsIn, removeGroupState, removeProjectState } from './project-mirror';
import type { ReconcileReport } from './reconcile-report';
import { sameData } from './same-data';
import { tombstonedIds } from './tombstones';

export type ReconcileDeps = MirrorDeps & Pick<BillingDeps, 'identity'>;

type Fix = (what: string, id: string, change: (tx: Source) => Promise<MirrorEffect[]>) => Promise<boolean>;

/** Written by an event after the lists were read: newer than what the lists say, left alone. */
const touchedSince = (record: Record<string, unknown> | null | undefined, since: Date) =>
  record?.updated_at instanceof Date && record.updated_at.getTime() >= since.getTime();

function accountDiffers(mirror: AccountRecord, a: IdentityAccount): boolean {
  return (
    mirror.name !== a.name ||
    mirror.provider !== a.provider ||
    mirror.project_id !== a.projectId ||
    mirror.secret_id !== a.secretId ||
    mirror.external_account_id !== externalAccountId(a.data) ||
    !sameData(mirror.data ?? {}, a.data ?? {})
  );
}

/** True when the domain's settings exist and the built-in data source is as they say (nothing to fix). */
async function domainBillingInPlace(deps: ReconcileDeps, domainId: string): Promise<boolean> {
  const settings = await settingsIn(deps.store).findOne({ _id: domainId });
  if (!settings) return false;
  const builtIn = await dataSources.find(deps.store, domainId, hyperbillingDataSourceId(domainId));
  if (!settings.hyperbilling_enabled) return !builtIn;
  return !deps.hyperbillingEndpoint || builtIn?.plugin_endpoint === deps.hyperbillingEndpoint;
}

/** What healing a simple mirror (projects, project groups) needs to know. */
interface SimpleMirror<L, M extends Doc> {
  kind: TombstoneKind;
  listed: L[];
  idOf: (l: L) => string;
  collection: (source: Source) => Collection<M>;
  same: (m: M, l: L) => boolean;
  apply: (tx: Source, l: L) => Promise<boolean>;
  remove: (tx: Source, id: string) => Promise<void>;
}

/** Upserts what identity lists and the mirror lacks or has otherwise; removes what identity no longer lists. */
async function healSimple<L, M extends Doc>(
  deps: ReconcileDeps,
  domainId: string,
  startedAt: Date,
  fix: Fix,
  m: SimpleMirror<L, M>,
): Promise<{ upserted: number; removed: number }> {
  const dead = await tombstonedIds(deps.store, m.kind, domainId);
  const mirrored = new Map((await m.collection(deps.store).find({ domain_id: domainId })).map((r) => [r._id, r]));
  let upserted = 0;
  let removed = 0;
  for (const l of m.listed) {
    const id = m.idOf(l);
    const current = mirrored.get(id);
    if (dead.has(id) || (current && m.same(current, l))) continue;
    let changed = false;
    await fix(m.kind, id, async (tx) => {
      if (touchedSince(await m.collection(tx).findOne({ _id: id }), startedAt)) return [];
      changed = await m.apply(tx, l);
      return [];
    });
    if (changed) upserted++;
  }
  const listed = new Set(m.listed.map(m.idOf));
  for (const current of mirrored.values()) {
    if (listed.has(current._id) || touchedSince(current, startedAt)) continue;
    let gone = false;
    await fix(`${m.kind}_removed`, current._id, async (tx) => {
      if (touchedSince(await m.collection(tx).findOne({ _id: current._id }), startedAt)) return [];
      await m.remove(tx, current._id);
      gone = true;
      return [];
    });
    if (gone) removed++;
  }
  return { upserted, removed };
}

/**
 * Heals one domain's mirror against identity's lists: settings and the Hyper Billing data source
 * ensured; project groups, projects and accounts added, changed or removed; a project change is a
 * move dated today. Records an event wrote after the lists were read are newer than the lists and
 * left alone; deleted resources (tombstones) are never brought back. Every fix goes through
 * applyOnce under a reconciliation id, so its effects (syncs, cost removals) are retried like an
 * event's when they fail.
 */
export async function reconcileDomain(deps: ReconcileDeps, domainId: string, report: ReconcileReport): Promise<void> {
  const startedAt = deps.now();
  const [accounts, projects, groups] = await Promise.all([
    deps.identity.listServiceAccounts(domainId),
    deps.identity.listProjects(domainId),
    deps.identity.listProjectGroups(domainId),
  ]);
  const fix: Fix = async (what, id, change) => {
    try {
      const outcome = await applyOnce(deps, { id: `reconcile-${startedAt.getTime()}-${what}-${id}`, type: `reconcile.${what}`, domainId }, change);
      return outcome === 'applied';
    } catch (err) {
      report.failures++;
      deps.logger.warn({ domain_id: domainId, what, id, err: (err as Error).message }, 'reconciliation could not heal a difference; next pass tries again');
      return false;
    }
  };

  if (!(await domainBillingInPlace(deps, domainId))) {
    let created = false;
    await fix('domain', domainId, async (tx) => {
      const r = await ensureDomainBilling(tx, deps, domainId);
      created = r.createdDataSource;
      return r.effects;
    });
    if (created) report.dataSourcesCreated++;
  }

  const g = await healSimple(deps, domainId, startedAt, fix, {
    kind: 'project_group',
    listed: groups,
    idOf: (l) => l.projectGroupId,
    collection: groupsIn,
    same: (m, l) => m.name === l.name && m.parent_group_id === l.parentGroupId,
    apply: (tx, l) => applyGroupState(tx, domainId, l, deps.now()),
    remove: (tx, id) => removeGroupState(tx, domainId, id, deps.now()),
  });
  report.groupsUpserted += g.upserted;
  report.groupsRemoved += g.removed;

  const p = await healSimple(deps, domainId, startedAt, fix, {
    kind: 'project',
    listed: projects,
    idOf: (l) => l.projectId,
    collection: projectsIn,
    same: (m, l) => m.name === l.name && m.project_group_id === l.projectGroupId,
    apply: (tx, l) => applyProjectState(tx, domainId, l, deps.now()),
    remove: (tx, id) => removeProjectState(tx, domainId, id, deps.now()),
  });
  report.projectsUpserted += p.upserted;
  report.projectsRemoved += p.removed;

  await healAccounts(deps, domainId, startedAt, fix, accounts, report);
}

async function healAccounts(
  deps: ReconcileDeps,
  domainId: string,
  startedAt: Date,
  fix: Fix,
  accounts: IdentityAccount[],
  report: ReconcileReport,
): Promise<void> {
  const dead = await tombstonedIds(deps.store, 'service_account', domainId);
  const mirrored = new Map((await accountsIn(deps.store).find({ domain_id: domainId })).map((a) => [a._id, a]));
  const today = utcDate(deps.now());
  for (const a of accounts) {
    const current = mirrored.get(a.serviceAccountId);
    if (dead.has(a.serviceAccountId) || (current && !accountDiffers(current, a))) continue;
    let outcome = '' as 'added' | 'moved' | 'updated' | '';
    await fix('account', a.serviceAccountId, async (tx) => {
      const latest = await accountsIn(tx).findOne({ _id: a.serviceAccountId });
      if (touchedSince(latest, startedAt)) return [];
      outcome = !latest ? 'added' : latest.project_id !== a.projectId ? 'moved' : 'updated';
      return applyAccountState(tx, domainId, a, { date: today, now: deps.now(), mode: 'reconcile' });
    });
    if (outcome === 'added') report.accountsAdded++;
    else if (outcome === 'moved') report.accountsMoved++;
    else if (outcome === 'updated') report.accountsUpdated++;
  }
  const listed = new Set(accounts.map((a) => a.serviceAccountId));
  for (const current of mirrored.values()) {
    if (listed.has(current._id) || touchedSince(current, startedAt)) continue;
    let removed = false;
    await fix('account_removed', current._id, async (tx) => {
      const latest = await accountsIn(tx).findOne({ _id: current._id });
      if (!latest || touchedSince(latest, startedAt)) return [];
      removed = true;
      return removeAccountState(tx, domainId, current._id, latest.version + 1, deps.now());
    });
    if (removed) report.accountsRemoved++;
  }
}
