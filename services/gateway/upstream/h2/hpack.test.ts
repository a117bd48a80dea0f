import {
  createServer,
  sensitiveHeaders,
  type Http2Server,
  type Http2ServerRequest,
  type Http2ServerResponse,
  type OutgoingHttpHeaders,
} from 'node:http2';
import type { AddressInfo } from 'node:net';
import { deriveHuffmanTable, isCanonical, kraftSum } from '../../../../scripts/derive-hpack-huffman';
import { seededRandom } from '../../../../test/support/seeded-random';
import { HpackDecoder, HpackError, type DecodedHeaders } from './hpack-decoder';
import { HpackEncoder, Indexing, type HeaderField } from './hpack-encoder';
import { huffmanDecode, huffmanEncode, huffmanEncodedLength } from './hpack-huffman';
import { HUFFMAN_CODES, HUFFMAN_LENGTHS } from './hpack-huffman-codes';
import { STATIC_NAMES, STATIC_TABLE_LENGTH, STATIC_VALUES } from './hpack-static-table';
import { RawH2Client, Setting } from './raw-h2.test-support';

/** Bytes from numbers (one byte each) and strings (latin1). */
function bytes(...parts: Array<number | string>): Buffer {
  return Buffer.concat(parts.map((p) => (typeof p === 'number' ? Buffer.from([p]) : Buffer.from(p, 'latin1'))));
}

/** What decode() must return for these fields: null prototype, repeated names as arrays in order. */
function headersOf(fields: ReadonlyArray<readonly [string, string, ...unknown[]]>): DecodedHeaders {
  const headers = Object.create(null) as DecodedHeaders;
  for (const [name, value] of fields) {
    const previous = headers[name];
    if (previous === undefined) headers[name] = value;
    else headers[name] = [...(typeof previous === 'string' ? [previous] : previous), value];
  }
  return headers;
}

function listSizeOf(fields: ReadonlyArray<readonly [string, string, ...unknown[]]>): number {
  return fields.reduce((sum, [name, value]) => sum + name.length + value.length + 32, 0);
}

function decodeError(decoder: HpackDecoder, block: Buffer): string {
  try {
    decoder.decode(block);
  } catch (e) {
    if (e instanceof HpackError) return e.message;
    throw e;
  }
  throw new Error(`decoded ${block.toString('hex')} without error`);
}

class Random {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = seededRandom(seed);
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  /** A latin1 string of `length` chars drawn from `alphabet` (every byte when omitted). */
  string(length: number, alphabet?: string): string {
    let s = '';
    for (let i = 0; i < length; i++) s += alphabet ? alphabet[this.int(alphabet.length)] : String.fromCharCode(this.int(256));
    return s;
  }
}

const TOKEN = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz";
/** Bytes nghttp2 accepts inside a field value: HTAB, visible ASCII, SP and obs-text. */
const VALUE_CHARS = '\t' + String.fromCharCode(...Array.from({ length: 95 }, (_, i) => 0x20 + i), ...Array.from({ length: 128 }, (_, i) => 0x80 + i));
/** Bytes node can send in a response value (all but NUL: its native header list is NUL-delimited). */
const SENDABLE_CHARS = String.fromCharCode(...Array.from({ length: 255 }, (_, i) => i + 1));

