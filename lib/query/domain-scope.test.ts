import { DomainError } from '../errors/domain-error';
import { compileQuery } from './compile';
import { domainScope } from './domain-scope';
import { matches } from './testing/match';
import { cond, query } from './testing/fixtures';
import type { QuerySchema } from './schema';

const schema: QuerySchema = { resource: 'project', fields: { domain_id: 'string', name: 'string' } };
const docs = [
  { _id: 'p1', domain_id: 'domain-a', name: 'web' },
  { _id: 'p2', domain_id: 'domain-b', name: 'web' },
  { _id: 'p3', domain_id: 'domain-b', name: 'db' },
];
const select = (q: Parameters<typeof compileQuery>[0], domain: string) =>
  docs.filter((d) => matches(d, domainScope(compileQuery(q, schema).filter, domain))).map((d) => d._id);

describe('domainScope', () => {
  it('is the domain equality alone for an empty filter, and ANDs it onto any other', () => {
    expect(domainScope({}, 'domain-a')).toEqual({ domain_id: { $eq: 'domain-a' } });
    expect(domainScope({ name: { $eq: 'x' } }, 'domain-a')).toEqual({
      $and: [{ domain_id: { $eq: 'domain-a' } }, { name: { $eq: 'x' } }],
    });
  });

  it('cannot be widened by a user filter naming another domain, in filter or filter_or', () => {
    expect(select(query({}), 'domain-a')).toEqual(['p1']);
    expect(select(query({ filter: [cond('domain_id', 'domain-b')] }), 'domain-a')).toEqual([]);
    expect(select(query({ filterOr: [cond('domain_id', 'domain-b'), cond('name', 'web')] }), 'domain-a')).toEqual(['p1']);
    expect(select(query({ filter: [cond('domain_id', ['domain-a', 'domain-b'], 'in')] }), 'domain-b')).toEqual(['p2', 'p3']);
  });

  it('refuses an empty domain id (a programming error, never a silent global query)', () => {
    expect(() => domainScope({}, '')).toThrow(DomainError);
    expect(() => domainScope({}, undefined as unknown as string)).toThrow(/domain id is required/);
  });
});
