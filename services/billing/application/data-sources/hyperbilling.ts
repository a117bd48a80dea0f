import type { Source } from '../../../../lib/resource/resource-collection';
import type { DataSourceRecord } from '../../domain/records';
import { dataSources } from './collection';

/** The built-in Hyper Billing data source every domain gets (DESIGN section 6). */
export const HYPERBILLING_DATA_SOURCE = {
  name: 'Hyper Billing',
  providers: ['hyperbilling'],
  /** What the Hyper Billing plugin's Init reports. */
  currency: 'USD',
} as const;

/** Deterministic, so that creating it twice (a redelivered event, two replicas) finds the first. */
export function hyperbillingDataSourceId(domainId: string): string {
  return `ds-hyperbilling-${domainId.startsWith('domain-') ? domainId.slice('domain-'.length) : domainId}`;
}

export interface EnsureHyperbilling {
  domainId: string;
  /** host:port of the Hyper Billing plugin (the operator's configuration). */
  endpoint: string;
  scheduleHours: number;
  now: Date;
}

/**
 * Creates the domain's Hyper Billing data source when it is missing (use inside a transaction),
 * and points an existing one at the configured plugin endpoint when the operator moved it.
 */
export async function ensureHyperbillingDataSource(tx: Source, o: EnsureHyperbilling): Promise<{ dataSource: DataSourceRecord; created: boolean }> {
  const id = hyperbillingDataSourceId(o.domainId);
  const coll = dataSources.in(tx);
  const found = await coll.findOne({ _id: id });
  if (found) {
    if (found.plugin_endpoint !== o.endpoint) {
      await coll.updateOne({ _id: id }, { $set: { plugin_endpoint: o.endpoint } });
      return { dataSource: { ...found, plugin_endpoint: o.endpoint }, created: false };
    }
    return { dataSource: found, created: false };
  }
  const dataSource: DataSourceRecord = {
    _id: id,
    domain_id: o.domainId,
    name: HYPERBILLING_DATA_SOURCE.name,
    providers: [...HYPERBILLING_DATA_SOURCE.providers],
    plugin_endpoint: o.endpoint,
    options: {},
    state: 'ENABLED',
    schedule_hours: o.scheduleHours,
    currency: HYPERBILLING_DATA_SOURCE.currency,
    built_in: true,
    tags: {},
    created_at: o.now,
    last_synced_at: null,
  };
  await coll.insertOne(dataSource);
  return { dataSource, created: true };
}
