import { Decimal } from './decimal';
import { DecimalError } from './errors';
import { sumDecimals } from './sum';
import { seededRandom } from '../../test/support/seeded-random';


function shuffle<T>(items: T[], rand: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Random amounts of mixed signs, sizes and scales (0 to 18 fractional digits). */
function amounts(n: number, rand: () => number): string[] {
  return Array.from({ length: n }, () => {
    const scale = Math.floor(rand() * 19);
    const intDigits = 1 + Math.floor(rand() * 12);
    let digits = '';
    for (let i = 0; i < intDigits + scale; i++) digits += Math.floor(rand() * 10);
    const text = scale > 0 ? `${digits.slice(0, intDigits)}.${digits.slice(intDigits)}` : digits;
    return rand() < 0.3 ? `-${text}` : text;
  });
}

describe('sumDecimals', () => {
  it('a million additions of 0.0000008 are exactly 0.8', () => {
    const values = new Array<string>(1_000_000).fill('0.0000008');
    expect(sumDecimals(values).toString()).toBe('0.8');
    // The same through Decimal.add, one at a time.
    const step = Decimal.parse('0.0000008');
    let total = Decimal.ZERO;
    for (let i = 0; i < 1_000_000; i++) total = total.add(step);
    expect(total.toString()).toBe('0.8');
    // What binary floating point would have given instead:
    let float = 0;
    for (let i = 0; i < 1_000_000; i++) float += 0.0000008;
    expect(String(float)).not.toBe('0.8');
  });

  it('the order of summation never changes the total', () => {
    const rand = seededRandom(20240501);
    const values = amounts(5000, rand);
    const expected = sumDecimals(values).toString();
    for (let round = 0; round < 25; round++) {
      const shuffled = shuffle(values, rand);
      expect(sumDecimals(shuffled).toString()).toBe(expected);
      const pairwise = shuffled.reduce((acc, v) => acc.add(Decimal.parse(v)), Decimal.ZERO);
      expect(pairwise.toString()).toBe(expected);
    }
    // Splitting into parts and adding the part totals gives the same again.
    const parts = [values.slice(0, 1234), values.slice(1234, 4000), values.slice(4000)].map((p) => sumDecimals(p).toString());
    expect(sumDecimals(parts).toString()).toBe(expected);
  });

  it('matches an independent exact computation', () => {
    // Sum scaled integers built straight from the strings, without Decimal.
    const rand = seededRandom(7);
    const values = amounts(2000, rand);
    let units = 0n;
    for (const v of values) {
      const [int, frac = ''] = v.replace('-', '').split('.');
      const scaled = BigInt(int + frac.padEnd(18, '0'));
      units += v.startsWith('-') ? -scaled : scaled;
    }
    expect(sumDecimals(values).equals(Decimal.of(units, 18))).toBe(true);
  });

  it('sums the usual float traps exactly', () => {
    expect(sumDecimals(new Array(10).fill('0.1')).toString()).toBe('1');
    expect(sumDecimals(['0.1', '0.2']).toString()).toBe('0.3');
    expect(sumDecimals(['1.005', '-1.005', '0.000000000000000001']).toString()).toBe('0.000000000000000001');
    expect(sumDecimals(['99999999999999999999', '-99999999999999999999', '1']).toString()).toBe('1');
  });

  it('an empty list sums to zero', () => {
    expect(sumDecimals([]).toString()).toBe('0');
  });

  it('a bad term names its index', () => {
    let err: unknown;
    try {
      sumDecimals(['1.00', '2', '3e2']);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DecimalError);
    expect((err as DecimalError).field).toBe('amounts[2]');
    expect((err as DecimalError).message).toMatch(/^amounts\[2\]: "3e2" uses exponent notation/);
    expect(() => sumDecimals(['1', 2 as unknown as string], 'rows')).toThrow(/^rows\[1\]: amounts are decimal strings/);
  });

  it('only the final total must fit the range, so the order cannot make a sum fail', () => {
    const big = '99999999999999999999';
    expect(sumDecimals([big, big, `-${big}`]).toString()).toBe(big);
    expect(sumDecimals([`-${big}`, big, big]).toString()).toBe(big);
    expect(() => sumDecimals([big, big])).toThrow(/beyond the supported range/);
  });
});
