import { Decimal } from '../../../../lib/money';
import { canonicalDecimal } from './row-validation';

/** The fast path must agree with lib/money's Decimal on every input it accepts. */
describe('canonicalDecimal', () => {
  const reference = (text: string): string | null => {
    try {
      return Decimal.parse(text).toString();
    } catch {
      return null;
    }
  };

  it.each([
    '0', '-0', '+0', '0.0', '1', '1.50', '-1.50', '+2.000', '00012.3400', '0.0000008', '-0.000000000000000001',
    '12345678901234567890', '123456789012345678901', '1.123456789012345678', '1.1234567890123456789', '1.1234567890123456780',
    '', '-', '+', '.', '.5', '5.', '1e-7', '1E5', 'NaN', '1.0.0', ' 1', '1 ', '1,5', '--1', '0x10',
  ])('%s', (text) => {
    const fast = canonicalDecimal(text);
    // null means "not handled here": the caller falls back to Decimal.parse (and its error).
    if (fast !== null) expect(fast).toBe(reference(text));
  });

  it('agrees on 20,000 random amounts', () => {
    let seed = 42;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const digits = (n: number) => Array.from({ length: n }, () => String(rnd(10))).join('');
    let checked = 0;
    for (let i = 0; i < 20_000; i++) {
      const sign = ['', '-', '+'][rnd(3)];
      const whole = digits(1 + rnd(22));
      const text = rnd(4) === 0 ? `${sign}${whole}` : `${sign}${whole}.${digits(1 + rnd(20))}`;
      const fast = canonicalDecimal(text);
      if (fast === null) continue;
      expect(fast).toBe(reference(text));
      checked++;
    }
    expect(checked).toBeGreaterThan(10_000);
  });
});
