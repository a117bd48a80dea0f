import type { Principal } from '../../../../lib/auth/principal';
import { DomainError } from '../../../../lib/errors/domain-error';
import { newId } from '../../../../lib/ids/ids';
import type { DataSourceRecord } from '../../domain/records';
import type { BillingDeps } from '../ports';
import { domainOf } from '../../../../lib/auth/principal';
import { readSettings } from '../settings/settings-store';
import { dataSources } from './collection';
import { describePlugin, type PluginInit } from './plugin-init';
import { checkName, checkTags } from '../../../../lib/validate/fields';
import { checkOptions, checkPluginEndpoint, checkScheduleHours, DATA_SOURCE_LIMITS } from './validate';

export interface RegisterDataSource {
  name: string;
  pluginEndpoint: string;
  options?: Record<string, unknown>;
  /** Absent: the domain's schedule_hours setting. 0 turns the schedule off. */
  scheduleHours?: number;
  tags?: Record<string, unknown>;
}

/**
 * Registers a plugin as a data source of the caller's domain (DOMAIN_ADMIN). The request is
 * checked first; then the plugin's Init tells which providers it serves and its currency. The
 * new data source is ENABLED and has never synced (last_synced_at null), so the scheduler syncs
 * it on its next pass.
 */
export async function registerDataSource(
  deps: Pick<BillingDeps, 'store' | 'now'>,
  p: Principal,
  req: RegisterDataSource,
  pluginInit: PluginInit,
): Promise<DataSourceRecord> {
  const domainId = domainOf(p, 'DOMAIN_ADMIN');
  const name = checkName(req.name, 'name');
  const endpoint = checkPluginEndpoint(req.pluginEndpoint, 'plugin_endpoint');
  const options = checkOptions(req.options, 'options');
  const tags = checkTags(req.tags, 'tags');
  const scheduleHours =
    req.scheduleHours === undefined ? (await readSettings(deps.store, domainId)).schedule_hours : checkScheduleHours(req.scheduleHours, 'schedule_hours');
  await assertRoom(deps, domainId);
  const { providers, currency } = await describePlugin(pluginInit, endpoint, options);
  const record: DataSourceRecord = {
    _id: newId('ds'),
    domain_id: domainId,
    name,
    providers,
    plugin_endpoint: endpoint,
    options,
    state: 'ENABLED',
    schedule_hours: scheduleHours,
    currency,
    built_in: false,
    tags,
    created_at: deps.now(),
    last_synced_at: null,
  };
  await deps.store.transaction(async (tx) => {
    await assertRoom({ store: tx }, domainId);
    await dataSources.in(tx).insertOne(record);
  });
  return record;
}

async function assertRoom(deps: { store: Parameters<typeof dataSources.in>[0] }, domainId: string): Promise<void> {
  const count = await dataSources.in(deps.store).count({ domain_id: domainId });
  if (count >= DATA_SOURCE_LIMITS.maxPerDomain) {
    throw new DomainError(
      'RESOURCE_EXHAUSTED',
      'DATA_SOURCE.TOO_MANY',
      `a domain may have at most ${DATA_SOURCE_LIMITS.maxPerDomain} data sources; deregister one first`,
    );
  }
}
