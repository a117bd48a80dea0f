import { fromJson, ScalarType, type DescEnum, type DescField, type DescMessage, type JsonValue, type Registry } from '@bufbuild/protobuf';
import { isFieldError } from '@bufbuild/protobuf/reflect';
import { hasCustomJsonRepresentation } from '@bufbuild/protobuf/wkt';

/**
 * Finds where a JSON request body fails to decode, after protobuf-es `fromJson` refused it.
 *
 * Only called on the error path. The JSON is walked alongside the message descriptor; for each
 * key, protobuf-es itself re-decodes that one field (`{key: value}` into the enclosing message), so
 * validity is decided by the one decoder the gateway uses; the walk only says where. Failing
 * message, repeated and map values are entered to report the deepest failing path.
 *
 * Paths are in proto (snake_case) names whatever the body used, as the backends write them:
 * `query.filter[0].k`, `query.page.start`, list items `[i]`, map entries `tags.env`
 * (or `tags["a.b"]` when the key is not a plain name). Unknown keys are reported as given.
 *
 * Values under a secret field (secret_data, ...) never appear in a message: only their JSON type.
 */
export interface JsonFault {
  /** The path of the field at fault, e.g. `query.filter[0].k`. */
  field: string;
  /** `<field>: <what is wrong>`. */
  message: string;
}

/**
 * Field names whose values are credentials. The gateway logger's redaction list also has `key`,
 * left out here: in the public contract it names sort keys (tally.core.v1.Sort.key), not secrets.
 */
const SECRET_FIELD_NAMES: ReadonlySet<string> = new Set(['secret_data', 'private_key', 'credentials', 'password', 'token', 'data_key']);

const MAX_DEPTH = 100;
const MAX_LISTED_FIELDS = 20;

type Json = JsonValue;
type JsonObj = { [k: string]: Json };

const isObject = (v: unknown): v is JsonObj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The JSON type of a value, never the value itself. */
function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  switch (typeof v) {
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'a boolean';
    case 'object':
      return 'an object';
    default:
      return typeof v;
  }
}

