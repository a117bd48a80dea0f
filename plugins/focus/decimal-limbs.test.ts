import { LIMBS, LimbSum, limbsPositive, limbsToUnits, parseDecimalLimbs } from './decimal-limbs';
import { scaledDecimal } from './focus-values';
import { seededRandom } from '../../test/support/seeded-random';

const digits = (rnd: () => number, n: number) => Array.from({ length: n }, () => String(Math.floor(rnd() * 10))).join('');

/** Decimal-looking texts near every limit (digits, zeros, signs), and some that are not decimals. */
function decimalText(rnd: () => number): string {
  const sign = ['', '', '-', '+'][Math.floor(rnd() * 4)];
  const zeros = '0'.repeat(Math.floor(rnd() * 3));
  const int = zeros + digits(rnd, Math.floor(rnd() * 23));
  const frac = rnd() < 0.8 ? `.${digits(rnd, Math.floor(rnd() * 21))}${'0'.repeat(Math.floor(rnd() * 4))}` : '';
  let text = sign + int + frac;
  if (rnd() < 0.1) {
    const junk = ['e', 'E', ' ', ',', '.', '-', 'x', '١', '"'][Math.floor(rnd() * 9)];
    const at = Math.floor(rnd() * (text.length + 1));
    text = text.slice(0, at) + junk + text.slice(at);
  }
  return text;
}

const limbsOf = (text: string): bigint | null => {
  const out = new Float64Array(LIMBS);
  const b = Buffer.from(`,${text},`);
  return parseDecimalLimbs(b, 1, b.length - 1, out) ? limbsToUnits(out[0], out[1], out[2], out[3], out[4]) : null;
};

describe('decimal limbs (exact sums without a BigInt per line item)', () => {
  it('reads from bytes exactly what scaledDecimal reads, and refuses what it refuses (property)', () => {
    const rnd = seededRandom(42);
    const texts = ['', '.', '-', '+.5', '.5', '5.', '-0', '0.000000000000000001', '99999999999999999999.999999999999999999', '100000000000000000000', '1.0000000000000000000000'];
    for (let t = 0; t < 20000; t++) texts.push(decimalText(rnd));
    const wrong = [];
    let accepted = 0;
    for (const text of texts) {
      const reference = scaledDecimal(text);
      const units = limbsOf(text);
      if (units !== (typeof reference === 'bigint' ? reference : null)) wrong.push({ text, units, reference });
      if (units !== null) accepted++;
    }
    expect(wrong).toEqual([]);
    expect(accepted).toBeGreaterThan(texts.length / 3); // both kinds were tried
    expect(accepted).toBeLessThan(texts.length - texts.length / 10);
  });

  it('sums exactly, whatever the signs, the count (carries included) or how sums are combined', () => {
    const rnd = seededRandom(5);
    const out = new Float64Array(LIMBS);
    const parts = [new LimbSum(), new LimbSum(), new LimbSum()];
    let expected = 0n;
    for (let t = 0; t < 30000; t++) {
      const text = `${rnd() < 0.3 ? '-' : ''}${digits(rnd, 1 + Math.floor(rnd() * 18))}.${digits(rnd, Math.floor(rnd() * 19))}`;
      const b = Buffer.from(text);
      if (!parseDecimalLimbs(b, 0, b.length, out)) throw new Error(`refused ${text}`);
      parts[t % 3].add(out);
      expected += scaledDecimal(text) as bigint;
    }
    const total = LimbSum.of(parts[0].limbs());
    total.addSum(parts[1]);
    total.addSum(LimbSum.of(parts[2].limbs()));
    expect(total.units()).toBe(expected);
  });

  it('carries before a limb leaves the exact range (millions of the largest amounts)', () => {
    const out = new Float64Array(LIMBS);
    const b = Buffer.from('99999999999999999999.999999999999999999');
    parseDecimalLimbs(b, 0, b.length, out);
    const sum = new LimbSum();
    const n = 5_000_000;
    for (let i = 0; i < n; i++) sum.add(out);
    expect(sum.units()).toBe(BigInt(n) * (scaledDecimal(b.toString()) as bigint));
  });

  it('tells an amount above zero', () => {
    const out = new Float64Array(LIMBS);
    const positive = (t: string) => (parseDecimalLimbs(Buffer.from(t), 0, t.length, out), limbsPositive(out));
    expect([positive('0.000000000000000001'), positive('12'), positive('0'), positive('-0.5'), positive('-0')]).toEqual([true, true, false, false, false]);
  });
});
