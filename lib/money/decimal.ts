import { DecimalError } from './errors';

/**
 * Range of a Decimal: DECIMAL(38, 18), that is at most 20 integer digits and 18 fractional
 * digits (38 in all). Parsed text is also bounded in length before any work is done on it.
 */
export const DECIMAL_LIMITS = {
  maxIntegerDigits: 20,
  maxScale: 18,
  maxTextLength: 80,
} as const;

/**
 * HALF_EVEN: to the nearest, ties to the even neighbour (banker's rounding, the default).
 * HALF_UP: to the nearest, ties away from zero. DOWN: towards zero (truncation).
 */
export type RoundingMode = 'HALF_EVEN' | 'HALF_UP' | 'DOWN';

const POW10: bigint[] = [1n];
for (let i = 1; i <= 2 * DECIMAL_LIMITS.maxScale + 2; i++) POW10.push(POW10[i - 1] * 10n);
/** 10^n as a BigInt (cached for the common exponents). */
export const pow10 = (n: number): bigint => POW10[n] ?? 10n ** BigInt(n);

const LIMIT = pow10(DECIMAL_LIMITS.maxIntegerDigits);
const PLAIN = /^([+-]?)(\d+)(?:\.(\d+))?$/;

const clip = (s: string) => (s.length <= 40 ? s : `${s.slice(0, 40)}...`);

/** n / d rounded with mode; d > 0. */
export function divRound(n: bigint, d: bigint, mode: RoundingMode): bigint {
  const q = n / d;
  const r = n % d;
  if (r === 0n || mode === 'DOWN') return q;
  const away = n < 0n ? q - 1n : q + 1n;
  const twice = (r < 0n ? -r : r) * 2n;
  if (twice > d) return away;
  if (twice < d) return q;
  if (mode === 'HALF_UP') return away;
  return q % 2n === 0n ? q : away;
}

function checkScale(scale: number, what: string): void {
  if (!Number.isInteger(scale) || scale < 0 || scale > DECIMAL_LIMITS.maxScale)
    throw new RangeError(`${what} must be a whole number from 0 to ${DECIMAL_LIMITS.maxScale}, got ${String(scale)}`);
}

/**
 * An exact decimal number: units / 10^scale with units a BigInt. Immutable, and always in
 * canonical form (no trailing fractional zeros), so equal values have equal fields. There is
 * no conversion from or to a JavaScript number.
 */
export class Decimal {
  static readonly ZERO = new Decimal(0n, 0);

  private constructor(
    /** The value times 10^scale. */
    readonly units: bigint,
    /** Digits after the decimal point (0..18), trailing zeros excluded. */
    readonly scale: number,
  ) {}

  /** units / 10^scale, normalised; throws DecimalError when beyond DECIMAL(38, 18). */
  static of(units: bigint, scale = 0): Decimal {
    if (typeof units !== 'bigint') throw new TypeError('Decimal.of takes a bigint');
    if (!Number.isInteger(scale) || scale < 0) throw new RangeError(`scale must be a whole number, got ${String(scale)}`);
    let u = units;
    let s = scale;
    while (s > 0 && u % 10n === 0n) {
      u /= 10n;
      s--;
    }
    if (s > DECIMAL_LIMITS.maxScale)
      throw new DecimalError('MONEY.OUT_OF_RANGE', `a decimal may have at most ${DECIMAL_LIMITS.maxScale} fractional digits`);
    if ((u < 0n ? -u : u) >= LIMIT * pow10(s))
      throw new DecimalError(
        'MONEY.OUT_OF_RANGE',
        `the result is beyond the supported range of ${DECIMAL_LIMITS.maxIntegerDigits} integer digits`,
      );
    if (u === 0n) return Decimal.ZERO;
    return new Decimal(u, s);
  }