/** A value as a user may see it again (clipped), or only its type when it is secret. */
function shown(v: unknown, secret: boolean): string {
  if (secret) return `${kindOf(v)} (not shown: secret)`;
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  return kindOf(v);
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

function joinField(base: string, name: string): string {
  return base === '' ? name : `${base}.${name}`;
}

/** A map or Struct entry: `tags.env`, or `tags["a.b"]` for other keys. */
export function joinKey(base: string, key: string): string {
  return PLAIN_KEY.test(key) ? joinField(base, key) : `${base}[${JSON.stringify(key)}]`;
}

/** The JSON form each well-known type takes. */
const WKT_SHAPE: Record<string, string> = {
  'google.protobuf.Struct': 'a JSON object',
  'google.protobuf.ListValue': 'a JSON array',
  'google.protobuf.Value': 'any JSON value',
  'google.protobuf.Timestamp': 'an RFC 3339 string such as "2024-01-31T00:00:00Z"',
  'google.protobuf.Duration': 'a string of seconds such as "1.5s"',
  'google.protobuf.FieldMask': 'a string of comma-separated lowerCamelCase paths',
  'google.protobuf.Any': 'a JSON object with "@type"',
};

function scalarName(t: ScalarType): string {
  return (ScalarType[t] ?? 'scalar').toLowerCase();
}

/** What a field (or one of its items or map values) expects, in words. */
function expected(field: DescField): string {
  if (field.enum) return `one of ${acceptedEnumNames(field.enum).join(', ')}`;
  if (field.message) return WKT_SHAPE[field.message.typeName] ?? `a JSON object (${field.message.typeName})`;
  if (field.scalar !== undefined) return scalarName(field.scalar);
  return 'another value';
}

/** The enum names the decoder accepts (JSON name and proto name), without the unset zero value. */
function acceptedEnumNames(e: DescEnum): string[] {
  const names: string[] = [];
  for (const v of e.values) {
    if (v.number === 0 && v.name.endsWith('_UNSPECIFIED')) continue;
    for (const n of [v.jsonName, v.name]) if (!names.includes(n)) names.push(n);
  }
  return names;
}

function enumMessage(e: DescEnum, value: unknown, secret: boolean): string {
  const accepted = acceptedEnumNames(e);
  let hint = '';
  if (!secret && typeof value === 'string' && value !== '') {
    const up = value.toUpperCase();
    const close = accepted.filter((n) => n === up || n.endsWith(`_${up}`));
    if (close.length === 1) hint = ` (did you mean ${close[0]}?)`;
  }
  return `${shown(value, secret)} is not a ${e.name} value; accepted: ${accepted.join(', ')}${hint}`;
}

/** protobuf-es's reason for a refusal, without its "cannot decode ... from JSON" preamble. */
function reasonOf(err: unknown): string {
  const cause = (err as { cause?: unknown }).cause;
  const raw = isFieldError(cause) ? cause.message : err instanceof Error ? err.message : String(err);
  return raw
    .replace(/^cannot decode (?:field|message|enum) [\w.]+ from JSON:? ?/, '')
    .replace(/^list item #\d+: /, '')
    .replace(/^map entry .*?: (?=expected)/, '');
}

class Walker {
  constructor(private readonly registry: Registry | undefined) {}

  /** Does protobuf-es accept `json` as a `desc`? The error when it does not. */
  private refusal(desc: DescMessage, json: Json): unknown {
    try {
      fromJson(desc, json, { registry: this.registry });
      return undefined;
    } catch (e) {
      return e;
    }
  }

  private fault(path: string, what: string): JsonFault {
    return { field: path, message: path === '' ? what : `${path}: ${what}` };
  }

  /** A value of a message type, known to be refused (or to be checked when `err` is undefined). */
  message(desc: DescMessage, json: Json, path: string, secret: boolean, depth: number, err?: unknown): JsonFault | undefined {
    if (depth > MAX_DEPTH) return undefined;
    if (hasCustomJsonRepresentation(desc)) {
      const refused = err ?? this.refusal(desc, json);
      if (refused === undefined) return undefined;
      const shape = WKT_SHAPE[desc.typeName];
      if (shape !== undefined) {
        const wrongShape = shapeMismatch(desc.typeName, json);
        if (wrongShape || secret) return this.fault(path, `expected ${shape} (${desc.typeName}), got ${secret ? kindOf(json) : shown(json, false)}`);
        return this.fault(path, `${reasonOf(refused)}, got ${shown(json, false)}; expected ${shape} (${desc.typeName})`);
      }
      // A wrapper (StringValue, ...): the unwrapped scalar.
      const inner = desc.fields[0];
      if (secret && inner) return this.fault(path, `expected ${expected(inner)}, got ${kindOf(json)}`);
      return this.fault(path, reasonOf(refused));
    }
    if (!isObject(json)) return this.fault(path, `expected a JSON object (${desc.typeName}), got ${shown(json, secret)}`);

    const byKey = new Map<string, DescField>();
    for (const f of desc.fields) byKey.set(f.name, f).set(f.jsonName, f);
    const seen = new Map<DescField, string>();
    const oneofSeen = new Map<string, DescField>();
    for (const key of Object.keys(json)) {
      const value = json[key];
      const field = byKey.get(key);
      if (!field) {
        // Unknown to the message, unless protobuf-es takes it (an extension "[pkg.ext]").
        if (this.refusal(desc, { [key]: value }) === undefined) continue;
        const known = desc.fields.map((f) => f.name);
        const list = known.length > MAX_LISTED_FIELDS ? `${known.slice(0, MAX_LISTED_FIELDS).join(', ')}, …` : known.join(', ');
        return this.fault(joinKey(path, key), `unknown field of ${desc.typeName}${known.length ? `; known fields: ${list}` : ''}`);
      }
      const at = joinField(path, field.name);
      const before = seen.get(field);
      if (before !== undefined) return this.fault(at, `given twice (as "${before}" and "${key}")`);
      seen.set(field, key);
      if (field.oneof && !(value === null && field.fieldKind === 'scalar')) {
        const other = oneofSeen.get(field.oneof.name);
        if (other) return this.fault(at, `only one of ${field.oneof.fields.map((f) => f.name).join(', ')} may be set (${other.name} is too)`);
        oneofSeen.set(field.oneof.name, field);
      }
      const found = this.field(desc, field, key, value, at, secret || SECRET_FIELD_NAMES.has(field.name), depth);
      if (found) return found;
    }
    return undefined;
  }

  /** One field of `parent`, given as `key`: protobuf-es decodes `{key: value}` alone. */
  private field(parent: DescMessage, field: DescField, key: string, value: Json, at: string, secret: boolean, depth: number): JsonFault | undefined {
    const err = this.refusal(parent, { [key]: value });
    if (err === undefined) return undefined;
    switch (field.fieldKind) {
      case 'scalar':
      case 'enum':
        return this.single(field, value, at, secret, err);
      case 'message':
        return this.message(field.message, value, at, secret, depth + 1) ?? this.fault(at, secret ? `expected ${expected(field)}` : reasonOf(err));
      case 'list': {
        if (!Array.isArray(value)) return this.fault(at, `expected a JSON array of ${expected(field)}, got ${shown(value, secret)}`);
        for (let i = 0; i < value.length; i++) {
          const item = value[i];
          const itemErr = this.refusal(parent, { [key]: [item] });
          if (itemErr === undefined) continue;
          const itemAt = `${at}[${i}]`;
          if (item === null) return this.fault(itemAt, `must not be null; expected ${expected(field)}`);
          if (field.listKind === 'message') return this.message(field.message, item, itemAt, secret, depth + 1) ?? this.fault(itemAt, reasonOf(itemErr));
          return this.single(field, item, itemAt, secret, itemErr);
        }
        return this.fault(at, secret ? `expected a JSON array of ${expected(field)}` : reasonOf(err));
      }
      case 'map': {
        if (!isObject(value)) return this.fault(at, `expected a JSON object of ${expected(field)}, got ${shown(value, secret)}`);
        for (const k of Object.keys(value)) {
          const entry = value[k];
          const entryErr = this.refusal(parent, { [key]: { [k]: entry } });
          if (entryErr === undefined) continue;
          const entryAt = joinKey(at, k);
          if (entry === null) return this.fault(entryAt, `must not be null; expected ${expected(field)}`);
          if (field.mapKind === 'message') return this.message(field.message, entry, entryAt, secret, depth + 1) ?? this.fault(entryAt, reasonOf(entryErr));
          return this.single(field, entry, entryAt, secret, entryErr);
        }
        // Each entry decodes alone: the keys clash ("01" and "1") or a key is of the wrong type.
        return this.fault(at, secret ? `expected a JSON object of ${expected(field)}` : reasonOf(err));
      }
    }
  }

  /** A scalar or enum value (a field, a list item or a map value) protobuf-es refused. */
  private single(field: DescField, value: Json, at: string, secret: boolean, err: unknown): JsonFault {
    const e = field.enum;
    // A name it does not know, or no name at all; an integer it refuses keeps protobuf-es's reason.
    if (e && (typeof value !== 'number' || !Number.isInteger(value))) {
      return this.fault(at, enumMessage(e, value, secret));
    }
    if (secret) return this.fault(at, `expected ${expected(field)}, got ${kindOf(value)}`);
    return this.fault(at, reasonOf(err));
  }
}

function shapeMismatch(typeName: string, json: Json): boolean {
  switch (typeName) {
    case 'google.protobuf.Struct':
    case 'google.protobuf.Any':
      return !isObject(json);
    case 'google.protobuf.ListValue':
      return !Array.isArray(json);
    case 'google.protobuf.Timestamp':
    case 'google.protobuf.Duration':
    case 'google.protobuf.FieldMask':
      return typeof json !== 'string';
    default:
      return false;
  }
}

/**
 * The deepest field of `json` that protobuf-es refuses as part of a `desc`, or undefined when the
 * walk finds none (protobuf-es then accepts the body, or refuses it as a whole).
 */
export function findJsonFault(desc: DescMessage, json: JsonValue, registry?: Registry): JsonFault | undefined {
  return new Walker(registry).message(desc, json, '', false, 0);
}

/** Every value under a secret field of a JSON body, for scrubbing text that might echo one. */
export function secretValuesOf(json: unknown): unknown[] {
  const out: unknown[] = [];
  const visit = (v: unknown, depth: number): void => {
    if (depth > MAX_DEPTH || v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      for (const x of v) visit(x, depth + 1);
      return;
    }
    for (const [k, x] of Object.entries(v)) {
      const snake = k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
      if (SECRET_FIELD_NAMES.has(k) || SECRET_FIELD_NAMES.has(snake)) out.push(x);
      else visit(x, depth + 1);
    }
  };
  visit(json, 0);
  return out;
}
