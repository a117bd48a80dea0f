import type { Principal } from '../../../../lib/auth/principal';
import { BILLING_COLLECTIONS, type JobRecord } from '../../domain/records';
import type { BillingDeps } from '../ports';
import { domainOf } from '../../../../lib/auth/principal';
import { ensureSettings, settingsIn } from '../settings/settings-store';
import { dataSources } from './collection';
import { requireId } from '../../../../lib/validate/fields';

type RetireDeps = Pick<BillingDeps, 'store' | 'ledger' | 'sync' | 'logger'>;

/**
 * Deregisters a data source: it stops syncing at once (DISABLED, running jobs cancelled), its
 * costs leave every view, then the record goes. Each step may be repeated: when removing the
 * costs fails, the data source stays, disabled, and Deregister can be called again.
 *
 * The built-in Hyper Billing data source may be deregistered too; the domain's setting
 * hyperbilling_enabled then turns false so that reconciliation does not create it again
 * (turning the setting back on brings it back).
 */
export async function deregisterDataSource(deps: RetireDeps, p: Principal, dataSourceId: string): Promise<void> {
  const domainId = domainOf(p, 'DOMAIN_ADMIN');
  const id = requireId(dataSourceId, 'data_source_id');
  await deps.store.transaction(async (tx) => {
    const current = await dataSources.get(tx, domainId, id);
    await dataSources.in(tx).updateOne({ _id: id, domain_id: domainId }, { $set: { state: 'DISABLED' } });
    if (current.built_in) {
      await ensureSettings(tx, domainId);
      await settingsIn(tx).updateOne({ _id: domainId }, { $set: { hyperbilling_enabled: false } });
    }
  });
  await retireDataSource(deps, domainId, id);
}

/** Cancels the data source's running jobs, removes its costs, then its record (after it was disabled). */
export async function retireDataSource(deps: RetireDeps, domainId: string, dataSourceId: string): Promise<void> {
  const running = await deps.store
    .collection<JobRecord>(BILLING_COLLECTIONS.jobs)
    .find({ domain_id: domainId, data_source_id: dataSourceId, state: 'IN_PROGRESS' }, { projection: ['_id'] });
  for (const job of running) {
    await deps.sync.cancel(domainId, job._id).catch((err: unknown) => {
      deps.logger.warn({ domain_id: domainId, data_source_id: dataSourceId, job_id: job._id, err: (err as Error).message }, 'could not cancel a job of a retired data source');
    });
  }
  await deps.ledger.removeDataSource(domainId, dataSourceId);
  await dataSources.in(deps.store).deleteOne({ _id: dataSourceId, domain_id: domainId });
}
