import { findDelimiter, findQuote } from './byte-search';
import { CsvScanner, CsvSyntaxError, MAX_RECORD_BYTES, type CsvRecord } from './csv-records';
import { scaledDecimal, utcDay } from './focus-values';
import { ReferenceCsvReader } from './testing/reference-csv';
import { seededRandom } from '../../test/support/seeded-random';

const TEXT = '\uFEFFa,b,c\r\n1,"x, ""quoted""\r\nsecond line",3\n,,\r"",NULL,"last"';
const EXPECTED = [
  { line: 1, fields: ['a', 'b', 'c'] },
  { line: 2, fields: ['1', 'x, "quoted"\r\nsecond line', '3'] },
  { line: 4, fields: ['', '', ''] },
  { line: 5, fields: ['', 'NULL', 'last'] },
];

/** Every record of the chunks, as the scanner gives them. */
function scanAll(chunks: Uint8Array[]): CsvRecord[] {
  const s = new CsvScanner();
  const out: CsvRecord[] = [];
  for (const c of chunks) {
    s.feed(c);
    while (s.next()) out.push(s.record());
  }
  s.finish();
  while (s.next()) out.push(s.record());
  return out;
}

/** The reference reader's records (or its error) for the same bytes. */
function referenceOf(bytes: Uint8Array): CsvRecord[] | { error: string; line: number } {
  const r = new ReferenceCsvReader();
  try {
    return [...r.push(new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes)), ...r.end()];
  } catch (err) {
    return { error: (err as Error).message, line: (err as CsvSyntaxError).line };
  }
}
function scannedOf(chunks: Uint8Array[]): CsvRecord[] | { error: string; line: number } {
  try {
    return scanAll(chunks);
  } catch (err) {
    return { error: (err as Error).message, line: (err as CsvSyntaxError).line };
  }
}

const bytes = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));
/** A copy of b at an odd offset of a larger buffer (so that word-at-a-time reads start unaligned). */
const unaligned = (b: Uint8Array, by: number) => {
  const big = Buffer.alloc(b.length + by);
  big.set(b, by);
  return big.subarray(by);
};

/** Splits b into chunks at random points. */
function split(b: Uint8Array, rnd: () => number, most: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  while (at < b.length) {
    const n = 1 + Math.floor(rnd() * most);
    out.push(unaligned(b.subarray(at, at + n), Math.floor(rnd() * 4)));
    at += n;
  }
  return out;
}

