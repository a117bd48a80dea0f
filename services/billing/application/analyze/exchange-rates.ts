import { Decimal, divRound } from '../../../../lib/money';
import type { Source } from '../../../../lib/resource/resource-collection';
import { BILLING_COLLECTIONS, type ExchangeRateRecord } from '../../domain/records';

/** A rate as used: from its effective date until the pair's next rate. */
export interface RateRef {
  /** Identifies the rate (currency and date), so amounts under one rate are converted together. */
  id: string;
  rate: Decimal;
  /** The stored pair is the other way round (target -> currency): divide by it. */
  inverse: boolean;
  effectiveDate: string;
}

export interface RateBook {
  readonly target: string;
  /** The rate of a currency into the target on a date; null when none applies. */
  rateOn(currency: string, date: string): RateRef | null;
  /** The one rate that applies on every day of [start, end]; null when none or several do. */
  constantOver(currency: string, start: string, end: string): RateRef | null;
}

/** Digits kept after the point when converting (then written canonically). */
export const CONVERSION_SCALE = 18;

/** amount × rate (or amount ÷ rate for an inverse pair), rounded once, HALF_EVEN, to 18 places. */
export function convert(amount: Decimal, ref: RateRef): Decimal {
  if (!ref.inverse) return amount.multiply(ref.rate, CONVERSION_SCALE, 'HALF_EVEN');
  const shift = BigInt(ref.rate.scale + CONVERSION_SCALE - amount.scale);
  return Decimal.of(divRound(amount.units * 10n ** shift, ref.rate.units, 'HALF_EVEN'), CONVERSION_SCALE);
}

/**
 * The domain's dated rates into `target`. A currency uses the pairs stored as currency ->
 * target when it has any, else those stored as target -> currency (inverted). Rates that do
 * not parse or are not positive are left out.
 */
export async function loadRates(source: Source, domainId: string, target: string): Promise<RateBook> {
  const records = await source
    .collection<ExchangeRateRecord>(BILLING_COLLECTIONS.exchangeRates)
    .find({ domain_id: domainId, $or: [{ quote_currency: target }, { currency: target }] });
  const direct = new Map<string, RateRef[]>();
  const inverse = new Map<string, RateRef[]>();
  for (const r of records) {
    const rate = Decimal.tryParse(r.rate);
    if (!rate || rate.isNegative() || rate.isZero()) continue;
    const isDirect = r.quote_currency === target;
    const currency = isDirect ? r.currency : r.quote_currency;
    if (currency === target) continue;
    const book = isDirect ? direct : inverse;
    let list = book.get(currency);
    if (!list) book.set(currency, (list = []));
    list.push({ id: `${currency}|${isDirect ? 'd' : 'i'}|${r.effective_date}`, rate, inverse: !isDirect, effectiveDate: r.effective_date });
  }
  const timelines = new Map<string, RateRef[]>();
  for (const [currency, list] of [...inverse, ...direct]) {
    list.sort((a, b) => (a.effectiveDate < b.effectiveDate ? -1 : a.effectiveDate > b.effectiveDate ? 1 : 0));
    timelines.set(currency, list); // direct pairs come last and win
  }

  function at(list: RateRef[], date: string): number {
    let lo = 0;
    let hi = list.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid].effectiveDate <= date) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  return {
    target,
    rateOn(currency, date) {
      const list = timelines.get(currency);
      if (!list) return null;
      const i = at(list, date);
      return i < 0 ? null : list[i];
    },
    constantOver(currency, start, end) {
      const list = timelines.get(currency);
      if (!list) return null;
      const i = at(list, start);
      if (i < 0) return null;
      return i === list.length - 1 || list[i + 1].effectiveDate > end ? list[i] : null;
    },
  };
}
