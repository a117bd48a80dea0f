/**
 * Derives the HPACK Huffman code (RFC 7541 Appendix B) from nghttp2, the HPACK encoder inside
 * node:http2, and writes it to services/gateway/upstream/h2/hpack-huffman-codes.ts. The table is
 * read off a real encoder instead of typed in so that a typo cannot hide in 257 numbers.
 *
 * How: a node:http2 server answers request `/b` with the header value `a…a <byte b> a…a`
 * (latin1). The value is long enough that nghttp2 Huffman-codes it even for a 30-bit code. A raw
 * socket client reads the response header block as bytes (nghttp2's own decoder would refuse CR
 * and LF), walks the HPACK block just far enough to find that value, and cuts the byte's code out
 * of the bits between the known codes of the 'a's (derived first from a value of 'a's only).
 * Two codes cannot be read that way: EOS is never sent (it is 30 one-bits, RFC 7541 5.2), and NUL
 * cannot be sent by node (its native header list is NUL-delimited), so NUL's code is the one gap
 * a complete prefix code leaves. The result is checked to be a complete canonical prefix code.
 *
 * Run from the repository root:
 *   npx tsc --ignoreConfig --strict --target es2022 --module nodenext --types node --skipLibCheck \
 *     --outDir /tmp/derive-hpack scripts/derive-hpack-huffman.ts \
 *     && node /tmp/derive-hpack/scripts/derive-hpack-huffman.js
 * (or `make build && node dist/scripts/derive-hpack-huffman.js`).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { createServer, constants, type Http2Server } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { dirname, resolve } from 'node:path';
import { RawH2Client } from '../services/gateway/upstream/h2/raw-h2.test-support';

/** Symbol 256 is EOS. Codes are right-aligned in `codes[s]`, `lengths[s]` bits long. */
export interface HuffmanTable {
  readonly codes: number[];
  readonly lengths: number[];
}

export const EOS = 256;
const OUTPUT = 'services/gateway/upstream/h2/hpack-huffman-codes.ts';
/** 'a's on each side of the probed byte: Huffman is then shorter than raw even for a 30-bit code, and the value
 * is the longest string in the block (longer than the date). */
const PAD = 32;
/** Length of the all-'a' value the code of 'a' is read from. */
const A_RUN = 64;

