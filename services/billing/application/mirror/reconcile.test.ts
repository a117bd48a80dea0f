import { BILLING_COLLECTIONS, OPEN_END, type AccountRecord, type AssignmentRecord } from '../../domain/records';
import { handleIdentityEvent } from './handle-event';
import { reconcile } from './reconcile';
import { startReconciler } from './reconciler';
import { domainCreated, serviceAccountEvent, testMirror, type TestMirror } from './testing/fakes';

const D = 'domain-a';

describe('mirror: reconciliation against identity', () => {
  let t: TestMirror;
  const accounts = async () =>
    (await t.deps.store.collection<AccountRecord>(BILLING_COLLECTIONS.accounts).find({ domain_id: D }, { sort: [{ field: '_id', direction: 1 }] })).map(
      (a) => [a._id, a.project_id],
    );
  const history = async (sa: string) =>
    (await t.deps.store.collection<AssignmentRecord>(BILLING_COLLECTIONS.assignments).find({ service_account_id: sa }, { sort: [{ field: 'from', direction: 1 }] })).map(
      (a) => [a.project_id, a.from, a.to],
    );
  const identityAccount = (serviceAccountId: string, projectId: string, accountId = '111122223333') => ({
    serviceAccountId,
    name: serviceAccountId,
    provider: 'aws',
    projectId,
    secretId: `secret-${serviceAccountId}`,
    data: { account_id: accountId },
    version: 0,
  });
  const created = (serviceAccountId: string, projectId: string, at: string) =>
    serviceAccountEvent('created', {
      domainId: D,
      serviceAccountId,
      projectId,
      provider: 'aws',
      name: serviceAccountId,
      secretId: `secret-${serviceAccountId}`,
      data: { account_id: '111122223333' },
      version: 1,
      at,
    });

  beforeEach(async () => {
    t = await testMirror({ hyperbillingEndpoint: 'plugin-hyperbilling:50061', now: '2025-03-01T10:00:00Z' });
    t.identity.domains.push({ domainId: D, name: 'A' });
    t.identity.groups.set(D, [{ projectGroupId: 'pg-1', name: 'Root', parentGroupId: '' }]);
    t.identity.projects.set(D, [
      { projectId: 'project-1', name: 'One', projectGroupId: 'pg-1' },
      { projectId: 'project-2', name: 'Two', projectGroupId: 'pg-1' },
    ]);
    t.identity.accounts.set(D, [identityAccount('sa-a', 'project-1'), identityAccount('sa-b', 'project-1')]);
    await handleIdentityEvent(t.deps, domainCreated(D));
    await handleIdentityEvent(t.deps, created('sa-a', 'project-1', '2025-03-01T10:00:00Z'));
    await handleIdentityEvent(t.deps, created('sa-b', 'project-1', '2025-03-01T10:00:00Z'));
    t.sync.changed.length = 0;
  });

  it('heals lost events: an account added, one removed, one moved (dated today)', async () => {
    t.setNow('2025-03-12T06:00:00Z');
    // In identity: sa-c was added, sa-b deleted, sa-a moved to project-2; none of their events arrived.
    t.identity.accounts.set(D, [identityAccount('sa-a', 'project-2'), identityAccount('sa-c', 'project-2', '444455556666')]);

    const report = await reconcile(t.deps);
    expect(report).toMatchObject({ domains: 1, accountsAdded: 1, accountsRemoved: 1, accountsMoved: 1, accountsUpdated: 0, failures: 0 });
    expect(await accounts()).toEqual([
      ['sa-a', 'project-2'],
      ['sa-c', 'project-2'],
    ]);
    expect(await history('sa-a')).toEqual([
      ['project-1', '2025-03-01', '2025-03-11'],
      ['project-2', '2025-03-12', OPEN_END],
    ]);
    expect(await history('sa-c')).toEqual([['project-2', '2025-03-12', OPEN_END]]);
    expect(await history('sa-b')).toEqual([]);
    expect(t.sync.changed).toEqual([`${D}/sa-c`]);
    expect(t.ledger.removedAccounts).toEqual([`${D}/sa-b`]);
    expect(await t.deps.store.collection<AccountRecord>(BILLING_COLLECTIONS.accounts).findOne({ _id: 'sa-c' })).toMatchObject({
      external_account_id: '444455556666',
      secret_id: 'secret-sa-c',
    });

    // A second pass finds nothing to do.
    const again = await reconcile(t.deps);
    expect(again).toMatchObject({ accountsAdded: 0, accountsRemoved: 0, accountsMoved: 0, accountsUpdated: 0, projectsUpserted: 0, projectsRemoved: 0 });
    expect(t.sync.changed).toHaveLength(1);
    expect(t.ledger.removedAccounts).toHaveLength(1);

    // The lost events arrive after all: they change nothing.
    await handleIdentityEvent(t.deps, serviceAccountEvent('deleted', { domainId: D, serviceAccountId: 'sa-b', projectId: 'project-1', version: 2 }));
    await handleIdentityEvent(t.deps, { ...created('sa-b', 'project-1', '2025-03-05T00:00:00Z'), id: 'evt-late-b' });
    await handleIdentityEvent(t.deps, serviceAccountEvent('project_changed', { domainId: D, serviceAccountId: 'sa-a', projectId: 'project-2', provider: 'aws', name: 'sa-a', secretId: 'secret-sa-a', data: { account_id: '111122223333' }, version: 2, at: '2025-03-12T05:00:00Z' }));
    expect(await accounts()).toEqual([
      ['sa-a', 'project-2'],
      ['sa-c', 'project-2'],
    ]);
    expect(await history('sa-a')).toEqual([
      ['project-1', '2025-03-01', '2025-03-11'],
      ['project-2', '2025-03-12', OPEN_END],
    ]);
  });

  it('upserts and removes projects and groups, and ensures settings and the Hyper Billing data source of a domain it never heard of', async () => {
    t.identity.domains.push({ domainId: 'domain-b', name: 'B' });
    t.identity.groups.set(D, [
      { projectGroupId: 'pg-1', name: 'Root renamed', parentGroupId: '' },
      { projectGroupId: 'pg-2', name: 'Child', parentGroupId: 'pg-1' },
    ]);
    t.identity.projects.set(D, [
      { projectId: 'project-1', name: 'One', projectGroupId: 'pg-2' },
      { projectId: 'project-2', name: 'Two', projectGroupId: 'pg-1' },
    ]);
    await handleIdentityEvent(t.deps, { id: 'evt-p3', type: 'project.created', domainId: D, occurredAt: new Date('2025-02-01'), payload: { $case: 'project', value: { projectId: 'project-3', name: 'Gone', projectGroupId: 'pg-1' } } });

    t.setNow('2025-03-01T11:00:00Z');
    const report = await reconcile(t.deps);
    expect(report).toMatchObject({ domains: 2, groupsUpserted: 2, projectsUpserted: 2, projectsRemoved: 1, dataSourcesCreated: 1, failures: 0 });
    const projects = await t.deps.store.collection(BILLING_COLLECTIONS.projects).find({}, { sort: [{ field: '_id', direction: 1 }] });
    expect(projects.map((p) => [p._id, p.project_group_id])).toEqual([
      ['project-1', 'pg-2'],
      ['project-2', 'pg-1'],
    ]);
    const groups = await t.deps.store.collection(BILLING_COLLECTIONS.projectGroups).find({}, { sort: [{ field: '_id', direction: 1 }] });
    expect(groups.map((g) => [g._id, g.name, g.parent_group_id])).toEqual([
      ['pg-1', 'Root renamed', ''],
      ['pg-2', 'Child', 'pg-1'],
    ]);
    expect(await t.deps.store.collection(BILLING_COLLECTIONS.settings).findOne({ _id: 'domain-b' })).toMatchObject({ hyperbilling_enabled: true });
    expect(await t.deps.store.collection(BILLING_COLLECTIONS.dataSources).findOne({ _id: 'ds-hyperbilling-b' })).toMatchObject({ built_in: true, domain_id: 'domain-b' });
    expect(await t.deps.store.collection(BILLING_COLLECTIONS.dataSources).count({})).toBe(2);
  });

  it('leaves alone what an event wrote while the lists were being read', async () => {
    // sa-d is created while reconciliation reads identity's lists, which do not show it yet.
    const list = t.identity.listServiceAccounts.bind(t.identity);
    t.identity.listServiceAccounts = async (domainId) => {
      const found = await list(domainId);
      t.setNow('2025-03-01T10:00:01Z');
      await handleIdentityEvent(t.deps, created('sa-d', 'project-2', '2025-03-01T10:00:01Z'));
      return found;
    };
    const report = await reconcile(t.deps);
    expect(report.accountsRemoved).toBe(0);
    expect(await accounts()).toEqual([
      ['sa-a', 'project-1'],
      ['sa-b', 'project-1'],
      ['sa-d', 'project-2'],
    ]);
    expect(t.ledger.removedAccounts).toEqual([]);
  });

  it('runs again the effects of a change whose effects failed and whose event was never redelivered', async () => {
    t.sync.failNext(1);
    await expect(handleIdentityEvent(t.deps, created('sa-e', 'project-1', '2025-03-01T10:00:00Z'))).rejects.toThrow();
    t.identity.accounts.get(D)!.push(identityAccount('sa-e', 'project-1'));
    expect(t.sync.changed).toEqual([]);
    // Too recent: the bus is still redelivering it.
    expect((await reconcile(t.deps)).effectsRetried).toBe(0);
    t.setNow('2025-03-01T10:05:00Z');
    expect((await reconcile(t.deps)).effectsRetried).toBe(1);
    expect(t.sync.changed).toEqual([`${D}/sa-e`]);
    expect((await reconcile(t.deps)).effectsRetried).toBe(0);
  });

  it('finishes removing the built-in data source when the domain turned Hyper Billing off', async () => {
    await t.deps.store.collection(BILLING_COLLECTIONS.settings).updateOne({ _id: D }, { $set: { hyperbilling_enabled: false } });
    await reconcile(t.deps);
    expect(await t.deps.store.collection(BILLING_COLLECTIONS.dataSources).count({ domain_id: D })).toBe(0);
    expect(t.ledger.removedDataSources).toEqual([`${D}/ds-hyperbilling-a`]);
  });

  it('a domain whose lists fail is counted and the others still heal', async () => {
    t.identity.domains.unshift({ domainId: 'domain-broken', name: 'X' });
    const list = t.identity.listProjects.bind(t.identity);
    t.identity.listProjects = async (domainId) => {
      if (domainId === 'domain-broken') throw new Error('identity unavailable');
      return list(domainId);
    };
    t.identity.accounts.set(D, [identityAccount('sa-a', 'project-1')]);
    t.setNow('2025-03-01T11:00:00Z');
    const report = await reconcile(t.deps);
    expect(report).toMatchObject({ domains: 1, failures: 1, accountsRemoved: 1 });
  });

  it('startReconciler runs a pass at once, then on its interval, never two at a time', async () => {
    t.identity.accounts.set(D, [identityAccount('sa-a', 'project-1')]);
    t.setNow('2025-03-01T11:00:00Z');
    const r = startReconciler(t.deps, 60_000);
    const first = await r.runNow();
    const joined = r.runNow();
    expect(r.runNow()).toBe(joined);
    await joined;
    await r.stop();
    expect(first.domains + (await joined).domains).toBeGreaterThanOrEqual(1);
    expect(await accounts()).toEqual([['sa-a', 'project-1']]);
    expect(t.ledger.removedAccounts).toEqual([`${D}/sa-b`]);
  });
});
