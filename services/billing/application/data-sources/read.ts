import type { Query, StatQuery, StatResult } from '../../../../gen/tally/core/v1/query';
import type { Principal } from '../../../../lib/auth/principal';
import type { DataSourceRecord } from '../../domain/records';
import type { BillingDeps } from '../ports';
import { domainOf } from '../../../../lib/auth/principal';
import { dataSources } from './collection';
import { requireId } from '../../../../lib/validate/fields';

/** One data source of the caller's domain; another domain's id is NOT_FOUND. DOMAIN_VIEWER. */
export async function getDataSource(deps: Pick<BillingDeps, 'store'>, p: Principal, dataSourceId: string): Promise<DataSourceRecord> {
  return dataSources.get(deps.store, domainOf(p, 'DOMAIN_VIEWER'), requireId(dataSourceId, 'data_source_id'));
}

/** The caller's domain's data sources, by Query (DATA_SOURCE_QUERY_SCHEMA). DOMAIN_VIEWER. */
export async function listDataSources(
  deps: Pick<BillingDeps, 'store'>,
  p: Principal,
  query: Query | undefined,
): Promise<{ results: DataSourceRecord[]; total: number }> {
  return dataSources.list(deps.store, domainOf(p, 'DOMAIN_VIEWER'), query);
}

export async function statDataSources(deps: Pick<BillingDeps, 'store'>, p: Principal, query: StatQuery | undefined): Promise<StatResult> {
  return dataSources.stat(deps.store, domainOf(p, 'DOMAIN_VIEWER'), query);
}
