import { DomainError } from '../errors/domain-error';
import { Decimal, DECIMAL_LIMITS, divRound } from './decimal';
import { DecimalError } from './errors';

const d = (s: string) => Decimal.parse(s);

function parseError(text: unknown, field?: string): DecimalError {
  try {
    Decimal.parse(text as string, field);
  } catch (e) {
    if (e instanceof DecimalError) return e;
    throw e;
  }
  throw new Error(`expected ${JSON.stringify(text)} to be refused`);
}

describe('Decimal.parse', () => {
  it.each([
    ['12.3400', '12.34', 1234n, 2],
    ['-0.0000008', '-0.0000008', -8n, 7],
    ['0', '0', 0n, 0],
    ['-0.000', '0', 0n, 0],
    ['+7', '7', 7n, 0],
    ['007.50', '7.5', 75n, 1],
    ['100', '100', 100n, 0],
    ['1.000000000000000001', '1.000000000000000001', 1000000000000000001n, 18],
    ['99999999999999999999.999999999999999999', '99999999999999999999.999999999999999999', 10n ** 38n - 1n, 18],
    ['-99999999999999999999', '-99999999999999999999', -(10n ** 20n - 1n), 0],
    ['1.50000000000000000000000', '1.5', 15n, 1],
    ['0000000000000000000000000001', '1', 1n, 0],
  ])('%s -> %s', (text, canonical, units, scale) => {
    const v = d(text);
    expect(v.toString()).toBe(canonical);
    expect(v.units).toBe(units);
    expect(v.scale).toBe(scale);
  });

  it.each([
    ['1e-7', /exponent notation.*plain decimal notation/],
    ['1E5', /exponent notation/],
    ['2.5e+3', /exponent notation/],
    ['', /empty/],
    [' 1', /not a plain decimal number/],
    ['1 ', /not a plain decimal number/],
    ['.5', /not a plain decimal number/],
    ['5.', /not a plain decimal number/],
    ['1,000.00', /not a plain decimal number/],
    ['1_000', /not a plain decimal number/],
    ['--1', /not a plain decimal number/],
    ['0x10', /not a plain decimal number/],
    ['NaN', /not a plain decimal number/],
    ['Infinity', /not a plain decimal number/],
    ['١٢', /not a plain decimal number/],
    ['1.2.3', /not a plain decimal number/],
    ['0.0000000000000000001', /19 fractional digits; at most 18/],
    ['100000000000000000000', /21 integer digits; at most 20/],
    ['1'.repeat(81), /longer than 80 characters/],
  ])('refuses %j', (text, message) => {
    const e = parseError(text);
    expect(e.message).toMatch(message);
    expect(e).toBeInstanceOf(DomainError);
    expect(e.kind).toBe('INVALID_ARGUMENT');
    expect(e.reason).toBe('MONEY.INVALID_DECIMAL');
    expect(e.field).toBe('amount');
  });

  it('refuses numbers (floats) and other non-strings, naming the field', () => {
    const e = parseError(0.1, 'rows[3].cost');
    expect(e.field).toBe('rows[3].cost');
    expect(e.message).toMatch(/^rows\[3\]\.cost: amounts are decimal strings such as "12.34", not numbers/);
    expect(parseError(null).message).toMatch(/got null/);
    expect(parseError(12n).message).toMatch(/got bigint/);
  });

  it('tryParse answers null instead of throwing', () => {
    expect(Decimal.tryParse('1e3')).toBeNull();
    expect(Decimal.tryParse('1.10')?.toString()).toBe('1.1');
  });
});

describe('Decimal arithmetic', () => {
  it('adds, subtracts and negates exactly across scales', () => {
    expect(d('0.1').add(d('0.2')).toString()).toBe('0.3');
    expect(d('1.005').sub(d('0.005')).toString()).toBe('1');
    expect(d('-3.25').add(d('3.25')).isZero()).toBe(true);
    expect(d('12').sub(d('12.000000000000000001')).toString()).toBe('-0.000000000000000001');
    expect(d('5.5').negate().toString()).toBe('-5.5');
    expect(d('0').negate().toString()).toBe('0');
    expect(d('-2').abs().toString()).toBe('2');
  });

  it('compares by value, not by representation', () => {
    expect(d('1.10').compare(d('1.1'))).toBe(0);
    expect(d('1.10').equals(d('1.1000'))).toBe(true);
    expect(d('-1').compare(d('0.5'))).toBe(-1);
    expect(d('0.000000000000000002').compare(d('0.000000000000000001'))).toBe(1);
    expect(d('99999999999999999999').compare(d('99999999999999999998.999999999999999999'))).toBe(1);
    expect(d('-0.0').isNegative()).toBe(false);
    expect(d('-0.1').isNegative()).toBe(true);
  });

  it('refuses results beyond 20 integer digits', () => {
    const max = d('99999999999999999999.999999999999999999');
    expect(() => max.add(d('0.000000000000000001'))).toThrow(/beyond the supported range/);
    expect(() => max.negate().sub(d('1'))).toThrow(DecimalError);
    expect(() => d('99999999999999999999').multiply(d('10'), 2)).toThrow(/beyond the supported range/);
  });

  it('is immutable and canonical through Decimal.of', () => {
    expect(Decimal.of(123400n, 4).toString()).toBe('12.34');
    expect(Decimal.of(123400n, 4).scale).toBe(2);
    expect(Decimal.of(0n, 9)).toBe(Decimal.ZERO);
    expect(Decimal.of(500n, 20).toString()).toBe('0.000000000000000005');
    expect(() => Decimal.of(1n, 19)).toThrow(/at most 18 fractional digits/);
    const a = d('1.5');
    a.add(d('1'));
    expect(a.toString()).toBe('1.5');
  });
});

