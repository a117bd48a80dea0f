import { CostServiceService, type CostServiceServer } from '../../../../gen/tally/billing/v1/cost';
import { DataSourceServiceService, type DataSourceServiceServer } from '../../../../gen/tally/billing/v1/data_source';
import { ExchangeRateServiceService, type ExchangeRateServiceServer } from '../../../../gen/tally/billing/v1/exchange_rate';
import { JobServiceService, type JobServiceServer } from '../../../../gen/tally/billing/v1/job';
import { SettingsServiceService, type SettingsServiceServer } from '../../../../gen/tally/billing/v1/settings';
import { bindService, type BindOptions, type Handlers } from '../../../../lib/grpc/bind-service';
import type { BoundService } from '../../../../lib/grpc/server';
import type { ServiceDefinition } from '@grpc/grpc-js';
import { analyze, listCosts, statCosts } from '../../application/analyze';
import * as ds from '../../application/data-sources';
import { verifyPlugin } from '../../application/data-sources/verify-plugin';
import { listExchangeRates, setExchangeRate } from '../../application/exchange-rates';
import * as jobs from '../../application/jobs/jobs';
import type { BillingDeps } from '../../application/ports';
import { getSettings, updateSettings } from '../../application/settings';
import type { PluginGateway } from '../plugin';
import { fromAttributionMode, toDataSource, toExchangeRate, toJob, toSettings } from './mappers';

/** Billing's gRPC services: thin adapters from messages to use cases and back. */
export function billingServices(deps: BillingDeps, plugins: PluginGateway, opts: BindOptions): BoundService[] {
  const bound = <S>(name: string, definition: ServiceDefinition, handlers: Handlers<S>): BoundService => ({
    name: `tally.billing.v1.${name}`,
    definition,
    implementation: bindService<S>(definition, handlers, opts),
  });
  const init = plugins.pluginInit;
  return [
    bound<DataSourceServiceServer>('DataSourceService', DataSourceServiceService, {
      register: async (req, { principal }) => ({
        dataSource: toDataSource(
          await ds.registerDataSource(
            deps,
            principal,
            { name: req.name, pluginEndpoint: req.pluginEndpoint, options: req.options, scheduleHours: req.scheduleHours || undefined, tags: req.tags },
            init,
          ),
        ),
      }),
      update: async (req, { principal }) => ({
        dataSource: toDataSource(
          await ds.updateDataSource(
            deps,
            principal,
            {
              dataSourceId: req.dataSourceId,
              name: req.name,
              options: req.options,
              scheduleHours: req.scheduleHours,
              tags: req.tags,
              pluginEndpoint: req.pluginEndpoint,
            },
            init,
          ),
        ),
      }),
      enable: async (req, { principal }) => ({ dataSource: toDataSource(await ds.enableDataSource(deps, principal, req.dataSourceId)) }),
      disable: async (req, { principal }) => ({ dataSource: toDataSource(await ds.disableDataSource(deps, principal, req.dataSourceId)) }),
      deregister: async (req, { principal }) => (await ds.deregisterDataSource(deps, principal, req.dataSourceId), {}),
      get: async (req, { principal }) => ({ dataSource: toDataSource(await ds.getDataSource(deps, principal, req.dataSourceId)) }),
      list: async (req, { principal }) => {
        const { results, total } = await ds.listDataSources(deps, principal, req.query);
        return { results: results.map(toDataSource), totalCount: total };
      },
      stat: async (req, { principal }) => ({ result: await ds.statDataSources(deps, principal, req.query) }),
      sync: async (req, { principal }) => ({ jobIds: await jobs.syncNow(deps, principal, req) }),
      verifyPlugin: async (req, { principal }) => verifyPlugin(deps, plugins, principal, req),
    }),
    bound<JobServiceServer>('JobService', JobServiceService, {
      get: async (req, { principal }) => ({ job: toJob(await jobs.getJob(deps, principal, req.jobId)) }),
      list: async (req, { principal }) => {
        const { results, total } = await jobs.listJobs(deps, principal, req.query);
        return { results: results.map(toJob), totalCount: total };
      },
      stat: async (req, { principal }) => ({ result: await jobs.statJobs(deps, principal, req.query) }),
      cancel: async (req, { principal }) => ({ job: toJob(await jobs.cancelJob(deps, principal, req.jobId)) }),
    }),
    bound<CostServiceServer>('CostService', CostServiceService, {
      analyze: async (req, { principal }) => analyze(deps, principal, req),
      list: async (req, { principal }) => listCosts(deps, principal, req),
      stat: async (req, { principal }) => statCosts(deps, principal, req),
    }),
    bound<ExchangeRateServiceServer>('ExchangeRateService', ExchangeRateServiceService, {
      set: async (req, { principal }) => ({ exchangeRate: toExchangeRate(await setExchangeRate(deps, principal, req)) }),
      list: async (req, { principal }) => {
        const { results, total } = await listExchangeRates(deps, principal, req.query);
        return { results: results.map(toExchangeRate), totalCount: total };
      },
    }),
    bound<SettingsServiceServer>('SettingsService', SettingsServiceService, {
      get: async (_req, { principal }) => ({ settings: toSettings(await getSettings(deps, principal)) }),
      update: async (req, { principal }) => ({
        settings: toSettings(
          await updateSettings(deps, principal, {
            currency: req.currency,
            attributionMode: fromAttributionMode(req.attributionMode) || undefined,
            firstSyncMonths: req.firstSyncMonths,
            scheduleHours: req.scheduleHours,
            hyperbillingEnabled: req.hyperbillingEnabled,
          }),
        ),
      }),
    }),
  ];
}