async function listen(server: Http2Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

async function close(server: Http2Server): Promise<void> {
  await new Promise((r) => server.close(r));
}

describe('HPACK Huffman code table', () => {
  const table = { codes: [...HUFFMAN_CODES], lengths: [...HUFFMAN_LENGTHS] };

  it('is a complete canonical prefix code: Kraft sum exactly 1, EOS is 30 one-bits', () => {
    expect(table.codes).toHaveLength(257);
    expect(kraftSum(table.lengths)).toBe(2 ** 30);
    expect(isCanonical(table)).toBe(true);
    expect([table.codes[256], table.lengths[256]]).toEqual([2 ** 30 - 1, 30]);
  });

  it('is the code nghttp2 (node:http2) encodes with, re-derived from the wire', async () => {
    const derived = await deriveHuffmanTable();
    expect(derived.lengths).toEqual(table.lengths);
    expect(derived.codes).toEqual(table.codes);
  });

  it('would notice a changed code', () => {
    const broken = { codes: [...table.codes], lengths: [...table.lengths] };
    [broken.codes[97], broken.codes[98]] = [broken.codes[98]!, broken.codes[97]!];
    expect(isCanonical(broken)).toBe(false);
    broken.lengths[97] = 6;
    expect(kraftSum(broken.lengths)).not.toBe(2 ** 30);
  });
});

describe('Huffman strings', () => {
  const decode = (b: Buffer) => huffmanDecode(b, 0, b.length);

  it('round-trips strings of every byte value, and respects start and end', () => {
    const random = new Random(7);
    for (let i = 0; i < 2000; i++) {
      const s = random.string(random.int(60));
      const encoded = huffmanEncode(s);
      expect(encoded.length).toBe(huffmanEncodedLength(s));
      expect(decode(encoded)).toBe(s);
      const framed = Buffer.concat([Buffer.from([0x12, 0x34]), encoded, Buffer.from([0x00])]);
      expect(huffmanDecode(framed, 2, 2 + encoded.length)).toBe(s);
    }
  });

  it('decodes long strings (beyond the output scratch buffer, and beyond the size it may grow to)', () => {
    const random = new Random(8);
    for (const length of [2000, 50_000, 10]) {
      const s = random.string(length);
      expect(decode(huffmanEncode(s))).toBe(s);
    }
  });

  it('rejects EOS inside the string', () => {
    // 'a' (00011), then EOS (30 ones), then 'a' and one-padding: 5 + 30 + 5 + 0 = 40 bits.
    const eosInside = bytes(0b00011111, 0xff, 0xff, 0xff, 0b11100011);
    expect(() => decode(eosInside)).toThrow(HpackError);
    expect(() => decode(bytes(0xff, 0xff, 0xff, 0xff))).toThrow(HpackError);
  });

  it('rejects padding longer than 7 bits', () => {
    expect(decode(huffmanEncode('a'))).toBe('a');
    expect(() => decode(Buffer.concat([huffmanEncode('a'), bytes(0xff)]))).toThrow('invalid padding');
    expect(() => decode(bytes(0xff))).toThrow(HpackError);
  });

  it('rejects padding that is not all ones, and a truncated code', () => {
    expect(decode(bytes(0b00011111))).toBe('a');
    expect(() => decode(bytes(0b00011110))).toThrow(HpackError);
    expect(() => decode(bytes(0b00011011))).toThrow(HpackError);
    // '&' is 11111000 (8 bits): its first 7 bits alone are neither a code nor valid padding.
    expect(decode(huffmanEncode('&'))).toBe('&');
    expect(() => decode(bytes(0b11111110, 0x00).subarray(0, 1))).toThrow(HpackError);
  });

  it('decodes the empty string', () => {
    expect(decode(Buffer.alloc(0))).toBe('');
  });
});

describe('HpackDecoder', () => {
  it('decodes indexed fields, the three literal kinds with indexed and new names, raw and Huffman', () => {
    const decoder = new HpackDecoder();
    const contentType = huffmanEncode('application/grpc');
    const block = bytes(
      0x88, // :status 200
      0x5f, 0x80 | contentType.length, ...contentType, // content-type (31), incremental, Huffman
      0x40, 0x03, 'x-a', 0x01, 'b', // new name, incremental
      0x00, 0x03, 'x-c', 0x81, ...huffmanEncode('d'), // new name, without indexing
      0x1f, 0x08, 0x02, 'tk', // authorization (23 = 15 + 8), never indexed
      0x10, 0x03, 'x-e', 0x00, // new name, never indexed, empty value
      0x0f, 0x12, 0x01, '0', // date (33 = 15 + 18), without indexing
    );
    expect(decoder.decode(block)).toEqual(
      headersOf([
        [':status', '200'],
        ['content-type', 'application/grpc'],
        ['x-a', 'b'],
        ['x-c', 'd'],
        ['authorization', 'tk'],
        ['x-e', ''],
        ['date', '0'],
      ]),
    );
    // Dynamic: 62 = x-a (newest), 63 = content-type; only incremental literals were added.
    expect(decoder.decode(bytes(0xbe, 0xbf, 0x7e, 0x01, 'z'))).toEqual(
      headersOf([
        ['x-a', 'b'],
        ['content-type', 'application/grpc'],
        ['x-a', 'z'],
      ]),
    );
    expect(decoder.decode(bytes(0xbe, 0xbf, 0xc0))).toEqual(
      headersOf([
        ['x-a', 'z'],
        ['x-a', 'b'],
        ['content-type', 'application/grpc'],
      ]),
    );
    expect(decodeError(decoder, bytes(0xc1))).toMatch(/index 65 beyond/);
  });

  it('returns a null-prototype object, repeated names as arrays, pseudo-headers and uppercase names as given', () => {
    const headers = new HpackDecoder().decode(
      bytes(0x00, 0x09, '__proto__', 0x01, 'p', 0x00, 0x01, 'A', 0x01, '1', 0x00, 0x01, 'A', 0x01, '2', 0x00, 0x01, 'A', 0x00, 0x8c),
    );
    expect(Object.getPrototypeOf(headers)).toBeNull();
    expect(Object.keys(headers)).toEqual(['__proto__', 'A', ':status']);
    expect(headers['__proto__']).toBe('p');
    expect(headers['A']).toEqual(['1', '2', '']);
    expect(headers[':status']).toBe('400');
  });

  it('decodes latin1: one char per byte', () => {
    const value = String.fromCharCode(...Array.from({ length: 256 }, (_, i) => i));
    const block = Buffer.concat([bytes(0x00, 0x01, 'v', 0x7f, 0x81, 0x01), Buffer.from(value, 'latin1')]);
    expect(new HpackDecoder().decode(block)['v']).toBe(value);
  });

  it('decodes the range [start, end) of a buffer', () => {
    const block = bytes(0xff, 0x82, 0x84, 0xff);
    expect(new HpackDecoder().decode(block, 1, 3)).toEqual(headersOf([[':method', 'GET'], [':path', '/']]));
  });

  it('reports the header list size of the last block: name + value + 32 per field, repeats included', () => {
    const decoder = new HpackDecoder();
    decoder.decode(bytes(0x3f, 0xe1, 0x1f, 0x88, 0x40, 0x03, 'x-a', 0x02, 'bc', 0x40, 0x03, 'x-a', 0x00));
    // :status 200 (7 + 3 + 32), x-a bc (3 + 2 + 32), x-a '' (3 + 0 + 32); the size update counts nothing.
    expect(decoder.lastListSize).toBe(42 + 37 + 35);
    decoder.decode(bytes(0xbf, 0xbf, 0xbe));
    expect(decoder.lastListSize).toBe(37 + 37 + 35);
    decoder.decode(Buffer.alloc(0));
    expect(decoder.lastListSize).toBe(0);
    const huffman = huffmanEncode('a'.repeat(40));
    decoder.decode(Buffer.concat([bytes(0x00, 0x01, 'n', 0x80 | huffman.length), huffman]));
    expect(decoder.lastListSize).toBe(1 + 40 + 32);
  });

  it('evicts the oldest entries by size, and empties the table for an entry larger than it', () => {
    const decoder = new HpackDecoder();
    // Table size 100: entries of 40 and 60 fill it exactly, and both stay.
    decoder.decode(bytes(0x3f, 0x45, 0x40, 0x04, 'aaaa', 0x04, 'bbbb', 0x40, 0x01, 'x', 0x1b, 'y'.repeat(27)));
    expect(decoder.decode(bytes(0xbe, 0xbf))).toEqual(headersOf([['x', 'y'.repeat(27)], ['aaaa', 'bbbb']]));
    // Two entries of 40 fit (a4:b4, c4:d4), a third evicts the oldest.
    decoder.decode(bytes(0x3f, 0x45, 0x40, 0x04, 'aaaa', 0x04, 'bbbb', 0x40, 0x04, 'cccc', 0x04, 'dddd'));
    expect(decoder.decode(bytes(0xbe, 0xbf))).toEqual(headersOf([['cccc', 'dddd'], ['aaaa', 'bbbb']]));
    decoder.decode(bytes(0x40, 0x04, 'eeee', 0x04, 'ffff'));
    expect(decoder.decode(bytes(0xbe, 0xbf))).toEqual(headersOf([['eeee', 'ffff'], ['cccc', 'dddd']]));
    expect(decodeError(decoder, bytes(0xc0))).toMatch(/beyond/);
    // Exactly 100 (32 + 34 + 34) fits alone.
    decoder.decode(bytes(0x40, 0x22, 'g'.repeat(34), 0x22, 'h'.repeat(34)));
    expect(decoder.decode(bytes(0xbe))).toEqual(headersOf([['g'.repeat(34), 'h'.repeat(34)]]));
    expect(decodeError(decoder, bytes(0xbf))).toMatch(/beyond/);
    // 101 does not: the table is emptied and the entry not added, but the field is still decoded.
    expect(decoder.decode(bytes(0x40, 0x22, 'g'.repeat(34), 0x23, 'h'.repeat(35)))).toEqual(headersOf([['g'.repeat(34), 'h'.repeat(35)]]));
    expect(decodeError(decoder, bytes(0xbe))).toMatch(/beyond/);
    // A size update to 40 evicts what no longer fits; to 0 empties the table.
    decoder.decode(bytes(0x40, 0x04, 'aaaa', 0x04, 'bbbb', 0x40, 0x04, 'cccc', 0x04, 'dddd'));
    expect(decoder.decode(bytes(0x3f, 0x09, 0xbe))).toEqual(headersOf([['cccc', 'dddd']]));
    expect(decodeError(decoder, bytes(0xbf))).toMatch(/beyond/);
    expect(decodeError(decoder, bytes(0x20, 0xbe))).toMatch(/beyond/);
  });

  it('lets a literal name the entry its own insertion evicts', () => {
    const decoder = new HpackDecoder();
    decoder.decode(bytes(0x3f, 0x09, 0x40, 0x04, 'aaaa', 0x04, 'bbbb'));
    // Incremental with name index 62 (aaaa), value cccc: inserting it evicts aaaa:bbbb first.
    expect(decoder.decode(bytes(0x7e, 0x04, 'cccc', 0xbe))).toEqual(headersOf([['aaaa', 'cccc'], ['aaaa', 'cccc']]));
  });

  it('accepts size updates only at the start of a block and within the size we advertised', () => {
    expect(new HpackDecoder().decode(bytes(0x20, 0x3f, 0xe1, 0x1f, 0x82))).toEqual(headersOf([[':method', 'GET']]));
    expect(decodeError(new HpackDecoder(), bytes(0x82, 0x20))).toMatch(/size update after a field/);
    expect(decodeError(new HpackDecoder(), bytes(0x3f, 0xe2, 0x1f))).toMatch(/4097 exceeds our limit 4096/);
    // Advertising more lets the peer grow the table; advertising less obliges it to shrink first.
    const big = new HpackDecoder(65536);
    big.decode(bytes(0x3f, 0xe1, 0xff, 0x03, 0x40, 0x01, 'k', 0x7f, 0xc1, 0x3d, 'v'.repeat(8000)));
    expect(big.decode(bytes(0xbe))['k']).toHaveLength(8000);
    expect(decodeError(new HpackDecoder(1024), bytes(0x82))).toMatch(/missing dynamic table size update/);
    const small = new HpackDecoder(1024);
    expect(decodeError(small, bytes(0x3f, 0xe2, 0x07))).toMatch(/exceeds our limit 1024/);
    expect(small.decode(bytes(0x3f, 0xe1, 0x07, 0x82))).toEqual(headersOf([[':method', 'GET']]));
    expect(small.decode(bytes(0x82))).toEqual(headersOf([[':method', 'GET']]));
  });

  it('rejects index 0 and indices beyond the tables', () => {
    expect(decodeError(new HpackDecoder(), bytes(0x80))).toMatch(/index 0/);
    expect(new HpackDecoder().decode(bytes(0xbd))).toEqual(headersOf([['www-authenticate', '']]));
    expect(decodeError(new HpackDecoder(), bytes(0xbe))).toMatch(/index 62 beyond/);
    expect(decodeError(new HpackDecoder(), bytes(0x7e, 0x01, 'v'))).toMatch(/name index 62 beyond/);
    expect(decodeError(new HpackDecoder(), bytes(0x0f, 0x2f, 0x01, 'v'))).toMatch(/name index 62 beyond/);
    expect(decodeError(new HpackDecoder(), bytes(0xff, 0xff, 0xff, 0xff, 0x07))).toMatch(/beyond/);
  });

  it('rejects integers above 2^31 - 1 and encodings longer than 5 continuation bytes', () => {
    // 127 + 0x7f + 0x7f<<7 + ... : 2^31 - 1 exactly is accepted as an integer (then beyond the table).
    const max = 2 ** 31 - 1 - 127;
    const encode = (v: number) => [(v & 0x7f) | 0x80, ((v >>> 7) & 0x7f) | 0x80, ((v >>> 14) & 0x7f) | 0x80, ((v >>> 21) & 0x7f) | 0x80, v >>> 28];
    expect(decodeError(new HpackDecoder(), bytes(0xff, ...encode(max)))).toMatch(/index 2147483647 beyond/);
    expect(decodeError(new HpackDecoder(), bytes(0xff, ...encode(max + 1)))).toMatch(/integer too large/);
    expect(decodeError(new HpackDecoder(), bytes(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01))).toMatch(/integer too large/);
    expect(decodeError(new HpackDecoder(), bytes(0xff, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00))).toMatch(/integer encoding too long/);
    // Zero-padded continuation bytes are accepted up to 5 of them (size update to 31 here).
    expect(new HpackDecoder().decode(bytes(0x3f, 0x80, 0x80, 0x80, 0x80, 0x00, 0x82))).toEqual(headersOf([[':method', 'GET']]));
    expect(decodeError(new HpackDecoder(), bytes(0x3f, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00))).toMatch(/integer encoding too long/);
    // A string length too large for the block is truncation, however it is encoded.
    expect(decodeError(new HpackDecoder(), bytes(0x00, 0x7f, 0xff, 0xff, 0xff, 0xff, 0x03))).toMatch(/truncated string/);
  });

  it('rejects truncated input at every cut inside a field', () => {
    const b128 = 'b'.repeat(128);
    const contentType = huffmanEncode('application/grpc');
    const block = bytes(0x88, 0x40, 0x03, 'x-a', 0x7f, 0x01, b128, 0x5f, 0x80 | contentType.length, ...contentType, 0xbf);
    expect(new HpackDecoder().decode(block)).toEqual(
      headersOf([
        [':status', '200'],
        ['x-a', b128],
        ['content-type', 'application/grpc'],
        ['x-a', b128],
      ]),
    );
    // Field boundaries: a cut there is a shorter, valid block.
    const boundaries = new Set([0, 1, 136, 138 + contentType.length, block.length]);
    for (let cut = 0; cut <= block.length; cut++) {
      if (boundaries.has(cut)) expect(() => new HpackDecoder().decode(block, 0, cut)).not.toThrow();
      else expect(decodeError(new HpackDecoder(), block.subarray(0, cut))).toMatch(/truncated|Huffman/);
    }
  });

  it('rejects malformed Huffman strings in names and values', () => {
    expect(decodeError(new HpackDecoder(), bytes(0x00, 0x81, 0xff, 0x01, 'v'))).toMatch(/Huffman/);
    expect(decodeError(new HpackDecoder(), bytes(0x00, 0x01, 'n', 0x81, 0b00011000))).toMatch(/Huffman/);
    expect(decodeError(new HpackDecoder(), bytes(0x00, 0x01, 'n', 0x84, 0xff, 0xff, 0xff, 0xff))).toMatch(/EOS/);
  });
});

describe('HpackEncoder', () => {
  const hex = (b: Buffer) => b.toString('hex');

  it('uses the static table for exact and name matches, and the dynamic table for repeats', () => {
    const encoder = new HpackEncoder();
    const fields: HeaderField[] = [
      [':method', 'POST'],
      [':path', '/pkg.Svc/Call'],
      ['content-type', 'application/grpc'],
      ['x-id', '7', Indexing.Without],
      ['authorization', 'Bearer t', Indexing.Never],
      [':method', 'GET', Indexing.Never],
      ['te', 'trailers'],
    ];
    expect(hex(encoder.encode(fields))).toBe(
      hex(
        bytes(
          0x83,
          0x44, 13, '/pkg.Svc/Call',
          0x5f, 16, 'application/grpc',
          0x00, 4, 'x-id', 1, '7',
          0x1f, 0x08, 8, 'Bearer t',
          0x12, 3, 'GET',
          0x40, 2, 'te', 8, 'trailers',
        ),
      ),
    );
    // te (62), content-type (63), :path (64); Without and Never fields were not added.
    expect(hex(encoder.encode(fields))).toBe(
      hex(bytes(0x83, 0xc0, 0xbf, 0x00, 4, 'x-id', 1, '7', 0x1f, 0x08, 8, 'Bearer t', 0x12, 3, 'GET', 0xbe)),
    );
    // A new value of a dynamic name refers to the newest entry with that name.
    expect(hex(encoder.encode([['te', 'x'], ['te', 'y', Indexing.Without]]))).toBe(hex(bytes(0x7e, 1, 'x', 0x0f, 0x2f, 1, 'y')));
  });

  it('leaves headroom for the frame header', () => {
    const fields: HeaderField[] = [[':method', 'GET'], ['x', 'y']];
    const plain = new HpackEncoder().encode(fields);
    const framed = new HpackEncoder().encode(fields, 9);
    expect(framed.length).toBe(9 + plain.length);
    expect(hex(framed.subarray(9))).toBe(hex(plain));
  });

  it('announces table size changes at the start of the next block: the smallest, then the final', () => {
    const encoder = new HpackEncoder();
    expect(hex(encoder.encode([[':method', 'GET']]))).toBe('82');
    encoder.setPeerTableSize(8192); // above our own cap of 4096: no change
    expect(hex(encoder.encode([]))).toBe('');
    encoder.setPeerTableSize(100);
    expect(hex(encoder.encode([]))).toBe(hex(bytes(0x3f, 0x45)));
    expect(hex(encoder.encode([]))).toBe('');
    encoder.setPeerTableSize(0);
    encoder.setPeerTableSize(4096);
    expect(hex(encoder.encode([['x', 'y']]))).toBe(hex(bytes(0x20, 0x3f, 0xe1, 0x1f, 0x40, 1, 'x', 1, 'y')));
    encoder.setPeerTableSize(10);
    encoder.setPeerTableSize(4096);
    encoder.setPeerTableSize(20);
    expect(hex(encoder.encode([['x', 'y']]))).toBe(hex(bytes(0x2a, 0x34, 0x40, 1, 'x', 1, 'y')));
  });

  it('announces a cap below the initial 4096 in its first block', () => {
    const encoder = new HpackEncoder(0);
    expect(hex(encoder.encode([['x', 'y']]))).toBe(hex(bytes(0x20, 0x40, 1, 'x', 1, 'y')));
    expect(hex(encoder.encode([['x', 'y']]))).toBe(hex(bytes(0x40, 1, 'x', 1, 'y')));
  });

  it('evicts by size (32 + latin1 lengths) exactly as the decoder does', () => {
    const encoder = new HpackEncoder(100);
    const a: HeaderField = ['aaaa', 'bbbb'];
    const c: HeaderField = ['cccc', 'dddd'];
    const e: HeaderField = ['eeee', 'ffff'];
    encoder.encode([a, c]);
    expect(hex(encoder.encode([a, c]))).toBe('bfbe');
    encoder.encode([e]); // evicts a
    expect(hex(encoder.encode([c, e]))).toBe('bfbe');
    expect(encoder.encode([a])[0]).toBe(0x40);
  });
});

/** A random field for the round trip: every byte value in names and values, repeats, big values. */
function randomField(random: Random, names: readonly string[]): HeaderField {
  const roll = random.next();
  const name = roll < 0.3 ? random.pick(STATIC_NAMES.slice(1)) : roll < 0.9 ? random.pick(names) : random.string(1 + random.int(12));
  const valueRoll = random.next();
  const value =
    valueRoll < 0.2 && STATIC_NAMES.includes(name)
      ? STATIC_VALUES[STATIC_NAMES.indexOf(name)]!
      : valueRoll < 0.97
        ? random.string(random.int(40))
        : random.string(40).repeat(100 + random.int(150));
  const indexingRoll = random.next();
  return [name, value, indexingRoll < 0.7 ? Indexing.Incremental : indexingRoll < 0.85 ? Indexing.Without : Indexing.Never];
}

describe('HPACK round trip (encoder to decoder)', () => {
  it('decodes a few thousand random header lists to exactly what was encoded', () => {
    const random = new Random(20260501);
    for (let connection = 0; connection < 60; connection++) {
      const advertised = random.pick([0, 64, 256, 1000, 4096, 65536]);
      const cap = random.pick([0, 100, 4096, 8192]);
      const decoder = new HpackDecoder(advertised);
      const encoder = new HpackEncoder(cap);
      encoder.setPeerTableSize(advertised);
      const names = Array.from({ length: 1 + random.int(20) }, () => random.string(1 + random.int(10), TOKEN));
      for (let block = 0; block < 50; block++) {
        if (random.next() < 0.05) {
          // The peer changes its SETTINGS between blocks, sometimes twice (shrink, then grow).
          encoder.setPeerTableSize(random.int(advertised + 1));
          if (random.next() < 0.5) encoder.setPeerTableSize(random.int(advertised + 1));
        }
        const fields = Array.from({ length: random.int(20) }, () => randomField(random, names));
        const encoded = encoder.encode(fields);
        expect(decoder.decode(encoded)).toEqual(headersOf(fields));
        expect(decoder.lastListSize).toBe(listSizeOf(fields));
      }
    }
  });
});

describe('HPACK against nghttp2 (node:http2) over loopback', () => {
  it('has the static table nghttp2 has: each entry sent as an indexed field arrives as its name and value', async () => {
    const seen = new Map<number, string[]>();
    const server = createServer();
    const record = (req: Http2ServerRequest, res: Http2ServerResponse) => {
      seen.set(req.stream.id!, req.rawHeaders);
      res.end();
    };
    // With an expect field, node's compatibility layer emits checkExpectation instead of request.
    server.on('request', record).on('checkExpectation', record);
    const client = await RawH2Client.connect(await listen(server));
    try {
      const expected = new Map<number, Array<[string, string]>>();
      const send = async (block: Buffer, fields: Array<[string, string]>) => {
        const result = await client.request(block);
        expect(result.rstCode).toBeUndefined();
        expected.set(expected.size * 2 + 1, fields);
      };
      const entry = (i: number): [string, string] => [STATIC_NAMES[i]!, STATIC_VALUES[i]!];
      const authority = bytes(0x01, 1, 'h');
      // Request pseudo-headers (1-7); :status (8-14) is checked on responses below.
      await send(bytes(0x82, 0x86, 0x84, ...authority), [entry(2), entry(6), entry(4), [':authority', 'h']]);
      await send(bytes(0x83, 0x87, 0x85, ...authority), [entry(3), entry(7), entry(5), [':authority', 'h']]);
      // Field entries 15-61, each indexed, except those nghttp2 refuses in a request: an empty
      // content-length or host (sent with a value instead) and transfer-encoding.
      const fields: Array<[string, string]> = [entry(2), entry(6), entry(4), [':authority', 'h']];
      const parts: Array<number | string> = [0x82, 0x86, 0x84, ...authority];
      for (let i = 15; i <= STATIC_TABLE_LENGTH; i++) {
        if (i === 57) continue;
        if (i === 28 || i === 38) {
          parts.push(0x0f, i - 15, 1, i === 28 ? '0' : 'h');
          fields.push([STATIC_NAMES[i]!, i === 28 ? '0' : 'h']);
        } else {
          parts.push(0x80 | i);
          fields.push(entry(i));
        }
      }
      await send(bytes(...parts), fields);
      for (const [id, f] of expected) expect(seen.get(id)).toEqual(f.flat());
    } finally {
      client.close();
      await close(server);
    }
  });

  it('(a) nghttp2 decodes our encoder\'s request blocks to exactly our fields, over many requests and size updates', async () => {
    for (const serverTableSize of [4096, 300]) {
      const seen = new Map<number, string[]>();
      const server = createServer({ settings: { headerTableSize: serverTableSize } });
      server.on('request', (req, res) => {
        seen.set(req.stream.id!, req.rawHeaders);
        res.end();
      });
      const client = await RawH2Client.connect(await listen(server));
      const random = new Random(serverTableSize);
      const encoder = new HpackEncoder();
      encoder.setPeerTableSize(client.peerSettings.get(Setting.HEADER_TABLE_SIZE) ?? 4096);
      const names = Array.from({ length: 15 }, () => 'x-' + random.string(1 + random.int(8), TOKEN));
      const hosts = ['a.example', 'b.example:8080', 'identity'];
      const valueOf = () => {
        const length = random.next() < 0.05 ? 300 + random.int(3000) : random.int(30);
        const v = random.string(length, VALUE_CHARS);
        return v.replace(/^[\t ]+|[\t ]+$/g, ''); // nghttp2 drops values with surrounding whitespace
      };
      try {
        for (let request = 0; request < 150; request++) {
          if (request === 50) {
            encoder.setPeerTableSize(0);
            encoder.setPeerTableSize(serverTableSize);
          }
          if (request === 100) encoder.setPeerTableSize(Math.floor(serverTableSize / 3));
          const fields: HeaderField[] = [
            [':method', random.pick(['GET', 'POST'])],
            [':scheme', 'http'],
            [':path', '/' + random.pick(['pkg.Svc/Get', 'pkg.Svc/List', random.string(random.int(20), TOKEN)]), random.pick([Indexing.Incremental, Indexing.Without])],
            [':authority', random.pick(hosts)],
          ];
          for (let i = random.int(12); i > 0; i--) {
            const roll = random.next();
            if (roll < 0.2) fields.push(['content-type', random.pick(['application/grpc', 'application/grpc+proto', valueOf()])]);
            else if (roll < 0.3) fields.push(['authorization', 'Bearer ' + random.string(20, TOKEN), Indexing.Never]);
            else if (roll < 0.4) fields.push(['accept-encoding', random.pick(['gzip, deflate', 'identity'])]);
            else fields.push([random.pick(names), random.next() < 0.5 ? random.pick(['1', 'same', 'trailers']) : valueOf(), random.pick([Indexing.Incremental, Indexing.Incremental, Indexing.Without, Indexing.Never])]);
          }
          const result = await client.request(encoder.encode(fields));
          expect(result.rstCode).toBeUndefined();
          expect(seen.get(2 * request + 1)).toEqual(fields.flatMap(([n, v]) => [n, v]));
        }
      } finally {
        client.close();
        await close(server);
      }
    }
  });

  /** Header sets a node:http2 server sends, and what our decoder must read from them. */
  interface Response {
    readonly headers: OutgoingHttpHeaders;
    readonly trailers?: OutgoingHttpHeaders;
    readonly expected: DecodedHeaders[];
  }

  function randomResponse(random: Random, names: readonly string[]): Response {
    const sensitive: string[] = [];
    const valueOf = () => random.string(random.next() < 0.05 ? 200 + random.int(3000) : random.int(40), random.next() < 0.5 ? SENDABLE_CHARS : TOKEN);
    const fieldsOf = (n: number): Array<[string, string]> => {
      const fields: Array<[string, string]> = [];
      for (let i = 0; i < n; i++) {
        const roll = random.next();
        if (roll < 0.15) fields.push(['cache-control', random.pick(['no-cache', 'private', valueOf()])]);
        else if (roll < 0.25) fields.push(['set-cookie', valueOf()]);
        else fields.push([random.pick(names), random.next() < 0.4 ? random.pick(['0', 'OK', 'identity,deflate,gzip']) : valueOf()]);
      }
      return fields;
    };
    const toHeaders = (fields: ReadonlyArray<readonly [string, string]>): OutgoingHttpHeaders => {
      const headers: OutgoingHttpHeaders = {};
      for (const [name, value] of fields) {
        const previous = headers[name];
        headers[name] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [String(previous)]), value];
      }
      return headers;
    };
    const status = random.pick(['200', '200', '204', '206', '304', '400', '404', '500', '201', '503']);
    const headerFields: Array<[string, string]> = [['date', random.pick(['Tue, 05 May 2026 10:00:00 GMT', valueOf()])], ...fieldsOf(random.int(12))];
    for (const [name] of headerFields) if (name !== 'date' && random.next() < 0.05) sensitive.push(name);
    const headers = { ...toHeaders(headerFields), ':status': status, [sensitiveHeaders]: sensitive };
    const expected = [headersOf([[':status', status], ...headerFields])];
    if (['204', '304'].includes(status)) return { headers, expected };
    const trailerFields: Array<[string, string]> = [['grpc-status', random.pick(['0', '5', '14'])], ...fieldsOf(random.int(4))];
    return { headers, trailers: toHeaders(trailerFields), expected: [...expected, headersOf(trailerFields)] };
  }

  it('(b) our decoder reads exactly what nghttp2 sent: headers and trailers, Huffman, dynamic indexing, size updates', async () => {
    for (const [ourTableSize, seed] of [
      [4096, 1],
      [1024, 2],
    ] as const) {
      const random = new Random(seed);
      const names = Array.from({ length: 25 }, () => 'x-' + random.string(1 + random.int(10), TOKEN));
      const responses = Array.from({ length: 150 }, () => randomResponse(random, names));
      const server = createServer();
      server.on('stream', (stream, headers) => {
        const response = responses[Number(String(headers[':path']).slice(1))]!;
        if (!response.trailers) return stream.respond(response.headers, { endStream: true });
        stream.respond(response.headers, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers(response.trailers!));
        stream.end();
      });
      const client = await RawH2Client.connect(await listen(server), [[Setting.HEADER_TABLE_SIZE, ourTableSize]]);
      const decoder = new HpackDecoder(ourTableSize);
      const encoder = new HpackEncoder();
      try {
        for (let i = 0; i < responses.length; i++) {
          if (i === 60) await client.sendSettings([[Setting.HEADER_TABLE_SIZE, 200]]);
          if (i === 90) await client.sendSettings([[Setting.HEADER_TABLE_SIZE, ourTableSize]]);
          const result = await client.request(encoder.encode([[':method', 'GET'], [':scheme', 'http'], [':path', `/${i}`], [':authority', 'h']]));
          expect(result.rstCode).toBeUndefined();
          expect(result.headerBlocks.map((block) => decoder.decode(block))).toEqual(responses[i]!.expected);
        }
      } finally {
        client.close();
        await close(server);
      }
    }
  });
});

