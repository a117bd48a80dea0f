import { CsvScanner } from './csv-records';
import { FieldCache } from './field-cache';
import { TupleIndex } from './tuple-index';

/** The scanner at the one record of text. */
function record(text: string): CsvScanner {
  const s = new CsvScanner();
  s.feed(Buffer.from(text));
  s.finish();
  if (!s.next()) throw new Error('no record');
  return s;
}

describe('FieldCache (values looked up by the bytes of a field)', () => {
  it('makes a value once per distinct text, and tells a quoted field with doubled quotes from the same bytes unquoted', () => {
    const made: string[] = [];
    const cache = new FieldCache((t) => (made.push(t), `<${t}>`));
    const s = record('USD,"USD",EUR,USD,"a""b",a""b,"",x');
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((k) => cache.get(s, k))).toEqual(['<USD>', '<USD>', '<EUR>', '<USD>', '<a"b>', '<a""b>', '<>', '<x>']);
    expect(made).toEqual(['USD', 'EUR', 'a"b', 'a""b', '', 'x']);
  });

  it('stays bounded: when full it starts again, and still answers right', () => {
    const cache = new FieldCache((t) => t.toUpperCase(), 100);
    for (let i = 0; i < 1000; i++) {
      const s = record(`value-${i % 250},v${i}`);
      expect([cache.get(s, 0), cache.get(s, 1)]).toEqual([`VALUE-${i % 250}`, `V${i}`]);
      expect(cache.size).toBeLessThanOrEqual(100);
    }
  });
});

describe('TupleIndex (dense numbers for tuples of ids)', () => {
  it('numbers each distinct tuple once, in the order first seen, however many', () => {
    const index = new TupleIndex(3);
    const seen = new Map<string, number>();
    const t = new Int32Array(3);
    const got: number[] = [];
    const expected: number[] = [];
    for (let i = 0; i < 20000; i++) {
      t[0] = i % 7;
      t[1] = (i * 13) % 101;
      t[2] = i % 3 === 0 ? -1 : 5;
      const key = t.join();
      got.push(index.add(t));
      const known = seen.get(key);
      if (known === undefined) seen.set(key, seen.size);
      expected.push(known ?? -seen.size);
    }
    expect(got).toEqual(expected);
    expect(index.size).toBe(seen.size);
    expect(index.size).toBeGreaterThan(1000);
  });
});
