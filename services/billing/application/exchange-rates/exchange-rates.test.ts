import { Query } from '../../../../gen/tally/core/v1/query';
import type { Principal, RoleName } from '../../../../lib/auth/principal';
import { DomainError } from '../../../../lib/errors/domain-error';
import { testMirror, type TestMirror } from '../mirror/testing/fakes';
import { listExchangeRates } from './list-rates';
import { setExchangeRate, type SetExchangeRate } from './set-rate';

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

describe('exchange rates', () => {
  let t: TestMirror;
  const eurUsd: SetExchangeRate = { currency: 'EUR', quoteCurrency: 'USD', rate: '1.0825', effectiveDate: '2025-01-01' };
  beforeEach(async () => {
    t = await testMirror();
  });

  it('sets a rate, in canonical exact form, and replaces it when set again for the same pair and date', async () => {
    const r = await setExchangeRate(t.deps, admin, { ...eurUsd, rate: '1.082500' });
    expect(r).toMatchObject({ _id: 'domain-a:EUR:USD:2025-01-01', domain_id: 'domain-a', currency: 'EUR', quote_currency: 'USD', rate: '1.0825', effective_date: '2025-01-01' });
    await setExchangeRate(t.deps, admin, { ...eurUsd, rate: '1.09' });
    await setExchangeRate(t.deps, admin, { ...eurUsd, effectiveDate: '2025-02-01', rate: '1.0000000000000001' });
    const { results, total } = await listExchangeRates(t.deps, as('DOMAIN_VIEWER'), undefined);
    expect(total).toBe(2);
    expect(results.map((x) => [x.effective_date, x.rate])).toEqual([
      ['2025-02-01', '1.0000000000000001'],
      ['2025-01-01', '1.09'],
    ]);
  });

  it('lists with the Query language, only the caller\'s domain', async () => {
    await setExchangeRate(t.deps, admin, eurUsd);
    await setExchangeRate(t.deps, admin, { currency: 'JPY', quoteCurrency: 'USD', rate: '0.0067', effectiveDate: '2025-01-01' });
    await setExchangeRate(t.deps, as('DOMAIN_ADMIN', 'domain-b'), eurUsd);
    const jpy = await listExchangeRates(t.deps, admin, Query.fromPartial({ filter: [{ k: 'currency', v: 'JPY', o: 'eq' }] }));
    expect(jpy.results.map((x) => x.rate)).toEqual(['0.0067']);
    expect((await listExchangeRates(t.deps, admin, undefined)).total).toBe(2);
    expect(await failure(listExchangeRates(t.deps, admin, Query.fromPartial({ filter: [{ k: 'rate', v: 1, o: 'gt' }] })))).toMatchObject({
      kind: 'INVALID_ARGUMENT',
      field: 'query.filter[0].v',
    });
  });

  it.each<[string, Partial<SetExchangeRate>, string]>([
    ['lower-case currency', { currency: 'eur' }, 'currency'],
    ['unknown currency', { currency: 'ABC' }, 'currency'],
    ['missing quote currency', { quoteCurrency: '' }, 'quote_currency'],
    ['same currencies', { quoteCurrency: 'EUR' }, 'quote_currency'],
    ['zero rate', { rate: '0' }, 'rate'],
    ['negative rate', { rate: '-1.2' }, 'rate'],
    ['exponent rate', { rate: '1e3' }, 'rate'],
    ['text rate', { rate: 'one' }, 'rate'],
    ['empty rate', { rate: '' }, 'rate'],
    ['overlong rate', { rate: `1.${'1'.repeat(100)}` }, 'rate'],
    ['impossible date', { effectiveDate: '2025-02-30' }, 'effective_date'],
    ['short date', { effectiveDate: '2025-1-01' }, 'effective_date'],
    ['date-time', { effectiveDate: '2025-01-01T00:00:00Z' }, 'effective_date'],
  ])('refuses a %s, naming the field, and stores nothing', async (_label, change, field) => {
    const e = await failure(setExchangeRate(t.deps, admin, { ...eurUsd, ...change }));
    expect(e).toMatchObject({ kind: 'INVALID_ARGUMENT', field });
    expect(e.message).toContain(field);
    expect((await listExchangeRates(t.deps, admin, undefined)).total).toBe(0);
  });

  it('setting needs DOMAIN_ADMIN, listing DOMAIN_VIEWER', async () => {
    expect((await failure(setExchangeRate(t.deps, as('DOMAIN_VIEWER'), eurUsd))).kind).toBe('PERMISSION_DENIED');
    expect((await failure(listExchangeRates(t.deps, as('PROJECT_MEMBER'), undefined))).kind).toBe('PERMISSION_DENIED');
  });
});
