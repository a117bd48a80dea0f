import { invalidArgument } from '../errors/domain-error';

/** Limits every service applies to names and tags. */
export const FIELD_LIMITS = { maxName: 200, maxTags: 50, maxTagKey: 128, maxTagsBytes: 16 * 1024 } as const;

/** A trimmed, non-empty name of at most 200 characters. */
export function checkName(value: string | undefined, field = 'name'): string {
  const name = (value ?? '').trim();
  if (!name) throw invalidArgument('FIELD.REQUIRED', field, `${field} is required`);
  if (name.length > FIELD_LIMITS.maxName) throw invalidArgument('FIELD.TOO_LONG', field, `${field} must be at most ${FIELD_LIMITS.maxName} characters`);
  return name;
}

/** Tags: at most 50 keys (letters, digits, _ : / -) of simple values, 16 KiB in all. */
export function checkTags(tags: Record<string, unknown> | undefined, field = 'tags'): Record<string, unknown> {
  if (!tags) return {};
  if (typeof tags !== 'object' || Array.isArray(tags)) throw invalidArgument('TAGS.INVALID', field, `${field} must be an object`);
  const keys = Object.keys(tags);
  if (keys.length > FIELD_LIMITS.maxTags) throw invalidArgument('TAGS.TOO_MANY', field, `${field} may hold at most ${FIELD_LIMITS.maxTags} keys`);
  for (const k of keys) {
    if (!/^[\w:/-]{1,128}$/.test(k)) {
      throw invalidArgument('TAGS.BAD_KEY', `${field}.${k.slice(0, FIELD_LIMITS.maxTagKey)}`, `${field} keys use letters, digits, _ : / - (no dots), at most 128 characters`);
    }
    const v = tags[k];
    if (v !== null && typeof v === 'object') {
      throw invalidArgument('TAGS.BAD_VALUE', `${field}.${k}`, `${field}.${k} must be a string, number, boolean or null`);
    }
  }
  if (Buffer.byteLength(JSON.stringify(tags)) > FIELD_LIMITS.maxTagsBytes) {
    throw invalidArgument('TAGS.TOO_LARGE', field, `${field} must be at most ${FIELD_LIMITS.maxTagsBytes} bytes`);
  }
  return tags;
}

/** An id parameter that must be given. */
export function requireId(value: string | undefined, field: string): string {
  if (!value) throw invalidArgument('FIELD.REQUIRED', field, `${field} is required`);
  return value;
}
