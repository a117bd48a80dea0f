import { create, createFileRegistry, fromJson, toBinary, type DescMessage, type JsonValue } from '@bufbuild/protobuf';
import { FieldDescriptorProto_Label, FieldDescriptorProto_Type, FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import { DomainError } from '../../../lib/errors/domain-error';
import { loadDescriptorSet } from '../../../lib/grpc/server';
import { loadPublicApi, type PublicMethod } from '../contract/public-api';
import { decodeRequest } from './json-codec';
import * as fieldPath from './json-field-path';
import { findJsonFault, joinKey } from './json-field-path';

const api = loadPublicApi(loadDescriptorSet());
const { registry } = api;
const route = (path: string): PublicMethod => {
  const m = api.methods.find((x) => x.httpPath === path);
  if (!m) throw new Error(`no route ${path}`);
  return m;
};
const message = (typeName: string): DescMessage => {
  const d = registry.getMessage(typeName);
  if (!d) throw new Error(`no message ${typeName}`);
  return d;
};

/** decodeRequest's INVALID_ARGUMENT for a body, as {field, message, reason}. */
function refusal(path: string, body: unknown): { field?: string; message: string; reason: string } {
  try {
    decodeRequest(route(path), Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)), registry);
  } catch (e) {
    if (e instanceof DomainError && e.kind === 'INVALID_ARGUMENT') return { field: e.field, message: e.message, reason: e.reason };
    throw e;
  }
  throw new Error('expected INVALID_ARGUMENT');
}

const ANALYZE = '/billing/cost/analyze';
const SA_CREATE = '/identity/service-account/create';
const PROJECT_LIST = '/identity/project/list';
const GRANULARITIES = 'GRANULARITY_DAILY, GRANULARITY_MONTHLY, GRANULARITY_YEARLY, GRANULARITY_ACCUMULATED';

/** A file with what the public contract lacks: a map of messages and a repeated enum. */
const synthetic = createFileRegistry(
  create(FileDescriptorProtoSchema, {
    name: 'test/synthetic.proto',
    package: 'test.v1',
    syntax: 'proto3',
    enumType: [{ name: 'Color', value: [{ name: 'COLOR_UNSPECIFIED', number: 0 }, { name: 'COLOR_RED', number: 1 }, { name: 'COLOR_BLUE', number: 2 }] }],
    messageType: [
      { name: 'Inner', field: [{ name: 'count', number: 1, type: FieldDescriptorProto_Type.INT32, label: FieldDescriptorProto_Label.OPTIONAL, jsonName: 'count' }] },
      {
        name: 'Box',
        field: [
          { name: 'boxes', number: 1, type: FieldDescriptorProto_Type.MESSAGE, typeName: '.test.v1.Box.BoxesEntry', label: FieldDescriptorProto_Label.REPEATED, jsonName: 'boxes' },
          { name: 'colors', number: 2, type: FieldDescriptorProto_Type.ENUM, typeName: '.test.v1.Color', label: FieldDescriptorProto_Label.REPEATED, jsonName: 'colors' },
          { name: 'inner_most', number: 3, type: FieldDescriptorProto_Type.MESSAGE, typeName: '.test.v1.Inner', label: FieldDescriptorProto_Label.OPTIONAL, jsonName: 'innerMost' },
        ],
        nestedType: [
          {
            name: 'BoxesEntry',
            options: { mapEntry: true },
            field: [
              { name: 'key', number: 1, type: FieldDescriptorProto_Type.STRING, label: FieldDescriptorProto_Label.OPTIONAL, jsonName: 'key' },
              { name: 'value', number: 2, type: FieldDescriptorProto_Type.MESSAGE, typeName: '.test.v1.Inner', label: FieldDescriptorProto_Label.OPTIONAL, jsonName: 'value' },
            ],
          },
        ],
      },
    ],
  }),
  () => undefined,
);
const Box = synthetic.getMessage('test.v1.Box')!;