describe('HpackDecoder on damaged blocks', () => {
  it('gives a result or HpackError for truncated and bit-flipped real blocks, nothing else', async () => {
    // Real blocks: nghttp2's (Huffman, dynamic references) and ours.
    const blocks: Buffer[] = [];
    const server = createServer();
    let n = 0;
    server.on('stream', (stream) => {
      n++;
      stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'x-request-id': `${n}-8c1f0c0e-9a4b-4f55-a2a1-${n}`, 'grpc-encoding': 'identity', 'set-cookie': ['a=1', 'b=2'] }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0', 'grpc-message': 'OK ' + 'é'.repeat(n % 5) }));
      stream.end();
    });
    const client = await RawH2Client.connect(await listen(server));
    const encoder = new HpackEncoder();
    try {
      for (let i = 0; i < 10; i++) {
        const request = encoder.encode([[':method', 'POST'], [':scheme', 'http'], [':path', `/svc/${i}`], [':authority', 'h'], ['te', 'trailers']]);
        blocks.push(request, ...(await client.request(request)).headerBlocks);
      }
    } finally {
      client.close();
      await close(server);
    }
    const random = new Random(99);
    const outcomes = { decoded: 0, rejected: 0 };
    const shared = new HpackDecoder();
    for (let i = 0; i < 20000; i++) {
      const original = random.pick(blocks);
      const damaged = Buffer.from(original);
      const kind = random.int(3);
      let block = damaged;
      if (kind === 0) block = damaged.subarray(0, random.int(damaged.length));
      else for (let flips = 1 + random.int(3); flips > 0; flips--) damaged[random.int(damaged.length)] ^= 1 << random.int(8);
      if (kind === 2) block = Buffer.concat([damaged, Buffer.from([random.int(256), random.int(256)])]);
      for (const decoder of [new HpackDecoder(), shared]) {
        try {
          decoder.decode(block);
          outcomes.decoded++;
        } catch (e) {
          if (!(e instanceof HpackError)) throw e;
          outcomes.rejected++;
        }
      }
    }
    expect(outcomes.decoded).toBeGreaterThan(1000);
    expect(outcomes.rejected).toBeGreaterThan(1000);
  });
});
