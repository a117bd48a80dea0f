import { Decimal, DECIMAL_LIMITS } from '../../../../lib/money';

/**
 * Exact amounts that the store can add up.
 *
 * An amount (at most 15 integer and 18 fractional digits) is stored as four signed integers,
 * its "limbs", all with the amount's sign:
 *   a0 = fractional digits 10..18, a1 = fractional digits 1..9,
 *   a2 = integer part mod 10^9,    a3 = integer part div 10^9
 * so that amount = a3·10^9 + a2 + a1·10^-9 + a0·10^-18. Every limb of a stored document is
 * below 10^9 in magnitude (a3 below 10^6 for a row), so the store's `sum` accumulator (a
 * float64 addition) adds them exactly as long as every partial sum stays below 2^53: that
 * holds for up to 9,007,199 documents per group, far more than any rollup query groups
 * (sums are checked to be safe integers before use). The limbs are recombined with BigInt,
 * carries included, into an exact Decimal. No binary fraction is ever formed.
 */
export interface Limbs {
  a0: number;
  a1: number;
  a2: number;
  a3: number;
}

export const LIMB_FIELDS = ['a0', 'a1', 'a2', 'a3'] as const;

/** Integer digits a cost row may have (so a row's a3 stays below 10^6). */
export const MAX_AMOUNT_INTEGER_DIGITS = 15;

const BASE = 1_000_000_000;
const SCALE = DECIMAL_LIMITS.maxScale;
const E9 = 1_000_000_000n;
const E18 = E9 * E9;
const E27 = E18 * E9;
/** Beyond this a limb is carried into the next one (sums of two stay exact). */
const CARRY_AT = 2 ** 52;

const neg = (x: number): number => (x === 0 ? 0 : -x);

/**
 * Writes the limbs of a plain decimal string ("12.34", "-0.0000008") at out[at..at+3];
 * false (nothing written) when it is not one, or has more than 15 integer or 18 fractional
 * digits. Allocation-free: the writer calls it for every row.
 */
export function parseLimbsInto(text: string, out: Float64Array, at: number): boolean {
  const len = typeof text === 'string' ? text.length : 0;
  if (len === 0 || len > 64) return false;
  let i = 0;
  const sign = text.charCodeAt(0);
  if (sign === 45 || sign === 43) i = 1;
  const intStart = i;
  while (i < len && isDigit(text.charCodeAt(i))) i++;
  const intEnd = i;
  if (intEnd === intStart) return false;
  let fracStart = i;
  let fracEnd = i;
  if (i < len) {
    if (text.charCodeAt(i) !== 46) return false;
    fracStart = ++i;
    while (i < len && isDigit(text.charCodeAt(i))) i++;
    fracEnd = i;
    if (fracEnd === fracStart || i !== len) return false;
  }
  let is = intStart;
  while (is < intEnd - 1 && text.charCodeAt(is) === 48) is++;
  let fe = fracEnd;
  while (fe > fracStart && text.charCodeAt(fe - 1) === 48) fe--;
  if (intEnd - is > MAX_AMOUNT_INTEGER_DIGITS || fe - fracStart > SCALE) return false;
  const split = Math.max(is, intEnd - 9);
  let a3 = 0;
  let a2 = 0;
  let a1 = 0;
  let a0 = 0;
  for (let k = is; k < split; k++) a3 = a3 * 10 + text.charCodeAt(k) - 48;
  for (let k = split; k < intEnd; k++) a2 = a2 * 10 + text.charCodeAt(k) - 48;
  for (let k = 0; k < 9; k++) a1 = a1 * 10 + (fracStart + k < fe ? text.charCodeAt(fracStart + k) - 48 : 0);
  for (let k = 9; k < 18; k++) a0 = a0 * 10 + (fracStart + k < fe ? text.charCodeAt(fracStart + k) - 48 : 0);
  const negative = sign === 45;
  out[at] = negative ? neg(a0) : a0;
  out[at + 1] = negative ? neg(a1) : a1;
  out[at + 2] = negative ? neg(a2) : a2;
  out[at + 3] = negative ? neg(a3) : a3;
  return true;
}

const isDigit = (c: number) => c >= 48 && c <= 57;
const scratch = new Float64Array(4);

/** The limbs of a plain decimal string; null when parseLimbsInto refuses it. */
export function parseLimbs(text: string): Limbs | null {
  if (!parseLimbsInto(text, scratch, 0)) return null;
  return { a0: scratch[0], a1: scratch[1], a2: scratch[2], a3: scratch[3] };
}