describe('rounding', () => {
  it.each([
    ['2.5', '2', '3', '2'],
    ['3.5', '4', '4', '3'],
    ['-2.5', '-2', '-3', '-2'],
    ['-3.5', '-4', '-4', '-3'],
    ['2.51', '3', '3', '2'],
    ['2.4999', '2', '2', '2'],
    ['-2.51', '-3', '-3', '-2'],
    ['0.5', '0', '1', '0'],
    ['-0.5', '0', '-1', '0'],
    ['7', '7', '7', '7'],
  ])('%s to 0 places: HALF_EVEN %s, HALF_UP %s, DOWN %s', (x, even, up, down) => {
    expect(d(x).round(0).toString()).toBe(even);
    expect(d(x).round(0, 'HALF_EVEN').toString()).toBe(even);
    expect(d(x).round(0, 'HALF_UP').toString()).toBe(up);
    expect(d(x).round(0, 'DOWN').toString()).toBe(down);
  });

  it('rounds at any scale and never when there is nothing to round', () => {
    expect(d('0.125').round(2).toString()).toBe('0.12');
    expect(d('0.135').round(2).toString()).toBe('0.14');
    expect(d('0.125').round(2, 'HALF_UP').toString()).toBe('0.13');
    expect(d('1.23').round(5).toString()).toBe('1.23');
    expect(() => d('1').round(19)).toThrow(RangeError);
    expect(() => d('1').round(-1)).toThrow(RangeError);
    expect(() => d('1').round(1.5)).toThrow(RangeError);
  });

  it('divRound handles every sign combination', () => {
    expect(divRound(15n, 10n, 'HALF_EVEN')).toBe(2n);
    expect(divRound(25n, 10n, 'HALF_EVEN')).toBe(2n);
    expect(divRound(-25n, 10n, 'HALF_EVEN')).toBe(-2n);
    expect(divRound(-15n, 10n, 'HALF_EVEN')).toBe(-2n);
    expect(divRound(-16n, 10n, 'DOWN')).toBe(-1n);
    expect(divRound(-14n, 10n, 'HALF_UP')).toBe(-1n);
  });

  it('multiplies by an exchange rate exactly, then rounds once', () => {
    expect(d('100.00').multiply(d('0.915'), 2).toString()).toBe('91.5');
    expect(d('100.00').multiply(d('0.915'), 2).toFixed(2)).toBe('91.50');
    expect(d('10.005').multiply(d('1'), 2).toString()).toBe('10');
    expect(d('10.005').multiply(d('1'), 2, 'HALF_UP').toString()).toBe('10.01');
    expect(d('10.015').multiply(d('1'), 2).toString()).toBe('10.02');
    expect(d('1.2345').multiply(d('1.1'), 4).toFixed(4)).toBe('1.3580');
    expect(d('-19.99').multiply(d('1.0825'), 2).toString()).toBe('-21.64');
    expect(d('123.456789').multiply(d('149.123456789012'), 18).toString()).toBe('18410.303139751672002468');
    expect(d('1.123456789').multiply(d('1.123456789012'), 18).toString()).toBe('1.262155156763672002');
    expect(d('1234.5678').multiply(d('0.00000000000000123'), 18).toString()).toBe('0.000000000001518518');
    expect(d('0.000000001').multiply(d('0.000000001'), 18).toString()).toBe('0.000000000000000001');
    expect(d('0.000000001').multiply(d('0.0000000004'), 18).toString()).toBe('0');
    expect(d('3').multiply(d('2'), 0).toString()).toBe('6');
  });
});

describe('formatting', () => {
  it('toString is canonical: no exponent, no trailing zeros beyond minScale', () => {
    expect(d('0.0000008').toString()).toBe('0.0000008');
    expect(d('1000000').toString()).toBe('1000000');
    expect(d('12.3').toString(2)).toBe('12.30');
    expect(d('12.345').toString(2)).toBe('12.345');
    expect(d('-0.5').toString(3)).toBe('-0.500');
    expect(d('0').toString(2)).toBe('0.00');
    expect(d('5').toString(0)).toBe('5');
    expect(() => d('1').toString(-1)).toThrow(RangeError);
  });

  it('toFixed rounds to exactly that many digits', () => {
    expect(d('2.345').toFixed(2)).toBe('2.34');
    expect(d('2.355').toFixed(2)).toBe('2.36');
    expect(d('2').toFixed(3)).toBe('2.000');
    expect(d('-0.004').toFixed(2)).toBe('0.00');
  });

  it('serialises to JSON as a string and never turns into a number', () => {
    expect(JSON.stringify({ cost: d('12.50') })).toBe('{"cost":"12.5"}');
    expect(`${d('1.50')}`).toBe('1.5');
    expect(() => +d('1')).toThrow(/cannot be converted to a number/);
    expect(() => (d('1') as unknown as number) * 2).toThrow(TypeError);
  });

  it('round-trips every canonical string', () => {
    for (const s of ['0', '-1', '0.1', '123456789.123456789', '-0.000000000000000001', '99999999999999999999.999999999999999999']) {
      expect(d(s).toString()).toBe(s);
    }
  });

  it('limits are DECIMAL(38, 18)', () => {
    expect(DECIMAL_LIMITS.maxIntegerDigits + DECIMAL_LIMITS.maxScale).toBe(38);
  });
});
