import type { StatQuery } from '../../gen/tally/core/v1/query';
import { compareValues, compileStatQuery, pageGroups } from './stat';
import { accountSchema as schema, cond, invalid } from './testing/fixtures';

const stat = (q: Partial<StatQuery>): StatQuery => ({ filter: [], filterOr: [], groupBy: [], fields: [], sort: [], ...q });
const field = (name: string, operator: string, key = '') => ({ name, operator, key });

describe('compileStatQuery', () => {
  it('compiles group keys to stored names and fields to accumulators', () => {
    const c = compileStatQuery(
      stat({
        filter: [cond('provider', 'aws')],
        groupBy: ['project_id', 'service_account_id', 'tags.env'],
        fields: [
          field('n', 'count'),
          field('total', 'sum', 'cost'),
          field('first', 'min', 'created_at'),
          field('most', 'max', 'cost'),
          field('providers', 'add_to_set', 'provider'),
        ],
        page: { start: 3, limit: 2 },
      }),
      schema,
    );
    expect(c.filter).toEqual({ provider: { $eq: 'aws' } });
    expect(c.group).toEqual({
      keys: ['project_id', '_id', 'tags.env'],
      accumulators: {
        n: { op: 'count' },
        total: { op: 'sum', field: 'cost' },
        first: { op: 'min', field: 'created_at' },
        most: { op: 'max', field: 'cost' },
        providers: { op: 'addToSet', field: 'provider' },
      },
    });
    expect(c.keys).toEqual([
      { name: 'project_id', stored: 'project_id' },
      { name: 'service_account_id', stored: '_id' },
      { name: 'tags.env', stored: 'tags.env' },
    ]);
    expect(c.sort).toEqual([
      { field: 'project_id', direction: 1 },
      { field: 'service_account_id', direction: 1 },
      { field: 'tags.env', direction: 1 },
    ]);
    expect([c.skip, c.limit]).toEqual([2, 2]);
  });

  it('sorts by fields or keys as asked, with the group keys as tie-breakers', () => {
    const c = compileStatQuery(
      stat({ groupBy: ['provider', 'project_id'], fields: [field('total', 'sum', 'cost')], sort: [{ key: 'total', desc: true }, { key: 'project_id', desc: false }] }),
      schema,
    );
    expect(c.sort).toEqual([
      { field: 'total', direction: -1 },
      { field: 'project_id', direction: 1 },
      { field: 'provider', direction: 1 },
    ]);
  });

  it('a query with no group keys is one group over everything', () => {
    const c = compileStatQuery(stat({ fields: [field('n', 'count')] }), schema);
    expect(c.group).toEqual({ keys: [], accumulators: { n: { op: 'count' } } });
    expect(c.sort).toEqual([]);
  });

  it.each<[string, Partial<StatQuery>, string, string?]>([
    ['unknown group key', { groupBy: ['provider', 'nope'] }, 'query.group_by[1]', 'QUERY.UNKNOWN_FIELD'],
    ['a whole map as group key', { groupBy: ['tags'] }, 'query.group_by[0]', 'QUERY.INVALID_GROUP_BY'],
    ['a list field as group key', { groupBy: ['labels'] }, 'query.group_by[0]', 'QUERY.INVALID_GROUP_BY'],
    ['a repeated group key', { groupBy: ['provider', 'provider'] }, 'query.group_by[1]', 'QUERY.INVALID_GROUP_BY'],
    ['too many group keys', { groupBy: Array.from({ length: 11 }, (_, i) => `tags.k${i}`) }, 'query.group_by'],
    ['nothing to compute', {}, 'query.fields', 'QUERY.EMPTY_STAT'],
    ['unknown operator', { fields: [field('x', 'avg', 'cost')] }, 'query.fields[0].operator', 'QUERY.UNKNOWN_OPERATOR'],
    ['empty operator', { fields: [field('x', '', 'cost')] }, 'query.fields[0].operator'],
    ['empty name', { fields: [field('', 'count')] }, 'query.fields[0].name'],
    ['a dotted name', { fields: [field('a.b', 'count')] }, 'query.fields[0].name'],
    ['a $ name', { fields: [field('$x', 'count')] }, 'query.fields[0].name'],
    ['a name starting with _', { fields: [field('_id', 'count')] }, 'query.fields[0].name'],
    ['a 65-character name', { fields: [field(`a${'b'.repeat(64)}`, 'count')] }, 'query.fields[0].name'],
    ['a repeated name', { fields: [field('n', 'count'), field('n', 'sum', 'cost')] }, 'query.fields[1].name'],
    ['a name equal to a group key', { groupBy: ['provider'], fields: [field('provider', 'count')] }, 'query.fields[0].name'],
    ['count with a key', { fields: [field('n', 'count', 'cost')] }, 'query.fields[0].key'],
    ['sum without a key', { fields: [field('t', 'sum')] }, 'query.fields[0].key'],
    ['sum of an unknown field', { fields: [field('t', 'sum', 'price')] }, 'query.fields[0].key', 'QUERY.UNKNOWN_FIELD'],
    ['sum of a string field', { fields: [field('t', 'sum', 'name')] }, 'query.fields[0].key', 'QUERY.INVALID_STAT_FIELD'],
    ['sum of a date-time field', { fields: [field('t', 'sum', 'created_at')] }, 'query.fields[0].key'],
    ['sum of an untyped map value', { fields: [field('t', 'sum', 'tags.n')] }, 'query.fields[0].key'],
    ['min of a string field', { fields: [field('m', 'min', 'name')] }, 'query.fields[0].key'],
    ['max of a boolean field', { fields: [field('m', 'max', 'enabled')] }, 'query.fields[0].key'],
    ['add_to_set of a list field', { fields: [field('s', 'add_to_set', 'labels')] }, 'query.fields[0].key'],
    ['too many fields', { fields: Array.from({ length: 21 }, (_, i) => field(`f${i}`, 'count')) }, 'query.fields'],
    ['sort by something else', { groupBy: ['provider'], fields: [field('n', 'count')], sort: [{ key: 'cost', desc: false }] }, 'query.sort[0].key', 'QUERY.INVALID_SORT'],
    ['sort by an add_to_set field', { groupBy: ['provider'], fields: [field('s', 'add_to_set', 'name')], sort: [{ key: 's', desc: false }] }, 'query.sort[0].key'],
    ['a repeated sort key', { groupBy: ['provider'], sort: [{ key: 'provider', desc: false }, { key: 'provider', desc: true }] }, 'query.sort'],
    ['a bad filter', { groupBy: ['provider'], filterOr: [cond('cost', 'x')] }, 'query.filter_or[0].v'],
    ['a limit above the maximum', { groupBy: ['provider'], page: { start: 1, limit: 1001 } }, 'query.page.limit'],
  ])('rejects %s', (...[, q, fieldPath, reason]) => {
    const e = invalid(() => compileStatQuery(stat(q), schema));
    expect(e.field).toBe(fieldPath);
    expect(e.message.startsWith(`${fieldPath}:`)).toBe(true);
    if (reason) expect(e.reason).toBe(reason);
  });

  it('accepts sum and max on a number-typed map and add_to_set on any scalar', () => {
    const c = compileStatQuery(
      stat({ fields: [field('calls', 'sum', 'counters.calls'), field('envs', 'add_to_set', 'tags.env'), field('on', 'add_to_set', 'enabled')] }),
      schema,
    );
    expect(c.group.accumulators.calls).toEqual({ op: 'sum', field: 'counters.calls' });
  });

  it('sort errors list the allowed keys', () => {
    const e = invalid(() =>
      compileStatQuery(stat({ groupBy: ['provider'], fields: [field('n', 'count')], sort: [{ key: 'x', desc: false }] }), schema),
    );
    expect(e.message).toContain('allowed: provider, n');
  });
});

