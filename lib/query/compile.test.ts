import { compileConditions, compileQuery } from './compile';
import { normalizeSchema, storedFieldName, type QuerySchema } from './schema';
import { matches } from './testing/match';
import { accountSchema as schema, cond, invalid, query } from './testing/fixtures';

describe('compileQuery: composition', () => {
  it('an absent or empty query selects everything, sorted by the default sort then _id', () => {
    for (const q of [undefined, query({})]) {
      expect(compileQuery(q, schema)).toEqual({
        filter: {},
        options: {
          sort: [
            { field: 'name', direction: 1 },
            { field: '_id', direction: 1 },
          ],
          skip: 0,
          limit: 100,
        },
      });
    }
  });

  it('one condition is the filter itself; several are ANDed', () => {
    expect(compileQuery(query({ filter: [cond('provider', 'aws')] }), schema).filter).toEqual({ provider: { $eq: 'aws' } });
    expect(
      compileQuery(query({ filter: [cond('provider', 'aws'), cond('cost', 1, 'gt')] }), schema).filter,
    ).toEqual({ $and: [{ provider: { $eq: 'aws' } }, { cost: { $gt: 1 } }] });
  });

  it('filter_or terms are ORed and the OR group is ANDed with the rest', () => {
    const { filter } = compileQuery(
      query({
        filter: [cond('provider', 'aws')],
        filterOr: [cond('project_id', 'project-1'), cond('project_id', 'project-2')],
      }),
      schema,
    );
    expect(filter).toEqual({
      $and: [
        { provider: { $eq: 'aws' } },
        { $or: [{ project_id: { $eq: 'project-1' } }, { project_id: { $eq: 'project-2' } }] },
      ],
    });
    const docs = [
      { _id: 'a', provider: 'aws', project_id: 'project-1' },
      { _id: 'b', provider: 'azure', project_id: 'project-1' },
      { _id: 'c', provider: 'aws', project_id: 'project-3' },
      { _id: 'd', provider: 'aws', project_id: 'project-2' },
    ];
    expect(docs.filter((d) => matches(d, filter)).map((d) => d._id)).toEqual(['a', 'd']);
  });

  it('a single filter_or term is just ANDed; an always-true OR term drops the group', () => {
    expect(compileConditions([], [cond('name', 'x')], schema)).toEqual({ name: { $eq: 'x' } });
    expect(compileConditions([cond('cost', 1)], [cond('name', [], 'not_contain_in'), cond('name', 'x')], schema)).toEqual({
      cost: { $eq: 1 },
    });
  });

  it('keyword is an OR of case-insensitive, escaped substrings over the keyword fields, ANDed with the filter', () => {
    const { filter } = compileQuery(query({ keyword: '  Web.1 ', filter: [cond('provider', 'aws')] }), schema);
    expect(filter).toEqual({
      $and: [
        { provider: { $eq: 'aws' } },
        { $or: [{ _id: { $regex: 'Web\\.1', $options: 'i' } }, { name: { $regex: 'Web\\.1', $options: 'i' } }] },
      ],
    });
    const docs = [
      { _id: 'sa-web.1', provider: 'aws', name: 'x' },
      { _id: 'sa-2', provider: 'aws', name: 'my WEB.1 box' },
      { _id: 'sa-3', provider: 'aws', name: 'web-1' },
      { _id: 'sa-4', provider: 'gcp', name: 'web.1' },
    ];
    expect(docs.filter((d) => matches(d, filter)).map((d) => d._id)).toEqual(['sa-web.1', 'sa-2']);
  });

  it('keyword errors: too long, or a resource without keyword fields', () => {
    expect(invalid(() => compileQuery(query({ keyword: 'k'.repeat(257) }), schema)).field).toBe('query.keyword');
    const bare: QuerySchema = { resource: 'thing', fields: { name: 'string' } };
    const e = invalid(() => compileQuery(query({ keyword: 'x' }), bare));
    expect(e.field).toBe('query.keyword');
    expect(e.message).toContain('thing has no keyword search');
    expect(compileQuery(query({ keyword: '   ' }), bare).filter).toEqual({});
  });

  it('errors name the index within filter and filter_or', () => {
    const q = query({ filter: [cond('name', 'a'), cond('name', 'b'), cond('bogus', 1)] });
    expect(invalid(() => compileQuery(q, schema)).field).toBe('query.filter[2].k');
    const q2 = query({ filterOr: [cond('name', 'a'), cond('cost', 'x')] });
    expect(invalid(() => compileQuery(q2, schema)).field).toBe('query.filter_or[1].v');
  });

  it('the error path prefix can be changed for requests whose filter is not under "query"', () => {
    expect(invalid(() => compileConditions([cond('x', 1)], [], schema, { path: '' })).field).toBe('filter[0].k');
    expect(invalid(() => compileQuery(query({ page: { start: 1, limit: 5000 } }), schema, { path: 'q' })).field).toBe('q.page.limit');
  });

  it('at most 50 conditions in filter and filter_or together', () => {
    const fifty = Array.from({ length: 50 }, (_, i) => cond('name', `n${i}`));
    expect(compileQuery(query({ filter: fifty }), schema).filter.$and).toHaveLength(50);
    expect(compileQuery(query({ filter: fifty.slice(25), filterOr: fifty.slice(25) }), schema)).toBeDefined();
    const e = invalid(() => compileQuery(query({ filter: [...fifty, cond('name', 'x')] }), schema));
    expect(e.field).toBe('query.filter');
    expect(e.reason).toBe('QUERY.TOO_MANY_CONDITIONS');
    expect(invalid(() => compileQuery(query({ filter: fifty.slice(1), filterOr: fifty.slice(0, 2) }), schema)).field).toBe(
      'query.filter_or',
    );
  });

  it('domain_id in a user filter is just another AND term', () => {
    const s: QuerySchema = { resource: 'x', fields: { domain_id: 'string' } };
    expect(compileQuery(query({ filter: [cond('domain_id', 'domain-other')] }), s).filter).toEqual({
      domain_id: { $eq: 'domain-other' },
    });
  });
});

