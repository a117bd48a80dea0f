/**
 * Searches bytes four at a time: each step reads a little-endian 32-bit word through a DataView
 * (any alignment), and the word holds byte b when `(x - 0x01010101) & ~x & 0x80808080` is not
 * zero for x = word ^ (b repeated four times); its lowest set bit marks the first such byte
 * (bits above it may be false alarms, never bits below).
 */

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;

/** Index in its word of the first byte a test found (t !== 0). */
const lowest = (t: number) => (31 - Math.clz32(t & -t)) >> 3;

/** The first quote in d[j, n) (n when none); v views the same bytes as d. */
export function findQuote(d: Uint8Array, v: DataView, j: number, n: number): number {
  // Eight bytes a step while they last (quoted texts are often long), then four, then one.
  for (const last = n - 8; j <= last; j += 8) {
    const x = v.getInt32(j, true) ^ 0x22222222;
    const t = (x - 0x01010101) & ~x & 0x80808080;
    if (t !== 0) return j + lowest(t);
    const y = v.getInt32(j + 4, true) ^ 0x22222222;
    const u = (y - 0x01010101) & ~y & 0x80808080;
    if (u !== 0) return j + 4 + lowest(u);
  }
  for (const last = n - 4; j <= last; j += 4) {
    const x = v.getInt32(j, true) ^ 0x22222222;
    const t = (x - 0x01010101) & ~x & 0x80808080;
    if (t !== 0) return j + lowest(t);
  }
  while (j < n && d[j] !== QUOTE) j++;
  return j;
}

/** The first comma, LF or CR in d[j, n) (n when none); v views the same bytes as d. */
export function findDelimiter(d: Uint8Array, v: DataView, j: number, n: number): number {
  for (const last = n - 4; j <= last; j += 4) {
    const w = v.getInt32(j, true);
    const a = w ^ 0x2c2c2c2c;
    const b = w ^ 0x0a0a0a0a;
    const c = w ^ 0x0d0d0d0d;
    const t = (((a - 0x01010101) & ~a) | ((b - 0x01010101) & ~b) | ((c - 0x01010101) & ~c)) & 0x80808080;
    if (t !== 0) return j + lowest(t);
  }
  while (j < n) {
    const c = d[j];
    if (c === COMMA || c === LF || c === CR) break;
    j++;
  }
  return j;
}