describe('CsvScanner (RFC 4180 over bytes, streaming)', () => {
  it('reads quotes, doubled quotes, embedded line breaks, CRLF, LF and CR, a BOM and a last line without a break', () => {
    expect(scanAll([bytes(TEXT)])).toEqual(EXPECTED);
  });

  it('gives the same records whatever the chunk boundaries (every split point, and one byte at a time)', () => {
    const b = bytes(TEXT);
    for (let i = 0; i <= b.length; i++) expect(scanAll([b.subarray(0, i), b.subarray(i)])).toEqual(EXPECTED);
    expect(scanAll([...b].map((x) => Uint8Array.of(x)))).toEqual(EXPECTED);
  });

  it('keeps multibyte UTF-8 whole when a chunk ends inside a character', () => {
    const text = 'name,city\n"Zoë, ""the 🚀""",Zürich\n中文,"東京\nセンター"\n';
    const expected = [
      { line: 1, fields: ['name', 'city'] },
      { line: 2, fields: ['Zoë, "the 🚀"', 'Zürich'] },
      { line: 3, fields: ['中文', '東京\nセンター'] },
    ];
    const b = bytes(text);
    for (let i = 0; i <= b.length; i++) expect(scanAll([b.subarray(0, i), b.subarray(i)])).toEqual(expected);
  });

  it('flags text after a closing quote and fails on a quote left open at the end, naming its line', () => {
    expect(scanAll([bytes('"a"b,c\n')])).toEqual([{ line: 1, fields: ['ab', 'c'], problem: 'text after a closing quote in field 1' }]);
    expect(() => scanAll([bytes('a,b\n"open,c\n')])).toThrow(new CsvSyntaxError(2, 'the file ends inside a quoted field'));
  });

  it('refuses a record longer than MAX_RECORD_BYTES, whole or not, however it is split', () => {
    const long = bytes(`a\n"${'x'.repeat(MAX_RECORD_BYTES)}"\nb\n`);
    for (const size of [long.length, 1 << 16]) {
      const chunks: Uint8Array[] = [];
      for (let at = 0; at < long.length; at += size) chunks.push(long.subarray(at, at + size));
      expect(() => scanAll(chunks)).toThrow(/^a record longer than/);
    }
  });

  it('agrees with the reference reader on random texts in random chunks (fields, lines, problems and errors)', () => {
    const rnd = seededRandom(7);
    const atoms = ['a', 'bc', 'é', '🚀', '中', ',', ',', '"', '""', '\r', '\n', '\r\n', ' ', 'NULL', '0.5', 'a fairly long field of text', '\uFEFF'];
    for (let t = 0; t < 1500; t++) {
      let text = '';
      const n = Math.floor(rnd() * 40);
      for (let i = 0; i < n; i++) text += atoms[Math.floor(rnd() * atoms.length)];
      const b = bytes(text);
      expect({ text, got: scannedOf(split(b, rnd, 1 + Math.floor(rnd() * 12))) }).toEqual({ text, got: referenceOf(b) });
    }
  });

  it('agrees with the reference reader on well-formed CSV with long quoted fields (word-at-a-time search)', () => {
    const rnd = seededRandom(11);
    for (let t = 0; t < 300; t++) {
      const rows: string[] = [];
      for (let r = 0; r < 1 + rnd() * 6; r++) {
        const fields: string[] = [];
        for (let f = 0; f < 1 + rnd() * 8; f++) {
          const len = Math.floor(rnd() * 30);
          let v = '';
          for (let i = 0; i < len; i++) v += 'abcdefgh ,"\n\ré🚀'[Math.floor(rnd() * 16)] ?? 'z';
          fields.push(/[",\r\n]/.test(v) || rnd() < 0.3 ? `"${v.replace(/"/g, '""')}"` : v);
        }
        rows.push(fields.join(','));
      }
      const text = rows.join(rnd() < 0.5 ? '\n' : '\r\n') + (rnd() < 0.5 ? '\n' : '');
      const b = bytes(text);
      expect({ text, got: scannedOf(split(b, rnd, 64)) }).toEqual({ text, got: referenceOf(b) });
    }
  });
});

describe('byte search, four bytes at a time', () => {
  it('finds the first quote, and the first comma, LF or CR, as a byte-by-byte search does, from any offset and alignment', () => {
    const rnd = seededRandom(3);
    // Delimiters, and bytes that differ from them only in the high bit (a word test must not take them).
    const alphabet = [34, 44, 10, 13, 0xa2, 0xac, 0x8a, 0x8d, 0xc3, 0xa9];
    for (let t = 0; t < 2000; t++) {
      const len = Math.floor(rnd() * 40);
      const raw = new Uint8Array(len);
      for (let i = 0; i < len; i++) raw[i] = rnd() < 0.9 ? 97 + Math.floor(rnd() * 26) : alphabet[Math.floor(rnd() * alphabet.length)];
      const d = unaligned(raw, Math.floor(rnd() * 4));
      const v = new DataView(d.buffer, d.byteOffset, d.length);
      const from = Math.floor(rnd() * (len + 1));
      const to = from + Math.floor(rnd() * (len - from + 1));
      let q = from;
      while (q < to && d[q] !== 34) q++;
      let c = from;
      while (c < to && d[c] !== 44 && d[c] !== 10 && d[c] !== 13) c++;
      expect([findQuote(d, v, from, to), findDelimiter(d, v, from, to)]).toEqual([q, c]);
    }
  });
});

describe('FOCUS values', () => {
  it('reads timestamps in the spec form and the forms real exports use, to the UTC day', () => {
    expect(utcDay('2024-09-18T22:00:00Z')).toEqual({ day: '2024-09-18', form: 'canonical' });
    expect(utcDay('2024-09-18 22:00:00')).toEqual({ day: '2024-09-18', form: 'space_no_zone' });
    expect(utcDay('2024-09-18')).toEqual({ day: '2024-09-18', form: 'date_only' });
    expect(utcDay('2024-09-18T22:00:00-05:00')).toEqual({ day: '2024-09-19', form: 'offset' });
    expect(utcDay('2024-02-30 00:00:00')).toMatch(/is not a date-time/);
    expect(utcDay('18/09/2024')).toMatch(/is not a date-time/);
  });

  it('reads decimals exactly at 18 places; no exponent or garbage', () => {
    expect(scaledDecimal('0.00000080000')).toBe(800_000_000_000n);
    expect(scaledDecimal('-12.5')).toBe(-12_500_000_000_000_000_000n);
    expect(scaledDecimal('1e-7')).toMatch(/exponent/);
    expect(scaledDecimal('1,5')).toMatch(/not a decimal/);
    expect(scaledDecimal('0.0000000000000000001')).toMatch(/more than 18 fractional digits/);
  });
});
