import type { Principal, RoleName } from '../../../../lib/auth/principal';
import { DomainError } from '../../../../lib/errors/domain-error';
import { BILLING_COLLECTIONS } from '../../domain/records';
import { handleIdentityEvent } from '../mirror/handle-event';
import { reconcile } from '../mirror/reconcile';
import { domainCreated, testMirror, type TestMirror } from '../mirror/testing/fakes';
import { getSettings, updateSettings } from './settings';

const as = (role: RoleName, domainId = 'domain-a'): Principal => ({ subject: 'key-1', domainId, role, projectIds: [] });

/** The error a call failed with (fails the test when it succeeded). */
async function failure(p: Promise<unknown>): Promise<DomainError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  if (!(e instanceof DomainError)) throw new Error(`expected a DomainError, got ${String(e)}`);
  return e;
}

describe('billing settings', () => {
  let t: TestMirror;
  beforeEach(async () => {
    t = await testMirror({ hyperbillingEndpoint: 'plugin-hyperbilling:50061' });
  });

  it('get stores the defaults on first read; viewers may read, project members may not', async () => {
    expect(await t.deps.store.collection(BILLING_COLLECTIONS.settings).count({})).toBe(0);
    expect(await getSettings(t.deps, as('DOMAIN_VIEWER'))).toEqual({
      _id: 'domain-a',
      domain_id: 'domain-a',
      currency: 'USD',
      attribution_mode: 'FOLLOW_ACCOUNT',
      first_sync_months: 12,
      schedule_hours: 24,
      hyperbilling_enabled: true,
    });
    expect(await t.deps.store.collection(BILLING_COLLECTIONS.settings).count({})).toBe(1);
    expect((await failure(getSettings(t.deps, as('PROJECT_MEMBER')))).kind).toBe('PERMISSION_DENIED');
    expect((await failure(getSettings(t.deps, as('SYSTEM', '')))).kind).toBe('PERMISSION_DENIED');
  });

  it('update changes only the caller\'s domain and keeps absent fields', async () => {
    const s = await updateSettings(t.deps, as('DOMAIN_ADMIN'), { currency: 'EUR', attributionMode: 'AS_OF_DATE', firstSyncMonths: 36, scheduleHours: 0 });
    expect(s).toMatchObject({ currency: 'EUR', attribution_mode: 'AS_OF_DATE', first_sync_months: 36, schedule_hours: 0, hyperbilling_enabled: true });
    expect(await getSettings(t.deps, as('DOMAIN_VIEWER'))).toEqual(s);
    expect(await updateSettings(t.deps, as('DOMAIN_ADMIN'), { attributionMode: '', firstSyncMonths: 1 })).toMatchObject({
      currency: 'EUR',
      attribution_mode: 'AS_OF_DATE',
      first_sync_months: 1,
    });
    expect(await getSettings(t.deps, as('DOMAIN_VIEWER', 'domain-b'))).toMatchObject({ currency: 'USD', attribution_mode: 'FOLLOW_ACCOUNT' });
    expect((await failure(updateSettings(t.deps, as('DOMAIN_VIEWER'), { currency: 'JPY' }))).kind).toBe('PERMISSION_DENIED');
  });

  it.each([
    [{ currency: 'usd' }, 'currency', /capitals/],
    [{ currency: 'XXX' }, 'currency', /ISO 4217/],
    [{ currency: '' }, 'currency', /ISO 4217/],
    [{ attributionMode: 'BY_MOOD' }, 'attribution_mode', /FOLLOW_ACCOUNT, AS_OF_DATE/],
    [{ firstSyncMonths: 0 }, 'first_sync_months', /1 to 36/],
    [{ firstSyncMonths: 37 }, 'first_sync_months', /1 to 36/],
    [{ firstSyncMonths: 1.5 }, 'first_sync_months', /whole number/],
    [{ scheduleHours: -1 }, 'schedule_hours', /0 to 168/],
    [{ scheduleHours: 169 }, 'schedule_hours', /0 to 168/],
  ])('refuses %p naming the field %s, and changes nothing', async (change, field, message) => {
    const before = await getSettings(t.deps, as('DOMAIN_ADMIN'));
    const e = await failure(updateSettings(t.deps, as('DOMAIN_ADMIN'), { scheduleHours: 12, ...change }));
    expect(e).toMatchObject({ kind: 'INVALID_ARGUMENT', field });
    expect(e.message).toMatch(message);
    expect(e.message).toContain(field);
    expect(await getSettings(t.deps, as('DOMAIN_ADMIN'))).toEqual(before);
  });

  it('hyperbilling_enabled=false deregisters the built-in data source (its costs go) and keeps it away; true brings it back', async () => {
    await handleIdentityEvent(t.deps, domainCreated('domain-a'));
    const builtIn = () => t.deps.store.collection(BILLING_COLLECTIONS.dataSources).findOne({ _id: 'ds-hyperbilling-a' });
    expect(await builtIn()).not.toBeNull();

    await updateSettings(t.deps, as('DOMAIN_ADMIN'), { hyperbillingEnabled: false });
    expect(await builtIn()).toBeNull();
    expect(t.ledger.removedDataSources).toEqual(['domain-a/ds-hyperbilling-a']);
    t.identity.domains.push({ domainId: 'domain-a', name: 'A' });
    await reconcile(t.deps);
    expect(await builtIn()).toBeNull();

    await updateSettings(t.deps, as('DOMAIN_ADMIN'), { hyperbillingEnabled: true });
    expect(await builtIn()).toMatchObject({ state: 'ENABLED', built_in: true });
  });

  it('when removing the costs fails, the built-in data source stays disabled and reconciliation finishes the job', async () => {
    await handleIdentityEvent(t.deps, domainCreated('domain-a'));
    t.ledger.failNext(1);
    await expect(updateSettings(t.deps, as('DOMAIN_ADMIN'), { hyperbillingEnabled: false })).rejects.toThrow(/ledger unavailable/);
    expect(await t.deps.store.collection(BILLING_COLLECTIONS.dataSources).findOne({ _id: 'ds-hyperbilling-a' })).toMatchObject({ state: 'DISABLED' });
    t.identity.domains.push({ domainId: 'domain-a', name: 'A' });
    await reconcile(t.deps);
    expect(await t.deps.store.collection(BILLING_COLLECTIONS.dataSources).count({})).toBe(0);
    expect(t.ledger.removedDataSources).toEqual(['domain-a/ds-hyperbilling-a']);
  });
});
