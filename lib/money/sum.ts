import { Decimal, DECIMAL_LIMITS, pow10 } from './decimal';

/**
 * The exact sum of decimal strings. Every term is brought to 18 fractional digits and added
 * as a BigInt, so the order of the terms never changes the total and no intermediate sum is
 * rounded; only the final total must fit DECIMAL(38, 18). A bad term is INVALID_ARGUMENT at
 * `field[i]`.
 */
export function sumDecimals(values: readonly string[], field = 'amounts'): Decimal {
  const scale = DECIMAL_LIMITS.maxScale;
  let total = 0n;
  values.forEach((text, i) => {
    const d = Decimal.parse(text, `${field}[${i}]`);
    total += d.units * pow10(scale - d.scale);
  });
  return Decimal.of(total, scale);
}
