import { BILLING_COLLECTIONS, OPEN_END, type AccountRecord, type AssignmentRecord, type DataSourceRecord, type SettingsRecord } from '../../domain/records';
import { handleIdentityEvent, MalformedEventError } from './handle-event';
import {
  domainCreated,
  projectEvent,
  projectGroupEvent,
  secretUpdated,
  serviceAccountEvent,
  testMirror,
  type TestMirror,
} from './testing/fakes';

const D = 'domain-a';
const SA = 'sa-0001';

describe('mirror: identity events', () => {
  let t: TestMirror;
  const handle = (e: Parameters<typeof handleIdentityEvent>[1]) => handleIdentityEvent(t.deps, e);
  const account = () => t.deps.store.collection<AccountRecord>(BILLING_COLLECTIONS.accounts).findOne({ _id: SA });
  const history = async () =>
    (await t.deps.store.collection<AssignmentRecord>(BILLING_COLLECTIONS.assignments).find({ service_account_id: SA }, { sort: [{ field: 'from', direction: 1 }] })).map(
      (a) => [a.project_id, a.from, a.to],
    );
  /** Everything billing stored, to show that an event changed nothing. */
  const snapshot = async () => {
    const out: Record<string, unknown[]> = {};
    for (const name of [...Object.values(BILLING_COLLECTIONS), 'mirror_tombstones']) {
      out[name] = await t.deps.store.collection(name).find({}, { sort: [{ field: '_id', direction: 1 }] });
    }
    return out;
  };

  beforeEach(async () => {
    t = await testMirror({ hyperbillingEndpoint: 'plugin-hyperbilling:50061' });
  });

  it('service_account.created mirrors the account, opens an assignment from the event day, then asks for a sync', async () => {
    await expect(handle(serviceAccountEvent('created', { serviceAccountId: SA, projectId: 'project-1', version: 1, at: '2025-03-10T23:59:00Z' }))).resolves.toBe(
      'applied',
    );
    expect(await account()).toMatchObject({
      _id: SA,
      domain_id: D,
      provider: 'hyperbilling',
      project_id: 'project-1',
      external_account_id: 'hb-1001',
      secret_id: 'secret-1',
      version: 1,
      synced: {},
    });
    expect(await history()).toEqual([['project-1', '2025-03-10', OPEN_END]]);
    expect(t.sync.changed).toEqual([`${D}/${SA}`]);
  });

  it('a duplicated or redelivered event (same id) changes nothing and starts no second sync', async () => {
    const created = serviceAccountEvent('created', { serviceAccountId: SA, projectId: 'project-1', version: 1 });
    await handle(created);
    const before = await snapshot();
    await expect(handle(created)).resolves.toBe('duplicate');
    await expect(handle({ ...created })).resolves.toBe('duplicate');
    expect(await snapshot()).toEqual(before);
    expect(t.sync.changed).toHaveLength(1);
  });

  it('service_account.updated updates the mirror; a new provider account id re-syncs, a new name does not', async () => {
    await handle(serviceAccountEvent('created', { serviceAccountId: SA, projectId: 'project-1', version: 1 }));
    await handle(serviceAccountEvent('updated', { serviceAccountId: SA, projectId: 'project-1', version: 2, name: 'Renamed' }));
    expect(await account()).toMatchObject({ name: 'Renamed', version: 2 });
    expect(t.sync.changed).toHaveLength(1);
    await handle(serviceAccountEvent('updated', { serviceAccountId: SA, projectId: 'project-1', version: 3, data: { account_id: 'hb-2002' } }));
    expect(await account()).toMatchObject({ external_account_id: 'hb-2002', data: { account_id: 'hb-2002' }, version: 3 });
    expect(t.sync.changed).toHaveLength(2);
    expect(await history()).toEqual([['project-1', '2025-03-10', OPEN_END]]);
  });

  it('ignores service account events older than the stored version (out of order delivery)', async () => {
    await handle(serviceAccountEvent('updated', { serviceAccountId: SA, projectId: 'project-2', version: 3, name: 'Newest' }));
    const before = await snapshot();
    await handle(serviceAccountEvent('created', { serviceAccountId: SA, projectId: 'project-1', version: 1 }));
    await handle(serviceAccountEvent('project_changed', { serviceAccountId: SA, projectId: 'project-9', previousProjectId: 'project-1', version: 2 }));
    await handle(serviceAccountEvent('updated', { serviceAccountId: SA, projectId: 'project-2', version: 3, name: 'Same version again' }));
    const after = await snapshot();
    // Only the processed_events records differ.
    expect({ ...after, processed_events: [] }).toEqual({ ...before, processed_events: [] });
    expect(await account()).toMatchObject({ name: 'Newest', project_id: 'project-2', version: 3 });
    expect(t.sync.changed).toHaveLength(1);
  });

  it('project_changed closes the assignment yesterday and opens one today; a second move the same day re-points it', async () => {
    await handle(serviceAccountEvent('created', { serviceAccountId: SA, projectId: 'project-1', version: 1, at: '2025-01-05T08:00:00Z' }));
    await handle(serviceAccountEvent('project_changed', { serviceAccountId: SA, projectId: 'project-2', previousProjectId: 'project-1', version: 2, at: '2025-03-10T09:00:00Z' }));
    expect(await history()).toEqual([
      ['project-1', '2025-01-05', '2025-03-09'],
      ['project-2', '2025-03-10', OPEN_END],
    ]);
    await handle(serviceAccountEvent('project_changed', { serviceAccountId: SA, projectId: 'project-3', previousProjectId: 'project-2', version: 3, at: '2025-03-10T15:00:00Z' }));
    expect(await history()).toEqual([
      ['project-1', '2025-01-05', '2025-03-09'],
      ['project-3', '2025-03-10', OPEN_END],
    ]);
    expect(await account()).toMatchObject({ project_id: 'project-3', version: 3 });
    // Moving back the same day leaves the history as if the account never moved.
    await handle(serviceAccountEvent('project_changed', { serviceAccountId: SA, projectId: 'project-1', previousProjectId: 'project-3', version: 4, at: '2025-03-10T16:00:00Z' }));
    expect(await history()).toEqual([['project-1', '2025-01-05', OPEN_END]]);
    // A move does not re-sync: attribution happens at query time.
    expect(t.sync.changed).toHaveLength(1);
  });

  it('an account that leaves its project (no project: a provider without billing) ends its assignment', async () => {
    await handle(serviceAccountEvent('created', { serviceAccountId: SA, projectId: 'project-1', version: 1, at: '2025-03-01T00:00:00Z' }));
    await handle(serviceAccountEvent('updated', { serviceAccountId: SA, projectId: '', version: 2, at: '2025-03-10T00:00:00Z' }));
    expect(await history()).toEqual([['project-1', '2025-03-01', '2025-03-09']]);
    await handle(serviceAccountEvent('project_changed', { serviceAccountId: SA, projectId: 'project-2', version: 3, at: '2025-03-11T00:00:00Z' }));
    expect(await history()).toEqual([
      ['project-1', '2025-03-01', '2025-03-09'],
      ['project-2', '2025-03-11', OPEN_END],
    ]);
  });

  it('an account created and moved on the same day has one assignment, in the new project', async () => {
    await handle(serviceAccountEvent('created', { serviceAccountId: SA, projectId: 'project-1', version: 1 }));
    await handle(serviceAccountEvent('project_changed', { serviceAccountId: SA, projectId: 'project-2', version: 2 }));
    expect(await history()).toEqual([['project-2', '2025-03-10', OPEN_END]]);
  });

  it('service_account.deleted removes the mirror and its history, then its costs; an older event never brings it back', async () => {
    const created = serviceAccountEvent('created', { serviceAccountId: SA, projectId: 'project-1', version: 1 });
    await handle(created);
    await handle(serviceAccountEvent('deleted', { serviceAccountId: SA, projectId: 'project-1', version: 2 }));
    expect(await account()).toBeNull();
    expect(await history()).toEqual([]);
    expect(t.ledger.removedAccounts).toEqual([`${D}/${SA}`]);
    // A late copy of an earlier event, under another id (published again after the duplicate window).
    await handle({ ...serviceAccountEvent('updated', { serviceAccountId: SA, projectId: 'project-1', version: 1 }) });
    await handle({ ...created, id: `${created.id}-again` });
    expect(await account()).toBeNull();
    expect(await history()).toEqual([]);
    expect(t.sync.changed).toHaveLength(1);
  });

  it('an effect that fails makes the handler throw; the redelivery runs it again without changing anything twice', async () => {
    const created = serviceAccountEvent('created', { serviceAccountId: SA, projectId: 'project-1', version: 1 });
    t.sync.failNext(1);
    await expect(handle(created)).rejects.toThrow(/sync engine unavailable/);
    expect(await account()).toMatchObject({ version: 1 });
    expect(t.sync.changed).toEqual([]);
    await expect(handle(created)).resolves.toBe('duplicate');
    expect(t.sync.changed).toEqual([`${D}/${SA}`]);
    expect(await history()).toHaveLength(1);
    await handle(created);
    expect(t.sync.changed).toHaveLength(1);

    const deleted = serviceAccountEvent('deleted', { serviceAccountId: SA, projectId: 'project-1', version: 2 });
    t.ledger.failNext(1);
    await expect(handle(deleted)).rejects.toThrow(/ledger unavailable/);
    await handle(deleted);
    await handle(deleted);
    expect(t.ledger.removedAccounts).toEqual([`${D}/${SA}`]);
  });

  it('secret.updated re-syncs a known account (new credentials) and ignores an unknown one', async () => {
    await handle(serviceAccountEvent('created', { serviceAccountId: SA, projectId: 'project-1', version: 1 }));
    await handle(secretUpdated(D, SA, 'secret-2'));
    expect(t.sync.changed).toEqual([`${D}/${SA}`, `${D}/${SA}`]);
    expect(await account()).toMatchObject({ secret_id: 'secret-2' });
    await handle(secretUpdated(D, 'sa-unknown', 'secret-9'));
    expect(t.sync.changed).toHaveLength(2);
    // An event of another domain does not touch this domain's account.
    await handle(secretUpdated('domain-other', SA, 'secret-3'));
    expect(t.sync.changed).toHaveLength(2);
  });

  it('domain.created stores default settings and exactly one built-in Hyper Billing data source, even when delivered twice', async () => {
    const first = domainCreated(D);
    await handle(first);
    await handle(first);
    await handle(domainCreated(D)); // the same change published again under another id
    const sources = await t.deps.store.collection<DataSourceRecord>(BILLING_COLLECTIONS.dataSources).find({});
    expect(sources).toHaveLength(1);
    expect(sources[0]).toMatchObject({
      _id: 'ds-hyperbilling-a',
      domain_id: D,
      providers: ['hyperbilling'],
      plugin_endpoint: 'plugin-hyperbilling:50061',
      built_in: true,
      state: 'ENABLED',
      schedule_hours: 24,
      last_synced_at: null,
    });
    expect(await t.deps.store.collection<SettingsRecord>(BILLING_COLLECTIONS.settings).findOne({ _id: D })).toMatchObject({
      currency: 'USD',
      attribution_mode: 'FOLLOW_ACCOUNT',
      first_sync_months: 12,
      hyperbilling_enabled: true,
    });
  });

  it('domain.created creates no data source when the Hyper Billing plugin is not configured', async () => {
    t = await testMirror({ hyperbillingEndpoint: '' });
    await handle(domainCreated(D));
    expect(await t.deps.store.collection(BILLING_COLLECTIONS.dataSources).count({})).toBe(0);
    expect(await t.deps.store.collection(BILLING_COLLECTIONS.settings).count({})).toBe(1);
  });

  it('project and project group events keep their mirrors; a deleted one never comes back', async () => {
    await handle(projectGroupEvent('created', D, 'pg-1', 'Root'));
    await handle(projectEvent('created', D, 'project-1', 'Web', 'pg-1'));
    await handle(projectEvent('updated', D, 'project-1', 'Web shop', 'pg-1'));
    await handle(projectGroupEvent('updated', D, 'pg-1', 'Company'));
    expect(await t.deps.store.collection(BILLING_COLLECTIONS.projects).findOne({ _id: 'project-1' })).toMatchObject({
      domain_id: D,
      name: 'Web shop',
      project_group_id: 'pg-1',
    });
    expect(await t.deps.store.collection(BILLING_COLLECTIONS.projectGroups).findOne({ _id: 'pg-1' })).toMatchObject({ name: 'Company', parent_group_id: '' });
    await handle(projectEvent('deleted', D, 'project-1', 'Web shop', 'pg-1'));
    await handle(projectGroupEvent('deleted', D, 'pg-1', 'Company'));
    await handle(projectEvent('updated', D, 'project-1', 'Late', 'pg-1'));
    await handle(projectGroupEvent('created', D, 'pg-1', 'Late'));
    expect(await t.deps.store.collection(BILLING_COLLECTIONS.projects).count({})).toBe(0);
    expect(await t.deps.store.collection(BILLING_COLLECTIONS.projectGroups).count({})).toBe(0);
  });

  it('malformed events throw (so they end on the dead-letter subject); unknown types are acknowledged', async () => {
    await expect(handle({ ...domainCreated(D), id: '' })).rejects.toBeInstanceOf(MalformedEventError);
    await expect(handle({ ...domainCreated(D), domainId: '' })).rejects.toThrow(/no domain_id/);
    await expect(handle({ ...projectEvent('created', D, 'project-1', 'x'), type: 'service_account.created' })).rejects.toThrow(/no serviceAccount payload/);
    await expect(handle(serviceAccountEvent('created', { serviceAccountId: '', projectId: 'project-1', version: 1 }))).rejects.toThrow(/names no serviceAccount id/);
    await expect(handle({ ...domainCreated(D), type: 'domain.deleted' })).resolves.toBe('ignored');
    expect(await t.deps.store.collection(BILLING_COLLECTIONS.processedEvents).count({})).toBe(0);
  });
});