describe('compileQuery: paging', () => {
  const page = (start: number, limit: number) => compileQuery(query({ page: { start, limit } }), schema).options;

  it.each([
    [0, 0, 0, 100],
    [1, 0, 0, 100],
    [1, 10, 0, 10],
    [11, 10, 10, 10],
    [21, 10, 20, 10],
    [0, 1000, 0, 1000],
    [5, 1, 4, 1],
  ])('start %i limit %i -> skip %i limit %i', (start, limit, skip, lim) => {
    expect(page(start, limit)).toMatchObject({ skip, limit: lim });
  });

  it('a page without start or limit uses the defaults', () => {
    expect(compileQuery(query({ page: undefined }), schema).options).toMatchObject({ skip: 0, limit: 100 });
  });

  it('the default limit is the maximum when the schema names no default', () => {
    const s: QuerySchema = { resource: 'x', fields: { name: 'string' }, maxPageLimit: 20 };
    expect(compileQuery(undefined, s).options.limit).toBe(20);
    const s2: QuerySchema = { resource: 'x', fields: { name: 'string' } };
    expect(compileQuery(undefined, s2).options.limit).toBe(1000);
  });

  it('a limit above the maximum is INVALID_ARGUMENT at query.page.limit', () => {
    const e = invalid(() => page(1, 1001));
    expect(e.field).toBe('query.page.limit');
    expect(e.reason).toBe('QUERY.PAGE_LIMIT_TOO_LARGE');
    expect(e.message).toBe('query.page.limit: 1001 is more than the maximum of 1000');
  });

  it('negative or fractional numbers (from JSON) are refused', () => {
    expect(invalid(() => page(-1, 10)).field).toBe('query.page.start');
    expect(invalid(() => page(1.5, 10)).field).toBe('query.page.start');
    expect(invalid(() => page(1, 2.5)).field).toBe('query.page.limit');
  });
});

