import type { Filter } from '../store/port';
import { compileConditions } from './compile';
import { OPERATORS } from './operators';
import { matches } from './testing/match';
import { accountSchema as schema, cond, invalid } from './testing/fixtures';

const one = (k: string, v: unknown, o = ''): Filter => compileConditions([cond(k, v, o)], [], schema);
const err = (k: string, v: unknown, o = '') => invalid(() => one(k, v, o));

const docs = [
  { _id: 'sa-1', name: 'Prod web', provider: 'aws', cost: 10, enabled: true, created_at: new Date('2024-01-01T00:00:00Z'), labels: ['Red', 'blue'], tags: { env: 'prod', tier: 1 } },
  { _id: 'sa-2', name: 'dev (test)', provider: 'google_cloud', cost: 2.5, enabled: false, created_at: new Date('2024-06-01T12:00:00Z'), labels: ['green'], tags: { env: 'dev' } },
  { _id: 'sa-3', name: 'a.b*c', provider: 'azure', cost: -1, created_at: new Date('2025-01-01T00:00:00Z'), labels: [], tags: {} },
  { _id: 'sa-4', provider: 'aws', cost: 0 },
];
const select = (f: Filter) => docs.filter((d) => matches(d, f)).map((d) => d._id);

describe('operators', () => {
  it('knows all 18 SpaceONE operators', () => {
    expect(OPERATORS).toHaveLength(18);
  });

  it('eq (and empty o) compiles to $eq on the stored name', () => {
    expect(one('provider', 'aws')).toEqual({ provider: { $eq: 'aws' } });
    expect(one('provider', 'aws', 'eq')).toEqual({ provider: { $eq: 'aws' } });
    expect(one('service_account_id', 'sa-2')).toEqual({ _id: { $eq: 'sa-2' } });
    expect(one('enabled', false)).toEqual({ enabled: { $eq: false } });
    expect(one('cost', 0)).toEqual({ cost: { $eq: 0 } });
    expect(one('tags.env', 'prod')).toEqual({ 'tags.env': { $eq: 'prod' } });
    expect(one('created_at', '2024-01-01')).toEqual({ created_at: { $eq: new Date('2024-01-01T00:00:00Z') } });
    expect(select(one('provider', 'aws'))).toEqual(['sa-1', 'sa-4']);
    expect(select(one('labels', 'green'))).toEqual(['sa-2']);
  });

  it('eq null matches missing fields; not null matches present ones', () => {
    expect(one('name', null)).toEqual({ name: { $eq: null } });
    expect(select(one('name', null))).toEqual(['sa-4']);
    expect(select(one('name', null, 'not'))).toEqual(['sa-1', 'sa-2', 'sa-3']);
  });

  it('not compiles to $ne', () => {
    expect(one('provider', 'aws', 'not')).toEqual({ provider: { $ne: 'aws' } });
    expect(select(one('provider', 'aws', 'not'))).toEqual(['sa-2', 'sa-3']);
  });

  it.each([
    ['lt', '$lt', ['sa-3', 'sa-4']],
    ['lte', '$lte', ['sa-2', 'sa-3', 'sa-4']],
    ['gt', '$gt', ['sa-1']],
    ['gte', '$gte', ['sa-1', 'sa-2']],
  ])('%s compiles to %s', (o, storeOp, ids) => {
    expect(one('cost', 2.5, o)).toEqual({ cost: { [storeOp]: 2.5 } });
    expect(select(one('cost', 2.5, o))).toEqual(ids);
  });

  it('lt/gt take strings on string fields and ISO strings (as dates) on date-time fields', () => {
    expect(one('name', 'm', 'lt')).toEqual({ name: { $lt: 'm' } });
    expect(one('created_at', '2024-03-01T00:00:00Z', 'gte')).toEqual({ created_at: { $gte: new Date('2024-03-01T00:00:00Z') } });
    expect(select(one('created_at', '2024-03-01T00:00:00Z', 'gte'))).toEqual(['sa-2', 'sa-3']);
  });

  it('in and not_in take lists', () => {
    expect(one('provider', ['aws', 'azure'], 'in')).toEqual({ provider: { $in: ['aws', 'azure'] } });
    expect(select(one('provider', ['aws', 'azure'], 'in'))).toEqual(['sa-1', 'sa-3', 'sa-4']);
    expect(one('provider', ['aws'], 'not_in')).toEqual({ provider: { $nin: ['aws'] } });
    expect(select(one('provider', ['aws'], 'not_in'))).toEqual(['sa-2', 'sa-3']);
    expect(one('cost', [1, 2], 'in')).toEqual({ cost: { $in: [1, 2] } });
    expect(one('created_at', ['2024-01-01'], 'in')).toEqual({ created_at: { $in: [new Date('2024-01-01T00:00:00Z')] } });
    expect(select(one('labels', ['blue', 'green'], 'in'))).toEqual(['sa-1', 'sa-2']);
    expect(select(one('provider', [], 'in'))).toEqual([]);
  });

  it('contain is a case-insensitive, regex-escaped substring', () => {
    expect(one('name', 'PROD', 'contain')).toEqual({ name: { $regex: 'PROD', $options: 'i' } });
    expect(select(one('name', 'PROD', 'contain'))).toEqual(['sa-1']);
    expect(one('name', 'b*c', 'contain')).toEqual({ name: { $regex: 'b\\*c', $options: 'i' } });
    expect(select(one('name', 'b*c', 'contain'))).toEqual(['sa-3']);
    expect(select(one('name', '.', 'contain'))).toEqual(['sa-3']);
    expect(select(one('name', '(test)', 'contain'))).toEqual(['sa-2']);
    expect(select(one('labels', 'RE', 'contain'))).toEqual(['sa-1', 'sa-2']);
  });

  it('not_contain excludes matches case-insensitively and keeps records without the field', () => {
    const f = one('name', 'PROD', 'not_contain');
    expect(select(f)).toEqual(['sa-2', 'sa-3', 'sa-4']);
    expect(select(one('name', '.', 'not_contain'))).toEqual(['sa-1', 'sa-2', 'sa-4']);
  });

  it('contain_in matches any substring; not_contain_in none of them', () => {
    expect(one('name', ['web', 'a.b'], 'contain_in')).toEqual({ name: { $regex: 'web|a\\.b', $options: 'i' } });
    expect(select(one('name', ['WEB', 'a.b'], 'contain_in'))).toEqual(['sa-1', 'sa-3']);
    expect(select(one('name', ['WEB', 'a.b'], 'not_contain_in'))).toEqual(['sa-2', 'sa-4']);
    expect(select(one('name', [], 'contain_in'))).toEqual([]);
    expect(one('name', [], 'not_contain_in')).toEqual({});
  });

  it('exists takes a boolean', () => {
    expect(one('name', true, 'exists')).toEqual({ name: { $exists: true } });
    expect(select(one('name', false, 'exists'))).toEqual(['sa-4']);
    expect(select(one('tags', true, 'exists'))).toEqual(['sa-1', 'sa-2', 'sa-3']);
    expect(select(one('tags.tier', true, 'exists'))).toEqual(['sa-1']);
  });

  it('regex passes a validated pattern through (case-sensitive, as SpaceONE)', () => {
    expect(one('name', '^[Pp]rod', 'regex')).toEqual({ name: { $regex: '^[Pp]rod' } });
    expect(select(one('name', '^prod', 'regex'))).toEqual([]);
    expect(select(one('name', '^[Pp]rod', 'regex'))).toEqual(['sa-1']);
  });

  it.each([
    ['datetime_lt', '$lt', ['sa-1']],
    ['datetime_lte', '$lte', ['sa-1', 'sa-2']],
    ['datetime_gt', '$gt', ['sa-3']],
    ['datetime_gte', '$gte', ['sa-2', 'sa-3']],
  ])('%s compares with a Date', (o, storeOp, ids) => {
    const f = one('created_at', '2024-06-01T14:00:00+02:00', o);
    expect(f).toEqual({ created_at: { [storeOp]: new Date('2024-06-01T12:00:00Z') } });
    expect(select(f)).toEqual(ids);
  });

  it('map values: any scalar under tags, the declared type under typed maps', () => {
    expect(one('tags.tier', 1)).toEqual({ 'tags.tier': { $eq: 1 } });
    expect(one('tags.on', true)).toEqual({ 'tags.on': { $eq: true } });
    expect(one('counters.calls', 3, 'gt')).toEqual({ 'counters.calls': { $gt: 3 } });
    expect(one('data.account.id', '123')).toEqual({ 'data.account.id': { $eq: '123' } });
    expect(err('counters.calls', '3').field).toBe('query.filter[0].v');
    expect(err('names.x', 3).field).toBe('query.filter[0].v');
  });
});