describe('pageGroups', () => {
  const compiled = compileStatQuery(
    stat({
      groupBy: ['service_account_id', 'tags.env'],
      fields: [field('total', 'sum', 'cost'), field('n', 'count'), field('last', 'max', 'created_at'), field('names', 'add_to_set', 'name')],
      sort: [{ key: 'total', desc: true }],
      page: { start: 2, limit: 2 },
    }),
    schema,
  );
  const rows = [
    { _id: 'sa-1', 'tags.env': 'prod', total: 5, n: 2, last: new Date('2024-01-02T00:00:00Z'), names: ['a'] },
    { _id: 'sa-2', 'tags.env': null, total: 9, n: 1, last: null, names: [] },
    { _id: 'sa-3', tags: { env: 'dev' }, total: 5, n: 4, last: new Date('2024-03-01T00:00:00Z'), names: ['b', 'c'] },
    { _id: 'sa-0', 'tags.env': 'prod', total: 1 },
  ];

  it('names keys as the API does, sorts, pages and counts all groups', () => {
    const out = pageGroups(rows, compiled);
    expect(out.totalCount).toBe(4);
    expect(out.results).toEqual([
      { service_account_id: 'sa-1', 'tags.env': 'prod', total: 5, n: 2, last: '2024-01-02T00:00:00.000Z', names: ['a'] },
      { service_account_id: 'sa-3', 'tags.env': 'dev', total: 5, n: 4, last: '2024-03-01T00:00:00.000Z', names: ['b', 'c'] },
    ]);
  });

  it('fills missing accumulators (count 0, sets empty, others null) and does not mutate rows', () => {
    const all = pageGroups(rows, { ...compiled, skip: 0, limit: 10 });
    expect(all.results.map((r) => r.service_account_id)).toEqual(['sa-2', 'sa-1', 'sa-3', 'sa-0']);
    expect(all.results[3]).toEqual({ service_account_id: 'sa-0', 'tags.env': 'prod', total: 1, n: 0, last: null, names: [] });
    expect(rows[0].last).toBeInstanceOf(Date);
  });

  it('a page past the end is empty but still counts', () => {
    expect(pageGroups(rows, { ...compiled, skip: 10 })).toEqual({ results: [], totalCount: 4 });
  });

  it('orders values across types as MongoDB does', () => {
    const values = [new Date(5), true, 'b', 2, null, 'a', -1, false];
    expect([...values].sort(compareValues)).toEqual([null, -1, 2, 'a', 'b', false, true, new Date(5)]);
  });
});
