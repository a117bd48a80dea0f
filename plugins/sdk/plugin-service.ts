import type { ServiceDefinition } from '@grpc/grpc-js';
import {
  DataSourcePluginServiceGetTasksResponse,
  DataSourcePluginServiceService,
  PluginMetadata,
  type DataSourcePluginServiceServer,
} from '../../gen/tally/plugin/billing/v1/plugin';
import { invalidArgument } from '../../lib/errors/domain-error';
import { bindService, type Handlers } from '../../lib/grpc/bind-service';
import { bindServerStream } from '../../lib/grpc/bind-stream';
import type { CallContext } from '../../lib/grpc/call-context';
import type { BoundService } from '../../lib/grpc/server';
import type { Logger } from '../../lib/log/logger';
import { assertDateRange } from './dates';
import { DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './limits';
import { TaskReporter } from './task-reporter';
import { encodePages } from './page-encoder';
import { acceptPluginCaller } from './plugin-caller';
import { scrubSecrets } from './scrub-secrets';
import type { CostDataContext, GetCostDataRequest, InitRequest, PluginContext, PluginImpl } from './types';

export const PLUGIN_SERVICE_NAME = 'tally.plugin.billing.v1.DataSourcePluginService';

export interface PluginServiceOptions {
  logger: Logger;
  /** The server's gRPC message limit: no page is larger. Default 4 MiB. */
  maxMessageBytes?: number;
  /** page_size when Init does not give one. Default 1000. */
  defaultPageSize?: number;
}

/** How many data source option sets keep their Init answer (GetCostData needs its page_size). */
const METADATA_CACHE_SIZE = 64;

type UnaryServer = Pick<DataSourcePluginServiceServer, 'init' | 'verify' | 'getTasks'>;

const pluginContext = (ctx: CallContext): PluginContext => ({ requestId: ctx.requestId, logger: ctx.logger, signal: ctx.signal });

/**
 * Binds a plugin's four functions to the DataSourcePluginService: Init answers are completed
 * (page_size 1..10000, schemas), GetTasks and GetCostData dates are checked before the plugin
 * sees them, rows are re-chunked into pages within page_size and the message limit, and errors
 * are censored of the call's secret_data before the one error mapper turns them into statuses.
 */
export function pluginService(impl: PluginImpl, opts: PluginServiceOptions): BoundService {
  const { logger } = opts;
  const maxPageBytes = opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const defaultPageSize = opts.defaultPageSize ?? DEFAULT_PAGE_SIZE;
  const cache = new Map<string, PluginMetadata>();

  async function describe(req: InitRequest, ctx: PluginContext): Promise<PluginMetadata> {
    const m = PluginMetadata.fromPartial(await impl.init(req, ctx));
    let pageSize = m.pageSize || defaultPageSize;
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
      ctx.logger.warn({ page_size: m.pageSize }, `page_size must be 1..${MAX_PAGE_SIZE}; using ${MAX_PAGE_SIZE}`);
      pageSize = MAX_PAGE_SIZE;
    }
    return { ...m, pageSize, credentialSchema: m.credentialSchema ?? { type: 'object' }, optionsSchema: m.optionsSchema ?? { type: 'object' } };
  }

  async function pageSizeFor(req: GetCostDataRequest, ctx: PluginContext): Promise<number> {
    const key = `${req.domainId}\u0000${JSON.stringify(req.options ?? {})}`;
    let m = cache.get(key);
    if (!m) {
      m = await describe({ options: req.options, domainId: req.domainId }, ctx);
      if (cache.size >= METADATA_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
      cache.set(key, m);
    }
    return m.pageSize;
  }

  const handlers: Handlers<UnaryServer> = {
    init: async (req, ctx) => ({ metadata: await describe(req, pluginContext(ctx)) }),
    verify: async (req, ctx) => {
      try {
        await impl.verify(req, pluginContext(ctx));
        return {};
      } catch (err) {
        throw scrubSecrets(err, req.secretData);
      }
    },
    getTasks: async (req, ctx) => {
      assertDateRange(req.startDate, req.endDate);
      try {
        return DataSourcePluginServiceGetTasksResponse.fromPartial(await impl.getTasks(req, pluginContext(ctx)));
      } catch (err) {
        throw scrubSecrets(err, req.secretData);
      }
    },
  };

  async function* getCostData(req: GetCostDataRequest, ctx: CallContext): AsyncGenerator<Buffer> {
    if (!req.task) throw invalidArgument('PLUGIN.TASK_REQUIRED', 'task', 'task is required (one of the tasks GetTasks answered)');
    assertDateRange(req.task.startDate, req.task.endDate, 'task');
    const reporter = new TaskReporter(req.secretData);
    const pctx: CostDataContext = { ...pluginContext(ctx), report: (r) => reporter.set(r) };
    try {
      const pageSize = await pageSizeFor(req, pctx);
      if (ctx.signal.aborted) return;
      yield* encodePages(impl.getCostData(req, pctx), { pageSize, maxPageBytes, signal: ctx.signal }, () => reporter.report);
    } catch (err) {
      throw scrubSecrets(err, req.secretData);
    }
  }

  const { init, verify, getTasks, getCostData: streamMethod } = DataSourcePluginServiceService;
  const bind = { authenticate: acceptPluginCaller, logger };
  const unary = bindService<UnaryServer>({ init, verify, getTasks } as unknown as ServiceDefinition, handlers, bind);
  // Pages leave the encoder already serialized (their size is known exactly), so the stream's
  // serializer passes the bytes through.
  const definition = {
    ...DataSourcePluginServiceService,
    getCostData: { ...streamMethod, responseSerialize: (page: Buffer) => page },
  } as unknown as ServiceDefinition;
  return {
    name: PLUGIN_SERVICE_NAME,
    definition,
    implementation: { ...unary, getCostData: bindServerStream(streamMethod.path, getCostData, bind) },
  };
}
