import type { Principal } from '../../../../lib/auth/principal';
import { invalidArgument } from '../../../../lib/errors/domain-error';
import { assertCurrencyCode, Decimal } from '../../../../lib/money';
import { isIsoDate } from '../../../../plugins/sdk/dates';
import type { ExchangeRateRecord } from '../../domain/records';
import type { BillingDeps } from '../ports';
import { domainOf } from '../../../../lib/auth/principal';
import { exchangeRateId, exchangeRates } from './collection';

export interface SetExchangeRate {
  currency: string;
  quoteCurrency: string;
  /** 1 unit of currency = rate units of quote currency; a positive plain decimal ("1.0825"). */
  rate: string;
  /** YYYY-MM-DD from which the rate applies, until the pair's next rate. */
  effectiveDate: string;
}

/** Checks a rate and returns the record's fields (the rate in canonical form). */
export function validateExchangeRate(req: SetExchangeRate): Pick<ExchangeRateRecord, 'currency' | 'quote_currency' | 'rate' | 'effective_date'> {
  const currency = assertCurrencyCode(req.currency, 'currency');
  const quote = assertCurrencyCode(req.quoteCurrency, 'quote_currency');
  if (quote === currency) {
    throw invalidArgument('EXCHANGE_RATE.SAME_CURRENCY', 'quote_currency', `quote_currency must differ from currency (both are ${currency})`);
  }
  const rate = Decimal.parse(req.rate, 'rate');
  if (rate.isZero() || rate.isNegative()) {
    throw invalidArgument('EXCHANGE_RATE.NOT_POSITIVE', 'rate', `rate must be greater than zero, got "${req.rate}"`);
  }
  if (!isIsoDate(req.effectiveDate)) {
    const given: unknown = req.effectiveDate;
    const shown = typeof given === 'string' ? JSON.stringify(given.slice(0, 40)) : 'nothing';
    throw invalidArgument('FIELD.INVALID_DATE', 'effective_date', `effective_date must be a calendar date YYYY-MM-DD, got ${shown}`);
  }
  return { currency, quote_currency: quote, rate: rate.toString(), effective_date: req.effectiveDate };
}

/** Sets (or replaces) the rate of a pair from a date on, in the caller's domain. DOMAIN_ADMIN. */
export async function setExchangeRate(deps: Pick<BillingDeps, 'store' | 'now'>, p: Principal, req: SetExchangeRate): Promise<ExchangeRateRecord> {
  const domainId = domainOf(p, 'DOMAIN_ADMIN');
  const fields = validateExchangeRate(req);
  const record: ExchangeRateRecord = {
    _id: exchangeRateId(domainId, fields.currency, fields.quote_currency, fields.effective_date),
    domain_id: domainId,
    ...fields,
    updated_at: deps.now(),
  };
  await deps.store.transaction(async (tx) => {
    const coll = exchangeRates.in(tx);
    if (await coll.findOne({ _id: record._id })) await coll.replaceOne({ _id: record._id }, record);
    else await coll.insertOne(record);
  });
  return record;
}
