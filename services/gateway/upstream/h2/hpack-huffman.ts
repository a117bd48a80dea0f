import { HpackError } from './hpack-error';
import { HUFFMAN_CODES, HUFFMAN_LENGTHS } from './hpack-huffman-codes';

/**
 * HPACK Huffman strings (RFC 7541 5.2). Decoding is table-driven, one input byte per step: the
 * code tree's 256 internal nodes are the states, and for each (state, byte) a precomputed entry
 * gives the next state and the 0, 1 or 2 symbols the byte completes. That is one array read per
 * byte instead of eight branchy tree steps, and the table (256 KiB) is built once at load.
 */

const EOS = 256;
/** Entry layout: bits 0-7 next state, 8-15 first symbol, 16-23 second symbol, 24-25 count, 26 EOS seen. */
const COUNT_SHIFT = 24;
const FAIL = 1 << 26;

/**
 * The code tree: node 0 is the root; `children[2n + bit]` is an internal node id (< 256) or
 * 256 + symbol for a leaf. A complete prefix code over 257 symbols has exactly 256 internal nodes.
 */
function buildTree(): Int16Array {
  const children = new Int16Array(512).fill(-1);
  let nodes = 1;
  for (let symbol = 0; symbol <= EOS; symbol++) {
    const code = HUFFMAN_CODES[symbol]!;
    const length = HUFFMAN_LENGTHS[symbol]!;
    let node = 0;
    for (let i = length - 1; i > 0; i--) {
      const slot = 2 * node + ((code >>> i) & 1);
      if (children[slot] === -1) children[slot] = nodes++;
      node = children[slot]!;
    }
    children[2 * node + (code & 1)] = 256 + symbol;
  }
  if (nodes !== 256 || children.includes(-1)) throw new Error('the HPACK Huffman table is not a complete prefix code');
  return children;
}

/**
 * `ACCEPT[state]`: the input may end in this state. True for the root (a code just ended) and for
 * the nodes reached by up to 7 one-bits from it: padding is the most significant bits of EOS
 * (all ones) and shorter than a byte. Every other state means a truncated code or bad padding.
 */
const ACCEPT = new Uint8Array(256);
const STEP = new Uint32Array(256 * 256);

(function buildTables(): void {
  const children = buildTree();
  for (let depth = 0, node = 0; depth <= 7; depth++, node = children[2 * node + 1]!) ACCEPT[node] = 1;
  // Walk the tree one nibble at a time first (a nibble completes at most one code: the shortest
  // is 5 bits), then compose each byte step from two nibble steps: cheaper at load than 8 walks.
  const NIBBLE_SYMBOL = 1 << 16;
  const NIBBLE_FAIL = 1 << 17;
  const nibbles = new Uint32Array(256 * 16);
  for (let state = 0; state < 256; state++) {
    for (let nibble = 0; nibble < 16; nibble++) {
      let node = state;
      let entry = 0;
      for (let bit = 3; bit >= 0; bit--) {
        const next = children[2 * node + ((nibble >>> bit) & 1)]!;
        if (next < 256) {
          node = next;
          continue;
        }
        entry |= next - 256 === EOS ? NIBBLE_FAIL : NIBBLE_SYMBOL | ((next - 256) << 8);
        node = 0;
      }
      nibbles[(state << 4) | nibble] = entry | node;
    }
  }
  for (let state = 0; state < 256; state++) {
    for (let byte = 0; byte < 256; byte++) {
      const high = nibbles[(state << 4) | (byte >>> 4)]!;
      const low = nibbles[((high & 0xff) << 4) | (byte & 0x0f)]!;
      let entry = (high | low) & NIBBLE_FAIL ? FAIL : 0;
      let count = 0;
      if (high & NIBBLE_SYMBOL) {
        entry |= high & 0xff00;
        count++;
      }
      if (low & NIBBLE_SYMBOL) entry |= (low & 0xff00) << (8 * count++);
      STEP[(state << 8) | byte] = entry | (count << COUNT_SHIFT) | (low & 0xff);
    }
  }
})();

/** Output scratch: decoding writes bytes here and makes one latin1 string. */
let scratch = Buffer.allocUnsafe(1024);
/** Largest scratch kept between calls; a rarer, longer string gets a buffer of its own. */
const SCRATCH_KEPT = 64 * 1024;

/**
 * Decodes the Huffman string in `buf[start, end)` to a latin1 string (one char per byte, as node
 * gives header values). Throws HpackError when it contains the EOS code, or ends in padding that
 * is longer than 7 bits or not all ones (RFC 7541 5.2).
 */
export function huffmanDecode(buf: Uint8Array, start: number, end: number): string {
  // The shortest code is 5 bits: at most 8/5 symbols per input byte.
  const most = Math.ceil(((end - start) * 8) / 5);
  if (most > scratch.length && most <= SCRATCH_KEPT) scratch = Buffer.allocUnsafe(Math.min(SCRATCH_KEPT, Math.max(most, 2 * scratch.length)));
  const out = most <= scratch.length ? scratch : Buffer.allocUnsafe(most);
  let n = 0;
  let state = 0;
  for (let i = start; i < end; i++) {
    const entry = STEP[(state << 8) | buf[i]!]!;
    if (entry & FAIL) throw new HpackError('Huffman string contains EOS');
    const count = entry >>> COUNT_SHIFT;
    if (count !== 0) {
      out[n++] = (entry >>> 8) & 0xff;
      if (count === 2) out[n++] = (entry >>> 16) & 0xff;
    }
    state = entry & 0xff;
  }
  if (ACCEPT[state] === 0) throw new HpackError('Huffman string ends in a truncated code or invalid padding');
  return out.toString('latin1', 0, n);
}

/** Length in bytes of `value` (latin1) once Huffman-coded, padding included. */
export function huffmanEncodedLength(value: string): number {
  let bits = 0;
  for (let i = 0; i < value.length; i++) bits += HUFFMAN_LENGTHS[value.charCodeAt(i) & 0xff]!;
  return Math.ceil(bits / 8);
}

/** Huffman-codes `value` (latin1), padded with the most significant bits of EOS (ones). */
export function huffmanEncode(value: string): Buffer {
  const out = Buffer.allocUnsafe(huffmanEncodedLength(value));
  let n = 0;
  // Pending bits, most significant first: fewer than 8 between symbols, so at most 37 with a
  // 30-bit code, which a double holds exactly (hence arithmetic, not 32-bit shifts).
  let pending = 0;
  let pendingBits = 0;
  for (let i = 0; i < value.length; i++) {
    const symbol = value.charCodeAt(i) & 0xff;
    const length = HUFFMAN_LENGTHS[symbol]!;
    pending = pending * 2 ** length + HUFFMAN_CODES[symbol]!;
    pendingBits += length;
    while (pendingBits >= 8) {
      pendingBits -= 8;
      const scale = 2 ** pendingBits;
      const byte = Math.floor(pending / scale);
      out[n++] = byte;
      pending -= byte * scale;
    }
  }
  if (pendingBits > 0) out[n] = (pending << (8 - pendingBits)) | (0xff >>> pendingBits);
  return out;
}
