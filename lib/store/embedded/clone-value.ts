/**
 * Copies values into and out of the embedded store, so no caller shares an object with what
 * is stored. On the way in, values are normalised as MongoDB's driver (ignoreUndefined) would
 * store them: undefined fields are dropped, undefined array items become null, class
 * instances become plain objects. Types MongoDB would not give back as they went in
 * (functions, symbols, bigints, binary, maps, sets, regular expressions) are refused.
 */
export function cloneIn(value: unknown, path = ''): unknown {
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return value;
    case 'undefined':
      return null;
    case 'object':
      break;
    default:
      throw new TypeError(`unsupported ${typeof value} value at ${path || 'document'}`);
  }
  if (value === null) return null;
  if (value instanceof Date) return new Date(value.getTime());
  if (Array.isArray(value)) return value.map((v, i) => cloneIn(v, `${path}.${i}`));
  if (
    value instanceof RegExp ||
    value instanceof Map ||
    value instanceof Set ||
    ArrayBuffer.isView(value) ||
    value instanceof ArrayBuffer
  ) {
    throw new TypeError(`unsupported ${value.constructor.name} value at ${path || 'document'}`);
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) out[key] = cloneIn(v, path ? `${path}.${key}` : key);
  }
  return out;
}

/** Copies a value that is already normalised (as stored): faster than cloneIn. */
export function cloneOut<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Date) return new Date(value.getTime()) as T;
  if (Array.isArray(value)) return value.map(cloneOut) as T;
  const out: Record<string, unknown> = {};
  for (const key in value) out[key] = cloneOut((value as Record<string, unknown>)[key]);
  return out as T;
}
