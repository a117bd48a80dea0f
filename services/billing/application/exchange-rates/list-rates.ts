import type { Query } from '../../../../gen/tally/core/v1/query';
import type { Principal } from '../../../../lib/auth/principal';
import type { ExchangeRateRecord } from '../../domain/records';
import type { BillingDeps } from '../ports';
import { domainOf } from '../../../../lib/auth/principal';
import { exchangeRates } from './collection';

/** The caller's domain's rates, by Query (EXCHANGE_RATE_QUERY_SCHEMA). DOMAIN_VIEWER. */
export async function listExchangeRates(
  deps: Pick<BillingDeps, 'store'>,
  p: Principal,
  query: Query | undefined,
): Promise<{ results: ExchangeRateRecord[]; total: number }> {
  return exchangeRates.list(deps.store, domainOf(p, 'DOMAIN_VIEWER'), query);
}