/** Starts a server whose response to `/<n>` carries `valueFor(n)` as header `x-probe`. */
async function probeServer(valueFor: (n: number) => string): Promise<Http2Server> {
  const server = createServer();
  server.on('stream', (stream, headers) => {
    try {
      stream.respond({ ':status': 200, 'x-probe': valueFor(Number(String(headers[':path']).slice(1))) }, { endStream: true });
    } catch {
      stream.close(constants.NGHTTP2_INTERNAL_ERROR);
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return server;
}

/** A GET request header block for `/<n>`, in raw literals only (no HPACK coder needed to send it). */
function requestBlock(n: number): Buffer {
  const path = Buffer.from(`/${n}`, 'latin1');
  // :method GET (static 2), :scheme http (static 6), then :path and :authority (static names 4
  // and 1) as literals without indexing.
  return Buffer.concat([Buffer.from([0x82, 0x86, 0x04, path.length]), path, Buffer.from([0x01, 1, 0x78])]);
}

/** Reads an HPACK integer with an `n`-bit prefix at `p`: [value, next offset]. */
function readInt(block: Buffer, p: number, n: number): [number, number] {
  const max = (1 << n) - 1;
  let value = block[p++]! & max;
  if (value < max) return [value, p];
  for (let shift = 0; ; shift += 7) {
    const b = block[p++]!;
    value += (b & 0x7f) * 2 ** shift;
    if (!(b & 0x80)) return [value, p];
  }
}

/**
 * Walks a header block far enough to return the longest string literal's bytes, which is the
 * probe value (the other fields are :status and a 29-byte date); it must be Huffman-coded.
 */
function longestValue(block: Buffer): Buffer {
  let best: { huffman: boolean; bytes: Buffer } | undefined;
  const readString = (p: number): number => {
    const huffman = (block[p]! & 0x80) !== 0;
    const [length, start] = readInt(block, p, 7);
    const bytes = block.subarray(start, start + length);
    if (!best || bytes.length > best.bytes.length) best = { huffman, bytes };
    return start + length;
  };
  let p = 0;
  while (p < block.length) {
    const b = block[p]!;
    if (b & 0x80) {
      p = readInt(block, p, 7)[1];
    } else if ((b & 0xe0) === 0x20) {
      p = readInt(block, p, 5)[1];
    } else {
      const [nameIndex, next] = readInt(block, p, b & 0x40 ? 6 : 4);
      p = readString(nameIndex === 0 ? readString(next) : next);
    }
  }
  if (!best?.huffman) throw new Error(`nghttp2 did not Huffman-code the probe value in ${block.toString('hex')}`);
  return best.bytes;
}

function bitsOf(bytes: Buffer): string {
  let s = '';
  for (const b of bytes) s += b.toString(2).padStart(8, '0');
  return s;
}

/** Fetches the Huffman-coded probe value for each `n` over one connection, as bit strings. */
async function fetchBits(ns: readonly number[], valueFor: (n: number) => string): Promise<Map<number, string>> {
  const server = await probeServer(valueFor);
  const client = await RawH2Client.connect((server.address() as AddressInfo).port);
  try {
    const results = await Promise.all(ns.map((n) => client.request(requestBlock(n))));
    const bits = new Map<number, string>();
    results.forEach((r, i) => {
      if (r.rstCode !== undefined || r.headerBlocks.length !== 1) throw new Error(`no response header block for ${ns[i]} (RST_STREAM ${r.rstCode})`);
      bits.set(ns[i]!, bitsOf(longestValue(r.headerBlocks[0]!)));
    });
    return bits;
  } finally {
    client.close();
    await new Promise((r) => server.close(r));
  }
}

/** The code of 'a', from `A_RUN` 'a's: A_RUN copies of one code, then under 8 bits of one-padding. */
function codeOfA(bits: string): string {
  const length = Math.floor(bits.length / A_RUN);
  const code = bits.slice(0, length);
  const padding = bits.length - A_RUN * length;
  if (bits !== code.repeat(A_RUN) + '1'.repeat(padding) || padding > 7) throw new Error(`unexpected coding of 'a's: ${bits}`);
  return code;
}

/** Cuts the middle code out of `a^PAD X a^PAD padding`; exactly one padding length 0..7 may fit. */
function middleCode(bits: string, a: string): string {
  const run = a.repeat(PAD);
  const fits: string[] = [];
  for (let padding = 0; padding <= 7; padding++) {
    const length = bits.length - 2 * run.length - padding;
    if (length < 5 || length > 30) continue;
    if (bits === run + bits.slice(run.length, run.length + length) + run + '1'.repeat(padding)) {
      fits.push(bits.slice(run.length, run.length + length));
    }
  }
  if (fits.length !== 1) throw new Error(`cannot isolate one code in ${bits}`);
  return fits[0]!;
}

/** The one codeword of `length` bits that neither prefixes nor is prefixed by a code in `known`. */
function gap(known: ReadonlyArray<readonly [code: number, length: number]>, length: number): number {
  const free: number[] = [];
  for (let c = 0; c < 2 ** length; c++) {
    const clash = known.some(([code, l]) => (l <= length ? Math.floor(c / 2 ** (length - l)) === code : Math.floor(code / 2 ** (l - length)) === c));
    if (!clash) free.push(c);
  }
  if (free.length !== 1) throw new Error(`expected one free ${length}-bit codeword, found ${free.length}`);
  return free[0]!;
}

/** Σ 2^-length in units of 2^-30: a complete prefix code sums to exactly 2^30 (Kraft equality). */
export function kraftSum(lengths: readonly number[]): number {
  return lengths.reduce((sum, l) => sum + 2 ** (30 - l), 0);
}

/**
 * True when codes are canonical: ordered by (length, symbol), each code is the previous plus one,
 * shifted left by the length increase, starting from 0 (the shape RFC 7541's table has).
 */
export function isCanonical(table: HuffmanTable): boolean {
  const order = table.lengths.map((_, s) => s).sort((x, y) => table.lengths[x]! - table.lengths[y]! || x - y);
  let expected = 0;
  let previousLength = table.lengths[order[0]!]!;
  for (const s of order) {
    expected *= 2 ** (table.lengths[s]! - previousLength);
    previousLength = table.lengths[s]!;
    if (table.codes[s] !== expected) return false;
    expected += 1;
  }
  return true;
}

/** Reads the code of each byte in `bytes` (never 0: node cannot send it) off nghttp2. */
export async function readCodesFromNghttp2(bytes: readonly number[]): Promise<Map<number, string>> {
  const a = codeOfA((await fetchBits([0], () => 'a'.repeat(A_RUN))).get(0)!);
  const filler = 'a'.repeat(PAD);
  const bits = await fetchBits(bytes, (b) => filler + String.fromCharCode(b) + filler);
  return new Map([...bits].map(([b, s]) => [b, middleCode(s, a)]));
}

/** Derives the whole table from nghttp2 and checks that it is a complete canonical prefix code. */
export async function deriveHuffmanTable(): Promise<HuffmanTable> {
  const bytes = Array.from({ length: 255 }, (_, i) => i + 1);
  const read = await readCodesFromNghttp2(bytes);
  const codes = new Array<number>(257).fill(0);
  const lengths = new Array<number>(257).fill(0);
  for (const [b, code] of read) {
    codes[b] = parseInt(code, 2);
    lengths[b] = code.length;
  }
  codes[EOS] = 2 ** 30 - 1;
  lengths[EOS] = 30;
  // NUL: the deficit in the Kraft sum gives its length, the one free codeword of that length its code.
  const deficit = 2 ** 30 - kraftSum(lengths.filter((l) => l > 0));
  const nulLength = 30 - Math.log2(deficit);
  if (!Number.isInteger(nulLength) || nulLength < 5) throw new Error(`the 256 codes read leave no single gap (deficit ${deficit})`);
  codes[0] = gap(
    codes.map((c, s) => [c, lengths[s]!] as const).filter(([, l]) => l > 0),
    nulLength,
  );
  lengths[0] = nulLength;
  const table = { codes, lengths };
  if (kraftSum(lengths) !== 2 ** 30) throw new Error('not a complete prefix code');
  if (!isCanonical(table)) throw new Error('not a canonical code');
  return table;
}

function render(table: HuffmanTable): string {
  const rows = (values: readonly number[], perRow: number, format: (v: number) => string): string => {
    const lines: string[] = [];
    for (let i = 0; i < values.length; i += perRow) lines.push('  ' + values.slice(i, i + perRow).map(format).join(', ') + ',');
    return lines.join('\n');
  };
  return `/**
 * GENERATED by scripts/derive-hpack-huffman.ts from nghttp2 (node:http2 ${process.versions.nghttp2}): do not edit.
 * The HPACK Huffman code (RFC 7541 Appendix B) for symbols 0..255 (bytes) and 256 (EOS).
 *
 * Regenerate from the repository root:
 *   npx tsc --ignoreConfig --strict --target es2022 --module nodenext --types node --skipLibCheck \\
 *     --outDir /tmp/derive-hpack scripts/derive-hpack-huffman.ts \\
 *     && node /tmp/derive-hpack/scripts/derive-hpack-huffman.js
 */

/** Code of each symbol, right-aligned: its low \`HUFFMAN_LENGTHS[symbol]\` bits, most significant first on the wire. */
export const HUFFMAN_CODES: readonly number[] = [
${rows(table.codes, 8, (v) => '0x' + v.toString(16))}
];

/** Length in bits (5..30) of each symbol's code. */
export const HUFFMAN_LENGTHS: readonly number[] = [
${rows(table.lengths, 16, String)}
];
`;
}

async function main(): Promise<void> {
  const output = resolve(process.argv[2] ?? OUTPUT);
  if (!existsSync(dirname(output))) throw new Error(`run from the repository root (${dirname(output)} does not exist)`);
  const table = await deriveHuffmanTable();
  writeFileSync(output, render(table));
  console.log(`wrote ${output}: 257 codes, lengths ${Math.min(...table.lengths)}..${Math.max(...table.lengths)}, Kraft sum 1, canonical`);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
