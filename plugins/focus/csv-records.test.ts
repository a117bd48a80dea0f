import { CsvRecordReader, CsvSyntaxError } from './csv-records';
import { scaledDecimal, utcDay } from './focus-values';

const TEXT = '\uFEFFa,b,c\r\n1,"x, ""quoted""\r\nsecond line",3\n,,\r"",NULL,"last"';
const EXPECTED = [
  { line: 1, fields: ['a', 'b', 'c'] },
  { line: 2, fields: ['1', 'x, "quoted"\r\nsecond line', '3'] },
  { line: 4, fields: ['', '', ''] },
  { line: 5, fields: ['', 'NULL', 'last'] },
];

function readAll(chunks: string[]) {
  const r = new CsvRecordReader();
  const out = chunks.flatMap((c) => r.push(c));
  return [...out, ...r.end()];
}

describe('CsvRecordReader (RFC 4180, streaming)', () => {
  it('reads quotes, doubled quotes, embedded line breaks, CRLF, LF and CR, a BOM and a last line without a break', () => {
    expect(readAll([TEXT])).toEqual(EXPECTED);
  });

  it('gives the same records whatever the chunk boundaries (every split point, and one character at a time)', () => {
    for (let i = 0; i <= TEXT.length; i++) expect(readAll([TEXT.slice(0, i), TEXT.slice(i)])).toEqual(EXPECTED);
    expect(readAll([...TEXT])).toEqual(EXPECTED);
  });

  it('flags text after a closing quote and fails on a quote left open at the end', () => {
    expect(readAll(['"a"b,c\n'])).toEqual([{ line: 1, fields: ['ab', 'c'], problem: 'text after a closing quote in field 1' }]);
    expect(() => readAll(['a,b\n"open,c\n'])).toThrow(CsvSyntaxError);
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
