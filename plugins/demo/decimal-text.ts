const POW10 = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000];

/**
 * Formats a non-negative integer count of 10^-scale units as a plain decimal string
 * (1234567 at scale 6 -> "1.234567"). Integer arithmetic only: `units` stays below 2^53, where
 * % and exact division are exact, so no binary fraction ever enters an amount.
 */
export function unitsToDecimal(units: number, scale: number): string {
  const unit = POW10[scale];
  const frac = units % unit;
  const whole = (units - frac) / unit;
  return `${whole}.${String(unit + frac).slice(1)}`;
}
