import { invalidArgument } from '../errors/domain-error';
import { QUERY_LIMITS } from './limits';

/** Types a queryable field may have. */
export type ScalarFieldType = 'string' | 'number' | 'boolean' | 'datetime';
/**
 * `string[]`: a list of strings (eq / in match when any element matches).
 * `map`: an open object such as `tags` or `data`; any `<name>.<key>` path is queryable.
 */
export type FieldType = ScalarFieldType | 'string[]' | 'map';
/** What the values inside a map may be: `any` accepts strings, numbers and booleans. */
export type MapValueType = 'string' | 'number' | 'any';

export interface FieldSpec {
  type: FieldType;
  /** The stored field name when it differs from the API name (service_account_id -> _id). */
  stored?: string;
  /** For maps only: the type of the values under the map (default any). */
  values?: MapValueType;
}

export interface SortKey {
  key: string;
  desc?: boolean;
}

/** Describes one resource to the query compiler. Field names are the API's (snake_case). */
export interface QuerySchema {
  /** Resource name used in messages, e.g. "service account". */
  resource: string;
  fields: Readonly<Record<string, FieldType | FieldSpec>>;
  /** Fields the keyword is matched against (case-insensitive substring). */
  keywordFields?: readonly string[];
  /** Sort when the query names none; _id is always appended as the final tie-breaker. */
  defaultSort?: readonly SortKey[];
  /** Largest page.limit accepted (default 1000). */
  maxPageLimit?: number;
  /** page.limit used when the query gives none (default maxPageLimit). */
  defaultPageLimit?: number;
}

/**
 * The type of a resolved field path. Map entries (tags.env) take the map's value type, with
 * `any` meaning string, number or boolean.
 */
export type ResolvedType = FieldType | 'any';

export interface ResolvedField {
  /** The path as the API names it (tags.env). */
  path: string;
  /** The path as stored (tags.env, or _id for service_account_id). */
  stored: string;
  type: ResolvedType;
  /** True for a path inside a map (tags.env). */
  inMap: boolean;
}

interface NormalizedField {
  name: string;
  type: FieldType;
  stored: string;
  values: MapValueType;
}

export interface NormalizedSchema {
  resource: string;
  fields: ReadonlyMap<string, NormalizedField>;
  keywordFields: readonly ResolvedField[];
  defaultSort: readonly { field: ResolvedField; desc: boolean }[];
  maxPageLimit: number;
  defaultPageLimit: number;
  /** Field names for messages: "name, provider, tags.<key>". */
  allowed: string;
}

const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const STORED_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_LISTED = 30;

const cache = new WeakMap<QuerySchema, NormalizedSchema>();

/** Validates a schema once (a broken schema is a programming error) and caches the result. */
export function normalizeSchema(schema: QuerySchema): NormalizedSchema {
  const hit = cache.get(schema);
  if (hit) return hit;
  const bad = (what: string) => new Error(`query schema "${schema.resource}": ${what}`);
  const fields = new Map<string, NormalizedField>();
  const storedSeen = new Map<string, string>();
  for (const [name, raw] of Object.entries(schema.fields)) {
    const spec: FieldSpec = typeof raw === 'string' ? { type: raw } : raw;
    if (!FIELD_NAME.test(name)) throw bad(`field name "${name}" is not an identifier`);
    const stored = spec.stored ?? name;
    if (!STORED_NAME.test(stored)) throw bad(`stored name "${stored}" of "${name}" is not a plain path`);
    const other = storedSeen.get(stored);
    if (other !== undefined) throw bad(`"${name}" and "${other}" are both stored as "${stored}"`);
    storedSeen.set(stored, name);
    if (spec.values !== undefined && spec.type !== 'map') throw bad(`"${name}" is not a map but sets values`);
    fields.set(name, { name, type: spec.type, stored, values: spec.values ?? 'any' });
  }
  const allowedNames = [...fields.values()].map((f) => (f.type === 'map' ? `${f.name}.<key>` : f.name));
  const allowed =
    allowedNames.length <= MAX_LISTED
      ? allowedNames.join(', ')
      : `${allowedNames.slice(0, MAX_LISTED).join(', ')} (and ${allowedNames.length - MAX_LISTED} more)`;
  const partial = { resource: schema.resource, fields, allowed };
  const mustResolve = (path: string, what: string) => {
    const f = lookupField(partial, path);
    if (typeof f === 'string') throw bad(`${what} "${path}": ${f}`);
    return f;
  };
  const keywordFields = (schema.keywordFields ?? []).map((k) => {
    const f = mustResolve(k, 'keyword field');
    if (f.type !== 'string' && f.type !== 'string[]' && f.type !== 'any')
      throw bad(`keyword field "${k}" is not a string field`);
    return f;
  });
  const defaultSort = (schema.defaultSort ?? []).map((s) => {
    const f = mustResolve(s.key, 'default sort key');
    if (!isSortable(f.type)) throw bad(`default sort key "${s.key}" cannot be sorted on`);
    return { field: f, desc: s.desc === true };
  });
  const maxPageLimit = schema.maxPageLimit ?? QUERY_LIMITS.defaultMaxPageLimit;
  const defaultPageLimit = schema.defaultPageLimit ?? maxPageLimit;
  if (!Number.isSafeInteger(maxPageLimit) || maxPageLimit < 1) throw bad('maxPageLimit must be a positive integer');
  if (!Number.isSafeInteger(defaultPageLimit) || defaultPageLimit < 1 || defaultPageLimit > maxPageLimit)
    throw bad('defaultPageLimit must be a positive integer no larger than maxPageLimit');
  const normalized: NormalizedSchema = {
    ...partial,
    keywordFields,
    defaultSort,
    maxPageLimit,
    defaultPageLimit,
  };
  cache.set(schema, normalized);
  return normalized;
}

