import { Query, StatQuery } from '../../../../gen/tally/core/v1/query';
import type { Principal, RoleName } from '../../../../lib/auth/principal';
import { DomainError } from '../../../../lib/errors/domain-error';
import { BILLING_COLLECTIONS, type JobRecord } from '../../domain/records';
import { ensureDomainBilling } from '../mirror/domain-billing';
import { handleIdentityEvent } from '../mirror/handle-event';
import { domainCreated, testMirror, type TestMirror } from '../mirror/testing/fakes';
import { getSettings, updateSettings } from '../settings/settings';
import { deregisterDataSource } from './deregister';
import type { PluginInit } from './plugin-init';
import { getDataSource, listDataSources, statDataSources } from './read';
import { registerDataSource, type RegisterDataSource } from './register';
import { disableDataSource, enableDataSource } from './state';
import { updateDataSource } from './update';
import { DATA_SOURCE_LIMITS } from './validate';

const as = (role: RoleName, domainId = 'domain-a'): Principal => ({ subject: 'key-1', domainId, role, projectIds: [] });
const admin = as('DOMAIN_ADMIN');

async function failure(p: Promise<unknown>): Promise<DomainError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  if (!(e instanceof DomainError)) throw new Error(`expected a DomainError, got ${String(e)}`);
  return e;
}

