import { DomainError } from '../errors/domain-error';
import { assertCurrencyCode, currencyMinorUnits, CURRENCY_CODES, isCurrencyCode } from './currency';

describe('ISO 4217 currency codes', () => {
  it.each(['USD', 'EUR', 'JPY', 'GBP', 'KRW', 'CNY', 'INR', 'CHF', 'XOF', 'XCG', 'ZWG', 'SLE', 'VES'])('accepts %s', (code) => {
    expect(isCurrencyCode(code)).toBe(true);
    expect(assertCurrencyCode(code)).toBe(code);
  });

  it.each(['usd', 'Usd', ' USD', 'US', 'USDT', '', 'XXX', 'XTS', 'XAU', 'HRK', 'ABC', 'toString', '__proto__'])('refuses %j', (code) => {
    expect(isCurrencyCode(code)).toBe(false);
    let err: unknown;
    try {
      assertCurrencyCode(code, 'cost.currency');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).kind).toBe('INVALID_ARGUMENT');
    expect((err as DomainError).reason).toBe('MONEY.INVALID_CURRENCY');
    expect((err as DomainError).field).toBe('cost.currency');
    expect((err as DomainError).message).toMatch(/^cost\.currency: .* is not an active ISO 4217 currency code/);
  });

  it('hints at capitals when only the case or spaces are wrong', () => {
    expect(() => assertCurrencyCode('usd')).toThrow(/written in capitals without spaces \("USD"\)/);
    expect(() => assertCurrencyCode('ABC')).toThrow(/three capital letters, e\.g\. USD/);
    expect(() => assertCurrencyCode(undefined)).toThrow(/^currency: nothing is not/);
    expect(() => assertCurrencyCode(840)).toThrow(/^currency: number is not/);
  });

  it('knows the minor units', () => {
    expect(currencyMinorUnits('USD')).toBe(2);
    expect(currencyMinorUnits('JPY')).toBe(0);
    expect(currencyMinorUnits('KWD')).toBe(3);
    expect(currencyMinorUnits('XXX')).toBeUndefined();
  });

  it('the list is well formed and agrees with ICU', () => {
    expect(CURRENCY_CODES.length).toBeGreaterThan(150);
    expect(new Set(CURRENCY_CODES).size).toBe(CURRENCY_CODES.length);
    for (const c of CURRENCY_CODES) {
      expect(c).toMatch(/^[A-Z]{3}$/);
      expect([0, 2, 3]).toContain(currencyMinorUnits(c));
    }
    // Every code is one ICU knows (codes newer than this ICU aside). Minor units follow ISO 4217,
    // not ICU's display digits (which show e.g. IDR and HUF without decimals).
    const icu = new Set(Intl.supportedValuesOf('currency'));
    const recent = new Set(['VED', 'XCG', 'ZWG', 'SLE']);
    for (const c of CURRENCY_CODES) {
      if (recent.has(c) && !icu.has(c)) continue;
      expect(icu.has(c) ? c : `${c} unknown to ICU`).toBe(c);
    }
  });
});