describe('compileQuery: sort', () => {
  const sortOf = (sort: { key: string; desc: boolean }[]) => compileQuery(query({ sort }), schema).options.sort;

  it('maps keys to stored names and appends _id as the tie-breaker', () => {
    expect(sortOf([{ key: 'cost', desc: true }])).toEqual([
      { field: 'cost', direction: -1 },
      { field: '_id', direction: 1 },
    ]);
    expect(sortOf([{ key: 'service_account_id', desc: true }])).toEqual([{ field: '_id', direction: -1 }]);
    expect(sortOf([{ key: 'tags.env', desc: false }])).toEqual([
      { field: 'tags.env', direction: 1 },
      { field: '_id', direction: 1 },
    ]);
  });

  it('rejects unknown, unsortable and repeated keys at query.sort[i].key', () => {
    expect(invalid(() => sortOf([{ key: 'cost', desc: false }, { key: 'nope', desc: false }])).field).toBe('query.sort[1].key');
    expect(invalid(() => sortOf([{ key: 'tags', desc: false }])).field).toBe('query.sort[0].key');
    expect(invalid(() => sortOf([{ key: 'labels', desc: false }])).field).toBe('query.sort[0].key');
    expect(invalid(() => sortOf([{ key: 'cost', desc: false }, { key: 'cost', desc: true }])).field).toBe('query.sort[1].key');
  });

  it('at most 10 sort keys', () => {
    const keys = ['name', 'provider', 'project_id', 'cost', 'enabled', 'created_at', 'tags.a', 'tags.b', 'tags.c', 'tags.d', 'tags.e'];
    expect(invalid(() => sortOf(keys.map((key) => ({ key, desc: false })))).field).toBe('query.sort');
    expect(sortOf(keys.slice(0, 10).map((key) => ({ key, desc: false })))).toHaveLength(11);
  });
});

describe('compileQuery: only (projection)', () => {
  const only = (fields: string[]) => compileQuery(query({ only: fields }), schema).options.projection;

  it('projects stored top-level names, without duplicates; absent when empty', () => {
    expect(only(['name', 'service_account_id', 'tags', 'name'])).toEqual(['name', '_id', 'tags']);
    expect(only([])).toBeUndefined();
    expect(compileQuery(query({}), schema).options).not.toHaveProperty('projection');
  });

  it('rejects unknown fields and paths inside maps at query.only[i]', () => {
    const e = invalid(() => only(['name', 'secret_data']));
    expect(e.field).toBe('query.only[1]');
    expect(e.message).toContain('unknown field "secret_data"');
    const e2 = invalid(() => only(['tags.env']));
    expect(e2.field).toBe('query.only[0]');
    expect(e2.message).toContain('use "tags"');
  });

  it('at most 100 fields', () => {
    expect(invalid(() => only(Array.from({ length: 101 }, () => 'name'))).field).toBe('query.only');
  });
});

describe('query schemas', () => {
  it('resolves stored names for repositories', () => {
    expect(storedFieldName(schema, 'service_account_id')).toBe('_id');
    expect(storedFieldName(schema, 'tags.env')).toBe('tags.env');
    expect(() => storedFieldName(schema, 'nope')).toThrow(/unknown field/);
  });

  it('maps a renamed map field under its stored prefix', () => {
    const s: QuerySchema = { resource: 'x', fields: { labels: { type: 'map', stored: 'meta_labels' } } };
    expect(compileConditions([cond('labels.team', 'a')], [], s)).toEqual({ 'meta_labels.team': { $eq: 'a' } });
  });

  it('lists at most 30 allowed fields in messages', () => {
    const fields = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`f${i}`, 'string' as const]));
    const e = invalid(() => compileConditions([cond('zzz', 'a')], [], { resource: 'wide', fields }));
    expect(e.message).toContain('(and 10 more)');
  });

  it.each<[string, QuerySchema]>([
    ['bad field name', { resource: 'x', fields: { 'a.b': 'string' } }],
    ['bad stored name', { resource: 'x', fields: { a: { type: 'string', stored: '$a' } } }],
    ['two fields stored alike', { resource: 'x', fields: { a: { type: 'string', stored: '_id' }, b: { type: 'string', stored: '_id' } } }],
    ['values on a non-map', { resource: 'x', fields: { a: { type: 'string', values: 'number' } } }],
    ['unknown keyword field', { resource: 'x', fields: { a: 'string' }, keywordFields: ['b'] }],
    ['non-string keyword field', { resource: 'x', fields: { a: 'number' }, keywordFields: ['a'] }],
    ['unknown default sort', { resource: 'x', fields: { a: 'string' }, defaultSort: [{ key: 'b' }] }],
    ['default limit above max', { resource: 'x', fields: { a: 'string' }, maxPageLimit: 10, defaultPageLimit: 11 }],
    ['zero max limit', { resource: 'x', fields: { a: 'string' }, maxPageLimit: 0 }],
  ])('a broken schema (%s) is a programming error', (_, s) => {
    expect(() => normalizeSchema(s)).toThrow(/query schema "x"/);
  });
});