describe('data sources', () => {
  let t: TestMirror;
  let inits: { endpoint: string; options: Record<string, unknown> }[];
  let answer: { providers: string[]; currency: string } | Error;
  const init: PluginInit = async (endpoint, options) => {
    inits.push({ endpoint, options });
    if (answer instanceof Error) throw answer;
    return answer;
  };
  const focus: RegisterDataSource = { name: 'FOCUS exports', pluginEndpoint: 'plugin-focus:50062', options: { path: '/data/focus' }, tags: { team: 'finops' } };
  const register = (req: Partial<RegisterDataSource> = {}, p = admin) => registerDataSource(t.deps, p, { ...focus, ...req }, init);

  beforeEach(async () => {
    t = await testMirror({ hyperbillingEndpoint: 'plugin-hyperbilling:50061' });
    inits = [];
    answer = { providers: ['aws', 'azure', 'google_cloud'], currency: 'USD' };
  });

  it('registers a plugin: Init tells its providers and currency; the schedule defaults to the domain setting', async () => {
    await updateSettings(t.deps, admin, { scheduleHours: 6 });
    const ds = await register();
    expect(ds).toMatchObject({
      _id: expect.stringMatching(/^ds-[0-9a-f]{16}$/),
      domain_id: 'domain-a',
      name: 'FOCUS exports',
      providers: ['aws', 'azure', 'google_cloud'],
      plugin_endpoint: 'plugin-focus:50062',
      options: { path: '/data/focus' },
      state: 'ENABLED',
      schedule_hours: 6,
      currency: 'USD',
      built_in: false,
      tags: { team: 'finops' },
      last_synced_at: null,
    });
    expect(inits).toEqual([{ endpoint: 'plugin-focus:50062', options: { path: '/data/focus' } }]);
    expect(await getDataSource(t.deps, as('DOMAIN_VIEWER'), ds._id)).toEqual(ds);
    expect((await register({ scheduleHours: 0 })).schedule_hours).toBe(0);
  });

  it.each<[string, Partial<RegisterDataSource>, string]>([
    ['blank name', { name: '  ' }, 'name'],
    ['name over 200 characters', { name: 'x'.repeat(201) }, 'name'],
    ['no endpoint', { pluginEndpoint: '' }, 'plugin_endpoint'],
    ['endpoint without port', { pluginEndpoint: 'plugin-focus' }, 'plugin_endpoint'],
    ['endpoint with a scheme', { pluginEndpoint: 'http://plugin-focus:50062' }, 'plugin_endpoint'],
    ['port above 65535', { pluginEndpoint: 'plugin-focus:70000' }, 'plugin_endpoint'],
    ['port 0', { pluginEndpoint: 'plugin-focus:0' }, 'plugin_endpoint'],
    ['IPv4 part above 255', { pluginEndpoint: '300.1.1.1:50062' }, 'plugin_endpoint'],
    ['space in host', { pluginEndpoint: 'plug in:50062' }, 'plugin_endpoint'],
    ['endpoint over 255 characters', { pluginEndpoint: `${'a'.repeat(250)}.io:1` }, 'plugin_endpoint'],
    ['options as a list', { options: [] as unknown as Record<string, unknown> }, 'options'],
    ['options over 16 KiB', { options: { blob: 'x'.repeat(17 * 1024) } }, 'options'],
    ['schedule above a week', { scheduleHours: 169 }, 'schedule_hours'],
    ['fractional schedule', { scheduleHours: 2.5 }, 'schedule_hours'],
    ['tag key with a dot', { tags: { 'bad.key': 'x' } }, 'tags.bad.key'],
    ['nested tag value', { tags: { nested: { a: 1 } } }, 'tags.nested'],
  ])('refuses %s, naming %s, before calling the plugin', async (_label, req, field) => {
    const e = await failure(register(req));
    expect(e).toMatchObject({ kind: 'INVALID_ARGUMENT', field });
    expect(e.message).toContain(field.split('.')[0]);
    expect(inits).toEqual([]);
    expect(await t.deps.store.collection(BILLING_COLLECTIONS.dataSources).count({})).toBe(0);
  });

  it('accepts IPv4, IPv6 and DNS endpoints', async () => {
    for (const pluginEndpoint of ['10.0.0.5:50062', '[::1]:50062', 'plugin-focus.tally.svc.cluster.local:50062', 'localhost:1']) {
      expect((await register({ pluginEndpoint })).plugin_endpoint).toBe(pluginEndpoint);
    }
  });

  it('a plugin that cannot be reached, or answers Init oddly, registers nothing', async () => {
    answer = new DomainError('UNAVAILABLE', 'PLUGIN.UNAVAILABLE', 'the plugin at plugin-focus:50062 is not reachable');
    expect(await failure(register())).toMatchObject({ kind: 'UNAVAILABLE', reason: 'PLUGIN.UNAVAILABLE' });
    answer = { providers: [], currency: 'USD' };
    expect(await failure(register())).toMatchObject({ kind: 'FAILED_PRECONDITION', reason: 'DATA_SOURCE.PLUGIN_METADATA' });
    answer = { providers: ['aws'], currency: 'dollars' };
    expect((await failure(register())).message).toMatch(/ISO 4217/);
    expect(await t.deps.store.collection(BILLING_COLLECTIONS.dataSources).count({})).toBe(0);
  });

  it('writes need DOMAIN_ADMIN; reads DOMAIN_VIEWER; another domain\'s id is NOT_FOUND and unchanged', async () => {
    expect((await failure(register({}, as('DOMAIN_VIEWER')))).kind).toBe('PERMISSION_DENIED');
    const ds = await register();
    const other = as('DOMAIN_ADMIN', 'domain-b');
    for (const call of [
      getDataSource(t.deps, other, ds._id),
      updateDataSource(t.deps, other, { dataSourceId: ds._id, name: 'stolen' }, init),
      disableDataSource(t.deps, other, ds._id),
      enableDataSource(t.deps, other, ds._id),
      deregisterDataSource(t.deps, other, ds._id),
    ]) {
      expect(await failure(call)).toMatchObject({ kind: 'NOT_FOUND', reason: 'DATA_SOURCE.NOT_FOUND' });
    }
    expect(await getDataSource(t.deps, admin, ds._id)).toEqual(ds);
    expect((await listDataSources(t.deps, as('DOMAIN_VIEWER', 'domain-b'), undefined)).total).toBe(0);
    expect(t.ledger.removedDataSources).toEqual([]);
    expect((await failure(getDataSource(t.deps, admin, ''))).field).toBe('data_source_id');
  });

  it('lists and stats with the Query language, scoped to the domain', async () => {
    await register({ name: 'Alpha' });
    answer = { providers: ['azure'], currency: 'EUR' };
    const b = await register({ name: 'Beta', pluginEndpoint: 'plugin-azure:50063' });
    await disableDataSource(t.deps, admin, b._id);
    await register({ name: 'Other domain' }, as('DOMAIN_ADMIN', 'domain-b'));

    const all = await listDataSources(t.deps, as('DOMAIN_VIEWER'), undefined);
    expect(all.results.map((d) => d.name)).toEqual(['Alpha', 'Beta']);
    const aws = await listDataSources(t.deps, admin, Query.fromPartial({ filter: [{ k: 'providers', v: 'aws', o: 'eq' }] }));
    expect(aws.results.map((d) => d.name)).toEqual(['Alpha']);
    const disabled = await listDataSources(t.deps, admin, Query.fromPartial({ filter: [{ k: 'state', v: 'DISABLED', o: 'eq' }], only: ['name'] }));
    expect(disabled.results).toEqual([{ _id: b._id, name: 'Beta' }]);
    const stat = await statDataSources(t.deps, admin, StatQuery.fromPartial({ groupBy: ['state'], fields: [{ name: 'n', operator: 'count' }] }));
    expect(stat.results).toEqual([
      { state: 'DISABLED', n: 1 },
      { state: 'ENABLED', n: 1 },
    ]);
    const e = await failure(listDataSources(t.deps, admin, Query.fromPartial({ filter: [{ k: 'secret', v: 'x', o: 'eq' }] })));
    expect(e).toMatchObject({ kind: 'INVALID_ARGUMENT', field: 'query.filter[0].k' });
  });

  it('update: a new endpoint or new options call Init again; the built-in endpoint belongs to the operator', async () => {
    const ds = await register();
    expect(await updateDataSource(t.deps, admin, { dataSourceId: ds._id, name: 'Renamed', scheduleHours: 48 }, init)).toMatchObject({
      name: 'Renamed',
      schedule_hours: 48,
      providers: ['aws', 'azure', 'google_cloud'],
    });
    expect(inits).toHaveLength(1);
    answer = { providers: ['aws'], currency: 'JPY' };
    const moved = await updateDataSource(t.deps, admin, { dataSourceId: ds._id, pluginEndpoint: 'plugin-focus-2:50062' }, init);
    expect(moved).toMatchObject({ plugin_endpoint: 'plugin-focus-2:50062', providers: ['aws'], currency: 'JPY', name: 'Renamed' });
    expect(await getDataSource(t.deps, admin, ds._id)).toEqual(moved);
    expect(inits).toHaveLength(2);
    expect((await failure(updateDataSource(t.deps, admin, { dataSourceId: ds._id, scheduleHours: 500 }, init))).field).toBe('schedule_hours');
    expect((await failure(updateDataSource(t.deps, admin, { dataSourceId: ds._id, name: '' }, init))).field).toBe('name');

    await handleIdentityEvent(t.deps, domainCreated('domain-a'));
    const e = await failure(updateDataSource(t.deps, admin, { dataSourceId: 'ds-hyperbilling-a', pluginEndpoint: 'evil:1' }, init));
    expect(e).toMatchObject({ kind: 'FAILED_PRECONDITION', reason: 'DATA_SOURCE.BUILT_IN_ENDPOINT' });
    expect(await updateDataSource(t.deps, admin, { dataSourceId: 'ds-hyperbilling-a', scheduleHours: 12 }, init)).toMatchObject({ schedule_hours: 12 });
  });

  it('enable and disable', async () => {
    const ds = await register();
    expect((await disableDataSource(t.deps, admin, ds._id)).state).toBe('DISABLED');
    expect((await getDataSource(t.deps, admin, ds._id)).state).toBe('DISABLED');
    expect((await enableDataSource(t.deps, admin, ds._id)).state).toBe('ENABLED');
    expect((await failure(disableDataSource(t.deps, as('DOMAIN_VIEWER'), ds._id))).kind).toBe('PERMISSION_DENIED');
  });

  it('deregister cancels running jobs, removes the costs, then the data source', async () => {
    const ds = await register();
    const cancelled: string[] = [];
    t.deps.sync.cancel = async (_d, jobId) => void cancelled.push(jobId);
    await t.deps.store.collection<JobRecord>(BILLING_COLLECTIONS.jobs).insertOne({ _id: 'job-1', domain_id: 'domain-a', data_source_id: ds._id, state: 'IN_PROGRESS' } as JobRecord);
    await deregisterDataSource(t.deps, admin, ds._id);
    expect(cancelled).toEqual(['job-1']);
    expect(t.ledger.removedDataSources).toEqual([`domain-a/${ds._id}`]);
    expect((await failure(getDataSource(t.deps, admin, ds._id))).kind).toBe('NOT_FOUND');
  });

  it('when the costs cannot be removed, the data source stays, disabled, and deregister can be repeated', async () => {
    const ds = await register();
    t.ledger.failNext(1);
    await expect(deregisterDataSource(t.deps, admin, ds._id)).rejects.toThrow(/ledger unavailable/);
    expect((await getDataSource(t.deps, admin, ds._id)).state).toBe('DISABLED');
    await deregisterDataSource(t.deps, admin, ds._id);
    expect((await failure(getDataSource(t.deps, admin, ds._id))).kind).toBe('NOT_FOUND');
  });

  it('the built-in Hyper Billing data source may be deregistered; it then stays away until the setting is turned on again', async () => {
    await handleIdentityEvent(t.deps, domainCreated('domain-a'));
    await deregisterDataSource(t.deps, admin, 'ds-hyperbilling-a');
    expect((await getSettings(t.deps, admin)).hyperbilling_enabled).toBe(false);
    await t.deps.store.transaction((tx) => ensureDomainBilling(tx, t.deps, 'domain-a'));
    await handleIdentityEvent(t.deps, domainCreated('domain-a'));
    expect(await t.deps.store.collection(BILLING_COLLECTIONS.dataSources).count({})).toBe(0);
  });

  it(`a domain has at most ${DATA_SOURCE_LIMITS.maxPerDomain} data sources`, async () => {
    for (let i = 0; i < DATA_SOURCE_LIMITS.maxPerDomain; i++) await register({ name: `ds ${i}` });
    expect(await failure(register())).toMatchObject({ kind: 'RESOURCE_EXHAUSTED', reason: 'DATA_SOURCE.TOO_MANY' });
    expect((await register({}, as('DOMAIN_ADMIN', 'domain-b'))).domain_id).toBe('domain-b');
  });
});
