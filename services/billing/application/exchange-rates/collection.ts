import type { QuerySchema } from '../../../../lib/query';
import { ResourceCollection } from '../../../../lib/resource/resource-collection';
import type { IndexSpec } from '../../../../lib/store/port';
import { BILLING_COLLECTIONS, type ExchangeRateRecord } from '../../domain/records';

/** What List of exchange rates may filter and sort on. */
export const EXCHANGE_RATE_QUERY_SCHEMA = {
  resource: 'exchange rate',
  fields: {
    exchange_rate_id: { type: 'string', stored: '_id' },
    currency: 'string',
    quote_currency: 'string',
    rate: 'string',
    effective_date: 'string',
    domain_id: 'string',
    updated_at: 'datetime',
  },
  keywordFields: ['currency', 'quote_currency'],
  defaultSort: [{ key: 'currency' }, { key: 'quote_currency' }, { key: 'effective_date', desc: true }],
} satisfies QuerySchema;

export const exchangeRates = new ResourceCollection<ExchangeRateRecord>(BILLING_COLLECTIONS.exchangeRates, 'exchange rate', EXCHANGE_RATE_QUERY_SCHEMA);

export const EXCHANGE_RATE_INDEXES: Record<string, IndexSpec[]> = {
  [BILLING_COLLECTIONS.exchangeRates]: [
    { name: 'domain_pair_date', fields: ['domain_id', 'currency', 'quote_currency', 'effective_date'], unique: true },
  ],
};

/** One rate per domain, pair and date: setting it again replaces it. */
export const exchangeRateId = (domainId: string, currency: string, quote: string, date: string) => `${domainId}:${currency}:${quote}:${date}`;
