export { EXCHANGE_RATE_INDEXES, EXCHANGE_RATE_QUERY_SCHEMA, exchangeRateId, exchangeRates } from './collection';
export { listExchangeRates } from './list-rates';
export { setExchangeRate, validateExchangeRate, type SetExchangeRate } from './set-rate';
