import type { Source } from '../../../../lib/resource/resource-collection';
import { dataSources } from '../data-sources/collection';
import { ensureHyperbillingDataSource, hyperbillingDataSourceId } from '../data-sources/hyperbilling';
import type { BillingDeps } from '../ports';
import { ensureSettings } from '../settings/settings-store';
import type { MirrorEffect } from './effects';

/**
 * What every domain has in billing: its settings (defaults on first need) and, when the operator
 * configured the Hyper Billing plugin and the domain did not turn it off, the built-in Hyper
 * Billing data source (one per domain: its id is derived from the domain's). Use inside a
 * transaction. A built-in data source left behind after the setting was turned off (its removal
 * failed) is finished off by the effects returned.
 */
export async function ensureDomainBilling(
  tx: Source,
  deps: Pick<BillingDeps, 'hyperbillingEndpoint' | 'now'>,
  domainId: string,
): Promise<{ effects: MirrorEffect[]; createdDataSource: boolean }> {
  const { settings } = await ensureSettings(tx, domainId);
  if (settings.hyperbilling_enabled) {
    if (!deps.hyperbillingEndpoint) return { effects: [], createdDataSource: false };
    const { created } = await ensureHyperbillingDataSource(tx, {
      domainId,
      endpoint: deps.hyperbillingEndpoint,
      scheduleHours: settings.schedule_hours,
      now: deps.now(),
    });
    return { effects: [], createdDataSource: created };
  }
  const leftover = await dataSources.find(tx, domainId, hyperbillingDataSourceId(domainId));
  if (!leftover) return { effects: [], createdDataSource: false };
  if (leftover.state !== 'DISABLED') await dataSources.in(tx).updateOne({ _id: leftover._id }, { $set: { state: 'DISABLED' } });
  return { effects: [{ kind: 'retireDataSource', domainId, dataSourceId: leftover._id }], createdDataSource: false };
}