describe('gateway JSON codec: where a refused body is wrong', () => {
  it('names an unknown enum value, the value given and the names accepted', () => {
    const bogus = refusal(ANALYZE, { granularity: 'BOGUS' });
    expect(bogus).toEqual({ field: 'granularity', reason: 'GATEWAY.INVALID_JSON_FIELD', message: `granularity: "BOGUS" is not a Granularity value; accepted: ${GRANULARITIES}` });
    const short = refusal(ANALYZE, { granularity: 'MONTHLY' });
    expect(short.field).toBe('granularity');
    expect(short.message).toBe(`granularity: "MONTHLY" is not a Granularity value; accepted: ${GRANULARITIES} (did you mean GRANULARITY_MONTHLY?)`);
    expect(refusal(ANALYZE, { granularity: 1.5 }).message).toMatch(/^granularity: 1\.5 is not a Granularity value; accepted: GRANULARITY_DAILY/);
    expect(refusal(ANALYZE, { granularity: true }).field).toBe('granularity');
  });

  it('names a mistyped Struct field, so data and secret_data are told apart', () => {
    expect(refusal(SA_CREATE, { tags: 'red' })).toMatchObject({ field: 'tags', message: 'tags: expected a JSON object (google.protobuf.Struct), got "red"' });
    expect(refusal(SA_CREATE, { data: 'x' })).toMatchObject({ field: 'data' });
    expect(refusal(SA_CREATE, { secret_data: 'x' })).toMatchObject({ field: 'secret_data' });
    expect(refusal(SA_CREATE, { data: [1] }).message).toBe('data: expected a JSON object (google.protobuf.Struct), got an array');
  });

  it('never shows a secret value, however it is wrong', () => {
    const pem = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----';
    for (const secret of ['hunter2', pem, ['hunter2'], 42]) {
      for (const key of ['secret_data', 'secretData']) {
        const r = refusal(SA_CREATE, { name: 'x', [key]: secret });
        expect(r.field).toBe('secret_data');
        expect(r.message).toMatch(/^secret_data: expected a JSON object \(google\.protobuf\.Struct\), got (a string|an array|a number)/);
        expect(r.message).not.toContain('hunter2');
        expect(r.message).not.toContain('MIIE');
        expect(r.message).not.toContain('42');
      }
    }
    // Another field wrong beside good credentials, echoing one of them: it is censored.
    const other = refusal(SA_CREATE, { tags: 'hunter2hunter2', secret_data: { password: 'hunter2hunter2' } });
    expect(other).toMatchObject({ field: 'tags', message: 'tags: expected a JSON object (google.protobuf.Struct), got "[REDACTED]"' });
    // secret_data under another name (a plugin request) is secret too.
    const verify = findJsonFault(message('tally.plugin.billing.v1.DataSourcePluginServiceVerifyRequest'), { secret_data: 'top-secret-value' }, registry);
    expect(verify?.field).toBe('secret_data');
    expect(verify?.message).not.toContain('top-secret');
  });

  it('gives the full snake_case path of a nested message field', () => {
    expect(refusal(PROJECT_LIST, { query: { page: { start: 'abc' } } })).toMatchObject({ field: 'query.page.start', message: 'query.page.start: expected number (uint32), got "abc"' });
    expect(refusal(PROJECT_LIST, { query: { page: { start: -1 } } }).field).toBe('query.page.start');
    expect(refusal(PROJECT_LIST, { query: 'abc' })).toMatchObject({ field: 'query', message: 'query: expected a JSON object (tally.core.v1.Query), got "abc"' });
    expect(refusal(PROJECT_LIST, { query: { page: [] } })).toMatchObject({ field: 'query.page' });
    expect(refusal('/identity/api-key/create', { expires_at: 'tomorrow' })).toMatchObject({
      field: 'expires_at',
      message: 'expires_at: invalid RFC 3339 string, got "tomorrow"; expected an RFC 3339 string such as "2024-01-31T00:00:00Z" (google.protobuf.Timestamp)',
    });
  });

  it('gives the index of a repeated item, whether its name is snake_case or lowerCamelCase', () => {
    expect(refusal(PROJECT_LIST, { query: { filter: [{ k: 'name', v: 'a', o: 'eq' }, { k: 3 }] } })).toMatchObject({
      field: 'query.filter[1].k',
      message: 'query.filter[1].k: expected string, got 3',
    });
    expect(refusal(PROJECT_LIST, { query: { filterOr: [{ k: 'a' }, { k: 'b' }, { o: false }] } }).field).toBe('query.filter_or[2].o');
    expect(refusal(ANALYZE, { groupBy: ['provider', 7] })).toMatchObject({ field: 'group_by[1]', message: 'group_by[1]: expected string, got 7' });
    expect(refusal(ANALYZE, { group_by: ['provider', null] })).toMatchObject({ field: 'group_by[1]' });
    expect(refusal(ANALYZE, { filter: 'x' })).toMatchObject({ field: 'filter', message: 'filter: expected a JSON array of a JSON object (tally.core.v1.Condition), got "x"' });
    expect(refusal(ANALYZE, { filter: ['x'] })).toMatchObject({ field: 'filter[0]' });
  });

  it('reports an unknown key where it is, as given, with the known fields', () => {
    expect(refusal('/identity/project/create', { name: 'x', colour: 'red' })).toMatchObject({ field: 'colour' });
    const deep = refusal(PROJECT_LIST, { query: { filter: [{ k: 'a', v: 1, o: 'eq', op: 'x' }] } });
    expect(deep).toEqual({ field: 'query.filter[0].op', reason: 'GATEWAY.INVALID_JSON_FIELD', message: 'query.filter[0].op: unknown field of tally.core.v1.Condition; known fields: k, v, o' });
    expect(refusal(PROJECT_LIST, { query: { page: { begin: 1 } } }).field).toBe('query.page.begin');
    expect(refusal(PROJECT_LIST, { query: { 'odd key': 1 } }).field).toBe('query["odd key"]');
  });

  it('names a field given twice under its two names', () => {
    expect(refusal(ANALYZE, { group_by: ['a'], groupBy: ['b'] })).toMatchObject({ field: 'group_by', message: 'group_by: given twice (as "group_by" and "groupBy")' });
  });

  it('walks maps (tags.env, or ["a.b"] for other keys), maps of messages and repeated enums', () => {
    const row = message('tally.plugin.billing.v1.CostRow');
    expect(findJsonFault(row, { tags: { env: 'prod', team: 3 } }, registry)).toEqual({ field: 'tags.team', message: 'tags.team: expected string, got 3' });
    expect(findJsonFault(row, { tags: { 'cost.center': null } }, registry)?.field).toBe('tags["cost.center"]');
    expect(findJsonFault(row, { additionalInfo: 'x' }, registry)?.field).toBe('additional_info');
    expect(findJsonFault(Box, { boxes: { a: { count: 1 }, b: { count: 'many' } } })?.field).toBe('boxes.b.count');
    expect(findJsonFault(Box, { boxes: { a: { counts: 1 } } })?.field).toBe('boxes.a.counts');
    expect(findJsonFault(Box, { colors: ['COLOR_RED', 'GREEN'] })).toEqual({ field: 'colors[1]', message: 'colors[1]: "GREEN" is not a Color value; accepted: COLOR_RED, COLOR_BLUE' });
    expect(findJsonFault(Box, { colors: ['blue'] })?.message).toContain('(did you mean COLOR_BLUE?)');
    expect(findJsonFault(Box, { innerMost: { count: 2 ** 40 } })?.field).toBe('inner_most.count');
    expect(joinKey('', 'a b')).toBe('["a b"]');
  });

  it('finds nothing in a body protobuf-es accepts', () => {
    expect(findJsonFault(Box, { boxes: { a: { count: 1 } }, colors: ['COLOR_RED', 2], innerMost: null })).toBeUndefined();
    const body = { query: { filter: [{ k: 'name', v: { any: ['json', 1, null] }, o: 'eq' }], page: { start: 1, limit: 10 } } };
    expect(findJsonFault(route(PROJECT_LIST).input, body, registry)).toBeUndefined();
  });

  it('leaves the success path as it was: the same bytes, and no walk', () => {
    const spy = jest.spyOn(fieldPath, 'findJsonFault');
    try {
      const body = { granularity: 'GRANULARITY_MONTHLY', start: '2024-01-01', end: '2024-03-31', groupBy: ['provider'], filter: [{ k: 'provider', v: 'aws', o: 'eq' }] };
      const m = route(ANALYZE);
      const bytes = decodeRequest(m, Buffer.from(JSON.stringify(body)), registry);
      expect(Buffer.compare(bytes, Buffer.from(toBinary(m.input, fromJson(m.input, body as JsonValue, { registry }))))).toBe(0);
      expect(decodeRequest(m, Buffer.from(''), registry).length).toBe(0);
      expect(spy).not.toHaveBeenCalled();
      refusal(ANALYZE, { granularity: 'BOGUS' });
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });

  it('keeps malformed JSON and non-object bodies as they were', () => {
    expect(refusal(ANALYZE, '{"granularity": ')).toMatchObject({ reason: 'GATEWAY.MALFORMED_JSON', field: '' });
    expect(refusal(ANALYZE, '[1]')).toMatchObject({ reason: 'GATEWAY.MALFORMED_JSON', field: '' });
  });
});

describe('a refused body of any size', () => {
  it('is INVALID_ARGUMENT, however many secret-named values it holds (no engine limit reached)', () => {
    const many = Array.from({ length: 200_000 }, () => ({ token: 0 }));
    expect(fieldPath.secretValuesOf({ junk: many })).toHaveLength(200_000);
    expect(refusal(PROJECT_LIST, { junk: many })).toMatchObject({ reason: 'GATEWAY.INVALID_JSON_FIELD', field: 'junk' });
  });
});