/** The limbs of a Decimal (any in range of DECIMAL(38, 18)). */
export function decimalLimbs(d: Decimal): Limbs {
  let u = d.units * 10n ** BigInt(SCALE - d.scale);
  const sign = u < 0n ? -1 : 1;
  if (u < 0n) u = -u;
  const s = (x: bigint) => (sign < 0 ? neg(Number(x)) : Number(x));
  return { a0: s(u % E9), a1: s((u / E9) % E9), a2: s((u / E18) % E9), a3: s(u / E27) };
}

/**
 * The exact value of (possibly unnormalised) limb sums; each must be a safe integer. The limbs
 * are carried to one sign and their trailing zero digits dropped with number arithmetic before
 * one BigInt is built, so Decimal.of has nothing left to strip (building the 18-place value and
 * stripping its zeros with BigInt divisions was most of what a dashboard spent on its cells).
 */
export function limbsToDecimal(a0: number, a1: number, a2: number, a3: number): Decimal {
  for (const x of [a0, a1, a2, a3]) {
    if (!Number.isSafeInteger(x)) throw new Error(`ledger: a limb sum (${String(x)}) is not an exact integer; the amount cannot be trusted`);
  }
  const given = [a0, a1, a2, a3];
  // Carry so that |a0|, |a1|, |a2| < 1e9 (each carry is below 2^53 / 1e9).
  let c = Math.trunc(a0 / BASE);
  a0 -= c * BASE;
  a1 += c;
  c = Math.trunc(a1 / BASE);
  a1 -= c * BASE;
  a2 += c;
  c = Math.trunc(a2 / BASE);
  a2 -= c * BASE;
  a3 += c;
  if (!Number.isSafeInteger(a1) || !Number.isSafeInteger(a2) || !Number.isSafeInteger(a3)) {
    return Decimal.of(BigInt(given[3]) * E27 + BigInt(given[2]) * E18 + BigInt(given[1]) * E9 + BigInt(given[0]), SCALE);
  }
  // The value's sign is its highest non-zero limb's (each lower part is below one unit of the limb above).
  const negative = a3 !== 0 ? a3 < 0 : a2 !== 0 ? a2 < 0 : a1 !== 0 ? a1 < 0 : a0 < 0;
  if (negative) [a0, a1, a2, a3] = [-a0, -a1, -a2, -a3];
  // Borrow so that every lower limb is in [0, 1e9).
  if (a0 < 0) [a0, a1] = [a0 + BASE, a1 - 1];
  if (a1 < 0) [a1, a2] = [a1 + BASE, a2 - 1];
  if (a2 < 0) [a2, a3] = [a2 + BASE, a3 - 1];
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
 * A running exact total in limbs: adds stay in float64 integers (fast), with carries taken
 * before any limb could leave the exact range.
 */
export class LimbTotal implements Limbs {
  a0 = 0;
  a1 = 0;
  a2 = 0;
  a3 = 0;

  add(a0: number, a1: number, a2: number, a3: number): this {
    if (Math.abs(a0) > CARRY_AT || Math.abs(a1) > CARRY_AT || Math.abs(a2) > CARRY_AT || Math.abs(a3) > CARRY_AT) {
      return this.addDecimal(limbsToDecimal(a0, a1, a2, a3));
    }
    this.a0 += a0;
    this.a1 += a1;
    this.a2 += a2;
    this.a3 += a3;
    if (Math.abs(this.a0) > CARRY_AT || Math.abs(this.a1) > CARRY_AT || Math.abs(this.a2) > CARRY_AT) this.normalize();
    if (!Number.isSafeInteger(this.a3)) throw new Error('ledger: an amount total is beyond the supported range');
    return this;
  }

  addLimbs(l: Limbs): this {
    return this.add(l.a0, l.a1, l.a2, l.a3);
  }

  addDecimal(d: Decimal): this {
    const l = decimalLimbs(d);
    return this.add(l.a0, l.a1, l.a2, l.a3);
  }

  /** Carries so that |a0|, |a1|, |a2| < 10^9 (the limbs may still differ in sign). */
  normalize(): this {
    let c = Math.trunc(this.a0 / BASE);
    this.a0 -= c * BASE;
    this.a1 += c;
    c = Math.trunc(this.a1 / BASE);
    this.a1 -= c * BASE;
    this.a2 += c;
    c = Math.trunc(this.a2 / BASE);
    this.a2 -= c * BASE;
    this.a3 += c;
    return this;
  }

  isZero(): boolean {
    return this.a0 === 0 && this.a1 === 0 && this.a2 === 0 && this.a3 === 0;
  }

  toDecimal(): Decimal {
    return limbsToDecimal(this.a0, this.a1, this.a2, this.a3);
  }

  /** Canonical limbs (all with the total's sign, each below 10^9), for storing. */
  toLimbs(): Limbs {
    return decimalLimbs(this.toDecimal());
  }
}
