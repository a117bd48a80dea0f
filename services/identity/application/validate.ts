import { invalidArgument } from '../../../lib/errors/domain-error';

const MAX_NAME = 200;
const MAX_TAGS = 50;
const MAX_TAGS_BYTES = 16 * 1024;

/** A trimmed, non-empty name of at most 200 characters. */
export function checkName(value: string | undefined, field: string): string {
  const name = (value ?? '').trim();
  if (!name) throw invalidArgument('FIELD.REQUIRED', field, `${field} is required`);
  if (name.length > MAX_NAME) throw invalidArgument('FIELD.TOO_LONG', field, `${field} must be at most ${MAX_NAME} characters`);
  return name;
}

/** Tags: at most 50 keys of simple values, 16 KiB in all. */
export function checkTags(tags: Record<string, unknown> | undefined, field = 'tags'): Record<string, unknown> {
  if (!tags) return {};
  const keys = Object.keys(tags);
  if (keys.length > MAX_TAGS) throw invalidArgument('TAGS.TOO_MANY', field, `${field} may hold at most ${MAX_TAGS} keys`);
  for (const k of keys) {
    if (!/^[\w:/-]{1,128}$/.test(k)) {
      throw invalidArgument('TAGS.BAD_KEY', `${field}.${k}`, `${field} keys use letters, digits, _ : / - (no dots), at most 128 characters`);
    }
    const v = tags[k];
    if (v !== null && typeof v === 'object') {
      throw invalidArgument('TAGS.BAD_VALUE', `${field}.${k}`, `${field}.${k} must be a string, number, boolean or null`);
    }
  }
  if (Buffer.byteLength(JSON.stringify(tags)) > MAX_TAGS_BYTES) {
    throw invalidArgument('TAGS.TOO_LARGE', field, `${field} must be at most ${MAX_TAGS_BYTES} bytes`);
  }
  return tags;
}

/** An id parameter that must be given. */
export function requireId(value: string | undefined, field: string): string {
  if (!value) throw invalidArgument('FIELD.REQUIRED', field, `${field} is required`);
  return value;
}
