import { Decimal } from '../../../../lib/money';
import { decimalLimbs, limbsToDecimal, LimbTotal } from './amount-limbs';

/** The definition: a3·10^9 + a2 + a1·10^-9 + a0·10^-18, built with BigInt alone. */
const reference = (a0: number, a1: number, a2: number, a3: number): Decimal =>
  Decimal.of(((BigInt(a3) * 10n ** 9n + BigInt(a2)) * 10n ** 9n + BigInt(a1)) * 10n ** 9n + BigInt(a0), 18);
const limbDecimal = (l: { a0: number; a1: number; a2: number; a3: number }) => limbsToDecimal(l.a0, l.a1, l.a2, l.a3);

/** A deterministic generator (the same cases every run). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('ledger: limbsToDecimal', () => {
  it('gives exactly the value the limbs define, canonical, for sums of every sign and size', () => {
    const next = random(7);
    const limb = (max: number) => Math.round((next() * 2 - 1) * max);
    const cases: [number, number, number, number][] = [
      [0, 0, 0, 0],
      [0, 0, 5, 0],
      [0, 500_000_000, 0, 0],
      [1, 0, 0, 0],
      [-1, 0, 0, 0],
      [0, 0, 0, 3],
      [-999_999_999, 999_999_999, -999_999_999, 1],
      [2 ** 52, -(2 ** 52), 2 ** 52, -7],
      [120_000_000, 0, 12, 0],
    ];
    for (let i = 0; i < 5000; i++) {
      const scale = [1e3, 1e9, 1e12, 2 ** 52][i % 4];
      cases.push([limb(scale), limb(scale), limb(scale), limb(i % 8 === 0 ? 0 : 1e6)]);
    }
    for (const [a0, a1, a2, a3] of cases) {
      const got = limbDecimal({ a0, a1, a2, a3 });
      const want = reference(a0, a1, a2, a3);
      expect([a0, a1, a2, a3, got.toString()]).toEqual([a0, a1, a2, a3, want.toString()]);
      expect(got.equals(want)).toBe(true);
    }
  });

  it('reads back the limbs of stored amounts and of running totals', () => {
    for (const text of ['0.000001', '-12.5', '123456789012345.123456789012345678', '1000000000', '-0.000000001000000001']) {
      expect(limbDecimal(decimalLimbs(Decimal.parse(text))).toString()).toBe(text);
    }
    const total = new LimbTotal();
    for (let i = 0; i < 1000; i++) total.add(999_999_999, 999_999_999, 999_999_999, 0);
    expect(limbDecimal(total).equals(total.toDecimal())).toBe(true);
  });

  it('refuses limbs that are not exact integers', () => {
    expect(() => limbDecimal({ a0: 0.5, a1: 0, a2: 0, a3: 0 })).toThrow(/not an exact integer/);
    expect(() => limbDecimal({ a0: 2 ** 60, a1: 0, a2: 0, a3: 0 })).toThrow(/not an exact integer/);
  });
});
