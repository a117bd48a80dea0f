import { Granularity, type CostServiceAnalyzeRequest } from '../../../../gen/tally/billing/v1/cost';
import { isDomainError } from '../../../../lib/errors/domain-error';
import { ledgerStore } from '../ledger/testing/ledger-fixtures';
import { analyze } from './analyze';
import { admin, request } from './testing/analyze-fixtures';

async function failure(over: Partial<CostServiceAnalyzeRequest>): Promise<{ kind: string; field?: string; message: string }> {
  const { store } = await ledgerStore();
  try {
    await analyze({ store }, admin(), request(over));
  } catch (err) {
    if (isDomainError(err)) return { kind: err.kind, field: err.field, message: err.message };
    throw err;
  }
  throw new Error('expected INVALID_ARGUMENT');
}

describe('analyze: invalid requests', () => {
  it.each<[string, Partial<CostServiceAnalyzeRequest>, string]>([
    ['no granularity', { granularity: Granularity.GRANULARITY_UNSPECIFIED }, 'granularity'],
    ['an unknown granularity', { granularity: 9 as Granularity }, 'granularity'],
    ['no start', { start: '' }, 'start'],
    ['a date that does not exist', { start: '2023-02-29' }, 'start'],
    ['a date in another form', { end: '2024/12/31' }, 'end'],
    ['end before start', { start: '2024-05-02', end: '2024-05-01' }, 'end'],
    ['a DAILY range over 400 days', { granularity: Granularity.GRANULARITY_DAILY, start: '2024-01-01', end: '2025-02-04' }, 'end'],
    ['a range of more than 10 years', { start: '2014-01-01', end: '2024-01-01' }, 'end'],
    ['an unknown group_by key', { groupBy: ['project_id', 'colour'] }, 'group_by[1]'],
    ['a group_by key twice', { groupBy: ['provider', 'provider'] }, 'group_by[1]'],
    ['an empty tag key', { groupBy: ['tags.'] }, 'group_by[0]'],
    ['too many group_by keys', { groupBy: ['provider', 'product', 'region', 'usage_type', 'project_id', 'data_source_id'] }, 'group_by'],
    ['an unknown filter key', { filter: [{ k: 'colour', v: 'red', o: 'eq' }] }, 'filter[0].k'],
    ['an unknown operator', { filter: [{ k: 'provider', v: 'aws', o: 'eq' }, { k: 'product', v: 'x', o: 'like' }] }, 'filter[1].o'],
    ['an operator the key does not take', { filterOr: [{ k: 'project_group_id', v: 'a', o: 'gt' }] }, 'filter_or[0].o'],
    ['a value of the wrong type', { filter: [{ k: 'provider', v: 3, o: 'eq' }] }, 'filter[0].v'],
    ['sorting by something not grouped', { groupBy: ['provider'], sort: [{ key: 'product', desc: false }] }, 'sort[0].key'],
    ['a limit above 1000', { limit: 1001 }, 'limit'],
    ['an unknown currency', { currency: 'usd' }, 'currency'],
  ])('refuses %s', async (_what, over, field) => {
    const err = await failure(over);
    expect(err.kind).toBe('INVALID_ARGUMENT');
    expect(err.field).toBe(field);
    expect(err.message.startsWith(field)).toBe(true);
  });

  it('says a granularity is missing, naming the values a client can send (as JSON too), not an internal number', async () => {
    const accepted = 'GRANULARITY_DAILY, GRANULARITY_MONTHLY, GRANULARITY_YEARLY, GRANULARITY_ACCUMULATED';
    const missing = await failure({ granularity: Granularity.GRANULARITY_UNSPECIFIED });
    expect(missing).toMatchObject({ kind: 'INVALID_ARGUMENT', field: 'granularity', message: `granularity: missing; give one of ${accepted}` });
    expect(missing.message).not.toMatch(/got 0|\b0\b|UNSPECIFIED/);
    expect(await failure({ granularity: undefined as unknown as Granularity })).toMatchObject({ field: 'granularity', message: `granularity: missing; give one of ${accepted}` });
    expect((await failure({ granularity: 9 as Granularity })).message).toBe(`granularity: 9 is not a known granularity; give one of ${accepted}`);
  });

  it('accepts the limits themselves', async () => {
    const { store } = await ledgerStore();
    const ok = (over: Partial<CostServiceAnalyzeRequest>) => analyze({ store }, admin(), request(over));
    await expect(ok({ granularity: Granularity.GRANULARITY_DAILY, start: '2024-01-01', end: '2025-02-03' })).resolves.toMatchObject({ periods: expect.any(Array) });
    await expect(ok({ granularity: Granularity.GRANULARITY_YEARLY, start: '2014-01-01', end: '2023-12-31' })).resolves.toMatchObject({ total: '0' });
    await expect(ok({ limit: 1000, groupBy: ['provider', 'product', 'region', 'usage_type', 'tags.env'] })).resolves.toMatchObject({ totalCount: 0 });
  });

  it('needs a credential of a domain', async () => {
    const { store } = await ledgerStore();
    const system = { subject: 'root', domainId: '', role: 'SYSTEM' as const, projectIds: [] };
    await expect(analyze({ store }, system, request())).rejects.toMatchObject({ kind: 'PERMISSION_DENIED' });
  });
});