  /**
   * Parses plain decimal notation: an optional sign, digits, and optionally a point followed
   * by digits ("12.3400", "-0.0000008"). No exponent, spaces, grouping or bare points. Throws
   * DecimalError (INVALID_ARGUMENT at `field`) with a message saying what is wrong.
   */
  static parse(text: string, field = 'amount'): Decimal {
    const fail = (why: string) => new DecimalError('MONEY.INVALID_DECIMAL', `${field}: ${why}`, field);
    if (typeof text !== 'string') {
      throw fail(
        typeof text === 'number'
          ? 'amounts are decimal strings such as "12.34", not numbers (binary floating point is inexact)'
          : `expected a decimal string such as "12.34", got ${text === null ? 'null' : typeof text}`,
      );
    }
    if (text === '') throw fail('the amount is empty');
    if (text.length > DECIMAL_LIMITS.maxTextLength)
      throw fail(`"${clip(text)}" is longer than ${DECIMAL_LIMITS.maxTextLength} characters`);
    const m = PLAIN.exec(text);
    if (!m) {
      if (/^[+-]?(\d+\.?\d*|\.\d+)[eE][+-]?\d+$/.test(text))
        throw fail(`"${text}" uses exponent notation; write it in plain decimal notation (e.g. 0.0000001 for 1e-7)`);
      throw fail(`"${clip(text)}" is not a plain decimal number (an optional sign, digits, and an optional point followed by digits, e.g. -12.34)`);
    }
    const [, sign, int, frac = ''] = m;
    const fraction = frac.replace(/0+$/, '');
    const integer = int.replace(/^0+(?=\d)/, '');
    if (integer.length > DECIMAL_LIMITS.maxIntegerDigits)
      throw fail(`"${clip(text)}" has ${integer.length} integer digits; at most ${DECIMAL_LIMITS.maxIntegerDigits} are supported`);
    if (fraction.length > DECIMAL_LIMITS.maxScale)
      throw fail(`"${clip(text)}" has ${fraction.length} fractional digits; at most ${DECIMAL_LIMITS.maxScale} are supported`);
    const units = BigInt(integer + fraction);
    return Decimal.of(sign === '-' ? -units : units, fraction.length);
  }

  /** Like parse, but null instead of an error. */
  static tryParse(text: string): Decimal | null {
    try {
      return Decimal.parse(text);
    } catch {
      return null;
    }
  }

  /** The units of this value at a scale at least its own. */
  private at(scale: number): bigint {
    return this.units * pow10(scale - this.scale);
  }

  add(other: Decimal): Decimal {
    const s = Math.max(this.scale, other.scale);
    return Decimal.of(this.at(s) + other.at(s), s);
  }

  sub(other: Decimal): Decimal {
    const s = Math.max(this.scale, other.scale);
    return Decimal.of(this.at(s) - other.at(s), s);
  }

  negate(): Decimal {
    return this.units === 0n ? this : new Decimal(-this.units, this.scale);
  }

  abs(): Decimal {
    return this.units < 0n ? this.negate() : this;
  }

  /**
   * This amount times a rate (an exchange rate, a share), computed exactly and then rounded
   * once to `scale` fractional digits with `rounding` (default HALF_EVEN).
   */
  multiply(rate: Decimal, scale: number, rounding: RoundingMode = 'HALF_EVEN'): Decimal {
    checkScale(scale, 'the scale of a product');
    const units = this.units * rate.units;
    const exact = this.scale + rate.scale;
    return Decimal.of(exact <= scale ? units : divRound(units, pow10(exact - scale), rounding), Math.min(exact, scale));
  }

  /** Rounded to at most `scale` fractional digits (default HALF_EVEN). */
  round(scale: number, rounding: RoundingMode = 'HALF_EVEN'): Decimal {
    checkScale(scale, 'the scale to round to');
    if (this.scale <= scale) return this;
    return Decimal.of(divRound(this.units, pow10(this.scale - scale), rounding), scale);
  }

  /** -1, 0 or 1. */
  compare(other: Decimal): -1 | 0 | 1 {
    const s = Math.max(this.scale, other.scale);
    const a = this.at(s);
    const b = other.at(s);
    return a < b ? -1 : a > b ? 1 : 0;
  }

  equals(other: Decimal): boolean {
    return this.units === other.units && this.scale === other.scale;
  }

  isZero(): boolean {
    return this.units === 0n;
  }

  isNegative(): boolean {
    return this.units < 0n;
  }

  /**
   * Canonical text: no exponent, no trailing fractional zeros beyond `minScale` (padded to
   * it), "-" only for values below zero: "12.34", "0.0000008", "-5", and "12.30" at minScale 2.
   */
  toString(minScale = 0): string {
    checkScale(minScale, 'minScale');
    const neg = this.units < 0n;
    const digits = (neg ? -this.units : this.units).toString().padStart(this.scale + 1, '0');
    const int = digits.slice(0, digits.length - this.scale);
    const frac = digits.slice(digits.length - this.scale).padEnd(minScale, '0');
    return `${neg ? '-' : ''}${int}${frac ? `.${frac}` : ''}`;
  }

  /** Exactly `scale` fractional digits, rounding with `rounding` when there are more. */
  toFixed(scale: number, rounding: RoundingMode = 'HALF_EVEN'): string {
    return this.round(scale, rounding).toString(scale);
  }

  toJSON(): string {
    return this.toString();
  }

  /** A Decimal never becomes a JavaScript number by accident (`+d`, `d * 2`). */
  [Symbol.toPrimitive](hint: string): string {
    if (hint === 'number') throw new TypeError('a Decimal cannot be converted to a number (it would lose exactness)');
    return this.toString();
  }
}
