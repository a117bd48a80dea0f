import type { Principal } from '../../../../lib/auth/principal';
import type { DataSourceRecord, DataSourceState } from '../../domain/records';
import type { BillingDeps } from '../ports';
import { domainOf } from '../../../../lib/auth/principal';
import { dataSources } from './collection';
import { requireId } from '../../../../lib/validate/fields';

async function setState(deps: Pick<BillingDeps, 'store'>, p: Principal, dataSourceId: string, state: DataSourceState): Promise<DataSourceRecord> {
  const domainId = domainOf(p, 'DOMAIN_ADMIN');
  const id = requireId(dataSourceId, 'data_source_id');
  return deps.store.transaction(async (tx) => {
    const current = await dataSources.get(tx, domainId, id);
    if (current.state !== state) await dataSources.in(tx).updateOne({ _id: id, domain_id: domainId }, { $set: { state } });
    return { ...current, state };
  });
}

/** Lets a data source sync again (scheduled and on demand). DOMAIN_ADMIN. */
export const enableDataSource = (deps: Pick<BillingDeps, 'store'>, p: Principal, dataSourceId: string) => setState(deps, p, dataSourceId, 'ENABLED');

/** Stops a data source from syncing; its costs stay. DOMAIN_ADMIN. */
export const disableDataSource = (deps: Pick<BillingDeps, 'store'>, p: Principal, dataSourceId: string) => setState(deps, p, dataSourceId, 'DISABLED');
