export { Decimal, DECIMAL_LIMITS, divRound, type RoundingMode } from './decimal';
export { sumDecimals } from './sum';
export { CURRENCY_CODES, assertCurrencyCode, currencyMinorUnits, isCurrencyCode } from './currency';
export { DecimalError } from './errors';