/** Field types that have a meaningful order (sort, lt/gt, group keys). */
export const isSortable = (t: ResolvedType) => t === 'string' || t === 'number' || t === 'boolean' || t === 'datetime' || t === 'any';

/** Resolves an API path, or returns why it cannot be. */
function lookupField(
  schema: Pick<NormalizedSchema, 'fields' | 'allowed' | 'resource'>,
  path: string,
): ResolvedField | string {
  if (typeof path !== 'string' || path === '') return `a field name is required; allowed: ${schema.allowed}`;
  const direct = schema.fields.has(path) ? schema.fields.get(path) : undefined;
  if (direct) return { path, stored: direct.stored, type: direct.type, inMap: false };
  const dot = path.indexOf('.');
  const head = dot > 0 ? path.slice(0, dot) : undefined;
  const map = head !== undefined && schema.fields.has(head) ? schema.fields.get(head) : undefined;
  if (!map || map.type !== 'map') {
    return `unknown field "${clip(path)}" for ${schema.resource}; allowed: ${schema.allowed}`;
  }
  const key = path.slice(dot + 1);
  if (key.length > QUERY_LIMITS.maxMapKeyLength)
    return `the key after "${head}." is longer than ${QUERY_LIMITS.maxMapKeyLength} characters`;
  for (const seg of key.split('.')) {
    if (seg === '') return `"${clip(path)}" has an empty path segment`;
    if (seg.startsWith('$')) return `"${clip(path)}": path segments may not start with "$"`;
    if (FORBIDDEN_SEGMENTS.has(seg)) return `"${clip(path)}": "${seg}" is not allowed as a key`;
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f]/.test(seg)) return `"${clip(path)}" contains control characters`;
  }
  return { path, stored: `${map.stored}.${key}`, type: map.values, inMap: true };
}

/** Resolves an API field path, throwing INVALID_ARGUMENT at errField when it is not allowed. */
export function resolveField(schema: NormalizedSchema, path: unknown, errField: string): ResolvedField {
  const f = lookupField(schema, path as string);
  if (typeof f === 'string') {
    throw invalidArgument('QUERY.UNKNOWN_FIELD', errField, `${errField}: ${f}`);
  }
  return f;
}

/** The stored name of an API field (service_account_id -> _id); for repositories. */
export function storedFieldName(schema: QuerySchema, apiField: string): string {
  const n = normalizeSchema(schema);
  const f = lookupField(n, apiField);
  if (typeof f === 'string') throw new Error(`query schema "${schema.resource}": ${f}`);
  return f.stored;
}

/** Shortens user text quoted in messages. */
export function clip(s: string, max = 64): string {
  return s.length <= max ? s : `${s.slice(0, max)}...`;
}
