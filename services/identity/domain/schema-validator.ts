import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { invalidArgument } from '../../../lib/errors/domain-error';

/**
 * Validates account data and credentials against a provider's JSON Schemas. Messages name the
 * field and the rule broken, never the value given (credentials must not reach an error).
 */
const ajv = new Ajv({ allErrors: false, strict: false });
addFormats(ajv);
// Our schemas mark secret inputs with format "password": a UI hint, always valid.
ajv.addFormat('password', true);

const cache = new WeakMap<object, ValidateFunction>();
const MAX_SCHEMA_BYTES = 64 * 1024;

function compiled(schema: Record<string, unknown>): ValidateFunction {
  let fn = cache.get(schema);
  if (!fn) {
    fn = ajv.compile(schema);
    cache.set(schema, fn);
  }
  return fn;
}

function describe(e: ErrorObject): { path: string; message: string } {
  const base = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
  if (e.keyword === 'required') {
    const missing = (e.params as { missingProperty: string }).missingProperty;
    return { path: base ? `${base}.${missing}` : missing, message: 'is required' };
  }
  if (e.keyword === 'additionalProperties') {
    const extra = (e.params as { additionalProperty: string }).additionalProperty;
    return { path: base ? `${base}.${extra}` : extra, message: 'is not a known field' };
  }
  if (e.keyword === 'pattern') return { path: base, message: 'has the wrong form' };
  if (e.keyword === 'enum') {
    return { path: base, message: `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}` };
  }
  return { path: base, message: e.message ?? 'is invalid' };
}

/** Throws INVALID_ARGUMENT naming `<field>.<property>` when value breaks schema. */
export function validateAgainst(schema: Record<string, unknown>, value: Record<string, unknown>, field: string): void {
  const fn = compiled(schema);
  if (fn(value)) return;
  const { path, message } = describe(fn.errors![0]);
  const full = path ? `${field}.${path}` : field;
  throw invalidArgument('SCHEMA.INVALID', full, `${full} ${message}`);
}

/** Throws INVALID_ARGUMENT when a provider's schema is not a usable JSON Schema. */
export function checkSchema(schema: Record<string, unknown> | undefined, field: string): Record<string, unknown> {
  if (!schema || Object.keys(schema).length === 0) {
    return { type: 'object', additionalProperties: true };
  }
  if (Buffer.byteLength(JSON.stringify(schema)) > MAX_SCHEMA_BYTES) {
    throw invalidArgument('SCHEMA.TOO_LARGE', field, `${field} is larger than ${MAX_SCHEMA_BYTES} bytes`);
  }
  if (schema.type !== 'object') {
    throw invalidArgument('SCHEMA.NOT_OBJECT', field, `${field} must describe an object (type: object)`);
  }
  try {
    ajv.compile(schema);
  } catch (e) {
    throw invalidArgument('SCHEMA.INVALID', field, `${field} is not a valid JSON Schema: ${(e as Error).message}`);
  }
  return schema;
}