describe('operator errors name the field at fault', () => {
  it('unknown field -> .k, listing the allowed fields', () => {
    const e = err('nope', 'x');
    expect(e.field).toBe('query.filter[0].k');
    expect(e.reason).toBe('QUERY.UNKNOWN_FIELD');
    expect(e.message).toContain('unknown field "nope"');
    expect(e.message).toContain('project_id');
    expect(e.message).toContain('tags.<key>');
  });

  it.each([
    { k: '', why: 'an empty name' },
    { k: 'name.first', why: 'a path into a non-map field' },
    { k: '_id', why: 'the stored name instead of the API name' },
    { k: 'constructor', why: 'an Object.prototype member' },
    { k: 'tags.', why: 'an empty map key' },
    { k: 'tags..x', why: 'an empty segment' },
    { k: 'tags.$where', why: 'an operator-looking segment' },
    { k: 'tags.__proto__', why: 'a prototype key' },
    { k: `tags.${'k'.repeat(129)}`, why: 'an over-long map key' },
  ])('rejects $why as a field name', ({ k }) => {
    expect(err(k, 'x').field).toBe('query.filter[0].k');
  });

  it('unknown operator -> .o, listing the operators', () => {
    const e = err('name', 'x', 'like');
    expect(e.field).toBe('query.filter[0].o');
    expect(e.reason).toBe('QUERY.UNKNOWN_OPERATOR');
    expect(e.message).toContain('eq, not, lt');
    expect(err('name', 'x', 'EQ').field).toBe('query.filter[0].o');
    expect(err('name', 'x', '$eq').field).toBe('query.filter[0].o');
  });

  it.each([
    ['cost', 'contain', 1],
    ['enabled', 'lt', true],
    ['enabled', 'regex', 'x'],
    ['name', 'datetime_lt', '2024-01-01'],
    ['tags', 'eq', 'x'],
    ['labels', 'not_contain', 'x'],
    ['labels', 'not_contain_in', ['x']],
    ['labels', 'lt', 'x'],
  ])('%s does not take %s -> .o', (k, o, v) => {
    const e = err(k, v, o);
    expect(e.field).toBe('query.filter[0].o');
    expect(e.reason).toBe('QUERY.OPERATOR_NOT_ALLOWED');
    expect(e.message).toContain('allowed:');
  });

  it.each<[string, string, unknown, string]>([
    ['eq', 'name', ['a'], 'a list for eq'],
    ['eq', 'name', 5, 'a number for a string field'],
    ['eq', 'name', undefined, 'no value'],
    ['eq', 'name', { $ne: 1 }, 'an object (operator injection)'],
    ['eq', 'cost', '5', 'a string for a number field'],
    ['eq', 'enabled', 'true', 'a string for a boolean field'],
    ['eq', 'labels', ['a'], 'a list for a list field'],
    ['not', 'cost', true, 'a boolean for a number field'],
    ['lt', 'cost', null, 'null for lt'],
    ['gt', 'name', 1, 'a number for a string field'],
    ['gte', 'tags.x', true, 'a boolean for an ordered comparison'],
    ['in', 'name', 'a', 'a non-list for in'],
    ['not_in', 'name', 'a', 'a non-list for not_in'],
    ['contain', 'name', 1, 'a number for contain'],
    ['contain', 'name', ['a'], 'a list for contain'],
    ['not_contain', 'name', null, 'null for not_contain'],
    ['contain_in', 'name', 'a', 'a non-list for contain_in'],
    ['not_contain_in', 'name', 'a', 'a non-list for not_contain_in'],
    ['exists', 'name', 'true', 'a string for exists'],
    ['exists', 'name', undefined, 'no value for exists'],
    ['regex', 'name', 1, 'a number for regex'],
    ['regex', 'name', '', 'an empty regex'],
    ['datetime_lt', 'created_at', 1714521600000, 'a number for a date'],
  ])('%s on %s rejects %j (%s) -> .v', (o, k, v) => {
    const e = err(k, v, o);
    expect(e.field).toBe('query.filter[0].v');
    expect(e.message).toContain('query.filter[0].v');
  });

  it('a bad element of a list names its index', () => {
    expect(err('provider', ['aws', 3], 'in').field).toBe('query.filter[0].v[1]');
    expect(err('name', ['a', 'b', null], 'contain_in').field).toBe('query.filter[0].v[2]');
    expect(err('created_at', ['2024-01-01', 'yesterday'], 'in').field).toBe('query.filter[0].v[1]');
  });

  it('wrong-type messages say what is needed and what was given', () => {
    expect(err('cost', '5').message).toBe(
      'query.filter[0].v: "cost" is a number field; eq needs a number (or null), got a string',
    );
    expect(err('name', ['a']).message).toContain('got a list');
  });

  it.each(['2024-13-01', '2024-02-30', '2023-02-29', 'yesterday', '2024-05-01T25:00:00Z', '2024-05-01 10:00', '1714521600'])(
    'bad date %j -> INVALID_DATETIME at .v',
    (v) => {
      const e = err('created_at', v, 'datetime_gte');
      expect(e.field).toBe('query.filter[0].v');
      expect(e.reason).toBe('QUERY.INVALID_DATETIME');
    },
  );

  it('invalid regex -> INVALID_REGEX at .v', () => {
    const e = err('name', '([a-z]', 'regex');
    expect(e.field).toBe('query.filter[0].v');
    expect(e.reason).toBe('QUERY.INVALID_REGEX');
    expect(e.message).toContain('not a valid regular expression');
  });

  it.each(['(a+)+$', '(a*)*', '(x|xx)+y', '(?:a+){2,}', '(a+){10}'])('regex %j with nested repetition is refused', (p) => {
    expect(err('name', p, 'regex').reason).toBe('QUERY.INVALID_REGEX');
  });

  it('regex longer than 256 characters is refused; 256 is fine', () => {
    expect(one('name', 'a'.repeat(256), 'regex')).toEqual({ name: { $regex: 'a'.repeat(256) } });
    const e = err('name', 'a'.repeat(257), 'regex');
    expect(e.field).toBe('query.filter[0].v');
    expect(e.reason).toBe('QUERY.REGEX_TOO_LONG');
  });

  it('bounds string values, substrings and list sizes', () => {
    expect(err('name', 'x'.repeat(1025)).reason).toBe('QUERY.VALUE_TOO_LONG');
    expect(one('name', 'x'.repeat(1024))).toBeDefined();
    expect(err('name', 'x'.repeat(257), 'contain').reason).toBe('QUERY.VALUE_TOO_LONG');
    expect(err('name', Array.from({ length: 1001 }, (_, i) => `v${i}`), 'in').reason).toBe('QUERY.TOO_MANY_VALUES');
    expect(one('name', Array.from({ length: 1000 }, (_, i) => `v${i}`), 'in')).toBeDefined();
    expect(err('name', Array.from({ length: 20 }, () => 'x'.repeat(250)), 'contain_in').reason).toBe('QUERY.VALUE_TOO_LONG');
  });

  it('a missing condition is refused', () => {
    expect(invalid(() => compileConditions([null as never], [], schema)).field).toBe('query.filter[0]');
  });
});
