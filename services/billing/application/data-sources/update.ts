import type { Principal } from '../../../../lib/auth/principal';
import { DomainError } from '../../../../lib/errors/domain-error';
import type { DataSourceRecord } from '../../domain/records';
import type { BillingDeps } from '../ports';
import { domainOf } from '../../../../lib/auth/principal';
import { dataSources } from './collection';
import { describePlugin, type PluginInit } from './plugin-init';
import { checkName, checkTags, requireId } from '../../../../lib/validate/fields';
import { checkOptions, checkPluginEndpoint, checkScheduleHours } from './validate';

/** A change of a data source; absent fields keep their value. */
export interface UpdateDataSource {
  dataSourceId: string;
  name?: string;
  options?: Record<string, unknown>;
  scheduleHours?: number;
  tags?: Record<string, unknown>;
  pluginEndpoint?: string;
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Changes a data source (DOMAIN_ADMIN). When the endpoint or the options change, the plugin's
 * Init is called again and its providers and currency replace the old ones. The built-in Hyper
 * Billing data source keeps the endpoint the operator configured (FAILED_PRECONDITION).
 */
export async function updateDataSource(
  deps: Pick<BillingDeps, 'store'>,
  p: Principal,
  req: UpdateDataSource,
  pluginInit: PluginInit,
): Promise<DataSourceRecord> {
  const domainId = domainOf(p, 'DOMAIN_ADMIN');
  const id = requireId(req.dataSourceId, 'data_source_id');
  const set: Partial<DataSourceRecord> = {};
  if (req.name !== undefined) set.name = checkName(req.name, 'name');
  if (req.options !== undefined) set.options = checkOptions(req.options, 'options');
  if (req.scheduleHours !== undefined) set.schedule_hours = checkScheduleHours(req.scheduleHours, 'schedule_hours');
  if (req.tags !== undefined) set.tags = checkTags(req.tags, 'tags');
  if (req.pluginEndpoint !== undefined) set.plugin_endpoint = checkPluginEndpoint(req.pluginEndpoint, 'plugin_endpoint');

  const current = await dataSources.get(deps.store, domainId, id);
  if (current.built_in && set.plugin_endpoint !== undefined && set.plugin_endpoint !== current.plugin_endpoint) {
    throw new DomainError(
      'FAILED_PRECONDITION',
      'DATA_SOURCE.BUILT_IN_ENDPOINT',
      'the endpoint of the built-in Hyper Billing data source comes from the operator\'s configuration (TALLY_HYPERBILLING_PLUGIN_ENDPOINT)',
    );
  }
  const endpoint = set.plugin_endpoint ?? current.plugin_endpoint;
  const options = set.options ?? current.options;
  if (endpoint !== current.plugin_endpoint || !sameJson(options, current.options)) {
    Object.assign(set, await describePlugin(pluginInit, endpoint, options));
  }
  if (Object.keys(set).length === 0) return current;
  return deps.store.transaction(async (tx) => {
    const latest = await dataSources.get(tx, domainId, id);
    await dataSources.in(tx).updateOne({ _id: id, domain_id: domainId }, { $set: set });
    return { ...latest, ...set };
  });
}
