import { DECIMAL_LIMITS } from '../../lib/money';
import { SUM_SCALE } from './focus-values';

/**
 * Exact decimal sums without a BigInt per line item.
 *
 * A plain decimal (at most 20 integer and 18 fractional digits, what Decimal holds) is read from
 * its bytes into five limbs of nine digits, all with the amount's sign:
 *   [0] = fractional digits 10..18, [1] = fractional digits 1..9,
 *   [2] = integer digits 1..9 (from the point), [3] = integer digits 10..18, [4] = digits 19..20
 * so that amount = Σ limb[i]·10^(9i−18). Each limb is below 10^9 in magnitude, so float64
 * additions of limbs are exact integer additions while a running limb stays below 2^53; a sum
 * carries (normalises) every NORMALISE_EVERY additions, long before that. The limbs become one
 * BigInt only when a sum is read.
 */
export const LIMBS = 5;

const E9 = 1_000_000_000;
const BIG_E9 = 1_000_000_000n;
/** (NORMALISE_EVERY + 1) · 10^9 < 2^53: every limb stays an exact integer between carries. */
const NORMALISE_EVERY = 1 << 22;
const MAX_INTEGER_DIGITS = DECIMAL_LIMITS.maxIntegerDigits;

/**
 * Reads the plain decimal in bytes [s, e) of d into out[0..4]; false (out untouched) when it is
 * not one that scaledDecimal accepts: [+-]digits[.digits], at most 20 integer digits (leading
 * zeros aside) and 18 fractional digits (trailing zeros aside).
 */
export function parseDecimalLimbs(d: Uint8Array, s: number, e: number, out: Float64Array): boolean {
  let i = s;
  if (i >= e) return false;
  const first = d[i];
  const negative = first === 45;
  if (negative || first === 43) i++;
  const intStart = i;
  while (i < e && d[i] >= 48 && d[i] <= 57) i++;
  const intEnd = i;
  if (intEnd === intStart) return false;
  let fracStart = i;
  let fracEnd = i;
  if (i < e) {
    if (d[i] !== 46) return false;
    fracStart = ++i;
    while (i < e && d[i] >= 48 && d[i] <= 57) i++;
    if (i !== e) return false;
    fracEnd = i;
  }
  while (fracEnd > fracStart && d[fracEnd - 1] === 48) fracEnd--;
  if (fracEnd - fracStart > SUM_SCALE) return false;
  let is = intStart;
  while (is < intEnd && d[is] === 48) is++;
  if (intEnd - is > MAX_INTEGER_DIGITS) return false;

  const at9 = intEnd - 9 > is ? intEnd - 9 : is;
  const at18 = intEnd - 18 > is ? intEnd - 18 : is;
  let l4 = 0;
  let l3 = 0;
  let l2 = 0;
  for (let k = is; k < at18; k++) l4 = l4 * 10 + d[k] - 48;
  for (let k = at18; k < at9; k++) l3 = l3 * 10 + d[k] - 48;
  for (let k = at9; k < intEnd; k++) l2 = l2 * 10 + d[k] - 48;
  let l1 = 0;
  let l0 = 0;
  const mid = fracStart + 9;
  for (let k = fracStart; k < mid; k++) l1 = l1 * 10 + (k < fracEnd ? d[k] - 48 : 0);
  if (fracEnd > mid) for (let k = mid; k < mid + 9; k++) l0 = l0 * 10 + (k < fracEnd ? d[k] - 48 : 0);
  if (negative) {
    out[0] = -l0;
    out[1] = -l1;
    out[2] = -l2;
    out[3] = -l3;
    out[4] = -l4;
  } else {
    out[0] = l0;
    out[1] = l1;
    out[2] = l2;
    out[3] = l3;
    out[4] = l4;
  }
  return true;
}

/** True when the limbs hold an amount above zero (all limbs share the amount's sign). */
export const limbsPositive = (l: Float64Array): boolean => l[0] > 0 || l[1] > 0 || l[2] > 0 || l[3] > 0 || l[4] > 0;

/** The amount of limbs as an integer of SUM_SCALE fractional digits, exactly. */
export function limbsToUnits(l0: number, l1: number, l2: number, l3: number, l4: number): bigint {
  for (const x of [l0, l1, l2, l3, l4]) if (!Number.isSafeInteger(x)) throw new Error(`focus: a limb sum (${String(x)}) is not an exact integer`);
  return (((BigInt(l4) * BIG_E9 + BigInt(l3)) * BIG_E9 + BigInt(l2)) * BIG_E9 + BigInt(l1)) * BIG_E9 + BigInt(l0);
}

/** A running exact sum of amounts given as limbs. */
export class LimbSum {
  private l0 = 0;
  private l1 = 0;
  private l2 = 0;
  private l3 = 0;
  private l4 = 0;
  private adds = 0;

  add(l: Float64Array): void {
    this.l0 += l[0];
    this.l1 += l[1];
    this.l2 += l[2];
    this.l3 += l[3];
    this.l4 += l[4];
    if (++this.adds === NORMALISE_EVERY) this.normalise();
  }

  /** Adds another sum (normalising both first, so every limb stays exact). */
  addSum(other: LimbSum): void {
    other.normalise();
    this.normalise();
    this.l0 += other.l0;
    this.l1 += other.l1;
    this.l2 += other.l2;
    this.l3 += other.l3;
    this.l4 += other.l4;
  }

  /** The limbs, to cross threads (LimbSum.of takes them back). */
  limbs(): number[] {
    return [this.l0, this.l1, this.l2, this.l3, this.l4];
  }

  static of(limbs: readonly number[]): LimbSum {
    const s = new LimbSum();
    for (const x of limbs) if (!Number.isSafeInteger(x)) throw new Error(`focus: a limb sum (${String(x)}) is not an exact integer`);
    [s.l0, s.l1, s.l2, s.l3, s.l4] = limbs;
    return s;
  }

  /** The sum as an integer of SUM_SCALE fractional digits. */
  units(): bigint {
    return limbsToUnits(this.l0, this.l1, this.l2, this.l3, this.l4);
  }

  /** Carries so that |l0..l3| < 10^9 again (limbs may then differ in sign; the value is the same). */
  normalise(): void {
    let c = Math.trunc(this.l0 / E9);
    this.l0 -= c * E9;
    this.l1 += c;
    c = Math.trunc(this.l1 / E9);
    this.l1 -= c * E9;
    this.l2 += c;
    c = Math.trunc(this.l2 / E9);
    this.l2 -= c * E9;
    this.l3 += c;
    c = Math.trunc(this.l3 / E9);
    this.l3 -= c * E9;
    this.l4 += c;
    this.adds = 0;
    if (!Number.isSafeInteger(this.l4)) throw new Error('focus: a sum is beyond the supported range');
  }
}
