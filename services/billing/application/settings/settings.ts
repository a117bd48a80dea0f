import type { Principal } from '../../../../lib/auth/principal';
import type { SettingsRecord } from '../../domain/records';
import { dataSources } from '../data-sources/collection';
import { retireDataSource } from '../data-sources/deregister';
import { ensureHyperbillingDataSource, hyperbillingDataSourceId } from '../data-sources/hyperbilling';
import type { BillingDeps } from '../ports';
import { domainOf } from '../../../../lib/auth/principal';
import { ensureSettings, settingsIn } from './settings-store';
import { validateSettingsChange, type SettingsChange } from './validate-settings';

/** The caller's domain's settings, stored with the defaults on first read. DOMAIN_VIEWER. */
export async function getSettings(deps: Pick<BillingDeps, 'store'>, p: Principal): Promise<SettingsRecord> {
  return (await ensureSettings(deps.store, domainOf(p, 'DOMAIN_VIEWER'))).settings;
}

/**
 * Changes the caller's domain's settings (DOMAIN_ADMIN); absent fields keep their value.
 * hyperbilling_enabled says whether the built-in Hyper Billing data source exists: turning it on
 * creates it (when the operator configured the plugin), turning it off deregisters it (syncs stop,
 * its costs leave every view). When removing the costs fails, the data source stays disabled and
 * reconciliation finishes the job.
 */
export async function updateSettings(
  deps: Pick<BillingDeps, 'store' | 'ledger' | 'sync' | 'logger' | 'hyperbillingEndpoint' | 'now'>,
  p: Principal,
  change: SettingsChange,
): Promise<SettingsRecord> {
  const domainId = domainOf(p, 'DOMAIN_ADMIN');
  const set = validateSettingsChange(change);
  const { settings, retire } = await deps.store.transaction(async (tx) => {
    const { settings: current } = await ensureSettings(tx, domainId);
    const next: SettingsRecord = { ...current, ...set };
    if (Object.keys(set).length) await settingsIn(tx).updateOne({ _id: domainId }, { $set: set });
    let retire = '';
    if (next.hyperbilling_enabled && deps.hyperbillingEndpoint) {
      await ensureHyperbillingDataSource(tx, { domainId, endpoint: deps.hyperbillingEndpoint, scheduleHours: next.schedule_hours, now: deps.now() });
    } else if (!next.hyperbilling_enabled) {
      const id = hyperbillingDataSourceId(domainId);
      if (await dataSources.find(tx, domainId, id)) {
        await dataSources.in(tx).updateOne({ _id: id, domain_id: domainId }, { $set: { state: 'DISABLED' } });
        retire = id;
      }
    }
    return { settings: next, retire };
  });
  if (retire) await retireDataSource(deps, domainId, retire);
  return settings;
}
