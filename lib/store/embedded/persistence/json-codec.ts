import { isPlainObject } from '../../value-order';

/**
 * Stored values as JSON and back, keeping what JSON alone would lose: dates
 * ({"$date": ms}), non-finite numbers and -0 ({"$num": "NaN"}), and objects whose own field
 * names start with $ (wrapped as {"$obj": {...}} so they never read back as one of these).
 */
export function encodeValue(v: unknown): unknown {
  if (typeof v === 'number') {
    if (Number.isFinite(v) && !Object.is(v, -0)) return v;
    return { $num: Object.is(v, -0) ? '-0' : String(v) };
  }
  if (typeof v !== 'object' || v === null) return v;
  if (v instanceof Date) {
    const ms = v.getTime();
    return { $date: Number.isNaN(ms) ? null : ms };
  }
  if (Array.isArray(v)) return v.map(encodeValue);
  const out: Record<string, unknown> = {};
  let dollar = false;
  for (const [k, x] of Object.entries(v)) {
    if (k.startsWith('$')) dollar = true;
    out[k] = encodeValue(x);
  }
  return dollar ? { $obj: out } : out;
}

export function decodeValue(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) return v.map(decodeValue);
  if (!isPlainObject(v)) return v;
  const keys = Object.keys(v);
  if (keys.length === 1) {
    if (keys[0] === '$date') return new Date(v.$date === null ? NaN : (v.$date as number));
    if (keys[0] === '$num') return v.$num === '-0' ? -0 : Number(v.$num);
    if (keys[0] === '$obj') return decodeObject(v.$obj as Record<string, unknown>);
  }
  return decodeObject(v);
}

function decodeObject(v: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = decodeValue(x);
  return out;
}
