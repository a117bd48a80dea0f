import { Decimal } from '../../../../lib/money';
import { limbsToDecimal, type Limbs } from '../ledger/amount-limbs';

const BASE = 1_000_000_000;
const E9 = 1_000_000_000n;
const POW10 = Array.from({ length: 10 }, (_, i) => 10n ** BigInt(i));

/** The digits of a positive number below 1e9 without its trailing zeros, and how many were dropped. */
function stripZeros(x: number): [number, number] {
  let z = 0;
  while (x % 10 === 0) {
    x /= 10;
    z++;
  }
  return [x, z];
}

/**
 * The exact Decimal of (possibly unnormalised) limb sums, as limbsToDecimal gives, made the cheap
 * way: the limbs are carried to one sign and their trailing zero digits dropped with number
 * arithmetic before one BigInt is built, so Decimal.of has nothing left to strip (limbsToDecimal
 * builds the 18-place value and strips up to 18 zeros with BigInt divisions, which was most of
 * the time a DAILY dashboard spent on its few hundred cells). Limbs that are not safe integers go
 * to limbsToDecimal, which refuses them.
 */
export function limbDecimal(l: Limbs): Decimal {
  let { a0, a1, a2, a3 } = l;
  if (!Number.isSafeInteger(a0) || !Number.isSafeInteger(a1) || !Number.isSafeInteger(a2) || !Number.isSafeInteger(a3)) return limbsToDecimal(a0, a1, a2, a3);
  // Carry so that |a0|, |a1|, |a2| < 1e9 (every intermediate stays a safe integer: each carry is below 2^53 / 1e9).
  let c = Math.trunc(a0 / BASE);
  a0 -= c * BASE;
  a1 += c;
  c = Math.trunc(a1 / BASE);
  a1 -= c * BASE;
  a2 += c;
  c = Math.trunc(a2 / BASE);
  a2 -= c * BASE;
  a3 += c;
  if (!Number.isSafeInteger(a1) || !Number.isSafeInteger(a2) || !Number.isSafeInteger(a3)) return limbsToDecimal(l.a0, l.a1, l.a2, l.a3);
  // The sign of the value is the sign of its highest non-zero limb (each lower part is below one unit of the limb above).
  const negative = a3 !== 0 ? a3 < 0 : a2 !== 0 ? a2 < 0 : a1 !== 0 ? a1 < 0 : a0 < 0;
  if (negative) {
    a0 = -a0;
    a1 = -a1;
    a2 = -a2;
    a3 = -a3;
  }
  // Borrow so that every lower limb is in [0, 1e9).
  if (a0 < 0) {
    a0 += BASE;
    a1 -= 1;
  }
  if (a1 < 0) {
    a1 += BASE;
    a2 -= 1;
  }
  if (a2 < 0) {
    a2 += BASE;
    a3 -= 1;
  }
  const integer = a3 === 0 ? BigInt(a2) : BigInt(a3) * E9 + BigInt(a2);
  let units: bigint;
  let scale: number;
  if (a0 === 0 && a1 === 0) {
    units = integer;
    scale = 0;
  } else if (a0 === 0) {
    const [digits, zeros] = stripZeros(a1);
    scale = 9 - zeros;
    units = integer * POW10[scale] + BigInt(digits);
  } else {
    const [digits, zeros] = stripZeros(a0);
    scale = 18 - zeros;
    units = (integer * E9 + BigInt(a1)) * POW10[9 - zeros] + BigInt(digits);
  }
  return Decimal.of(negative ? -units : units, scale);
}
