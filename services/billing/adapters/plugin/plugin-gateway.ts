import { DomainError } from '../../../../lib/errors/domain-error';
import { connectPlugin, type PluginClient } from '../../../../plugins/sdk';
import type { CostPage, PluginAccountCall, PluginInfo, PluginPort, PluginTasks, Task } from '../../application/sync/plugin-port';
import { secretStrings } from '../../../../lib/secrets/redact';
import { duration, pluginError, type PluginMethod } from './plugin-errors';
import { toPluginInfo } from './plugin-metadata';

export interface PluginGatewayOptions {
  /** Deadline of Init, Verify and GetTasks. Default 30 s (plugins call their backend, with retries). */
  unaryDeadlineMs?: number;
  /** Deadline of one task's GetCostData stream. Default 30 minutes. */
  streamDeadlineMs?: number;
  /** A stream that sends no page for this long is cancelled. Default 5 minutes. */
  pageIdleMs?: number;
  /** How a client is opened (tests); the SDK's connectPlugin by default. */
  connect?: (endpoint: string) => PluginClient;
}

/** The plugin port over gRPC, plus what data source registration needs. */
export interface PluginGateway extends PluginPort {
  /** Init of the plugin at endpoint with the data source's options: the providers it serves and its currency. */
  pluginInit: (endpoint: string, options: Record<string, unknown>) => Promise<{ providers: string[]; currency: string }>;
  /** Closes every cached client. */
  close(): void;
}

export const DEFAULT_UNARY_DEADLINE_MS = 30_000;
export const DEFAULT_STREAM_DEADLINE_MS = 30 * 60_000;
export const DEFAULT_PAGE_IDLE_MS = 5 * 60_000;

const toAccount = (call: PluginAccountCall) => ({
  serviceAccountId: call.account.serviceAccountId,
  externalAccountId: call.account.externalAccountId,
  provider: call.account.provider,
  data: call.account.data,
});

/**
 * Opens (and caches, one per endpoint) plugin clients through the SDK's connectPlugin. Every call
 * has a deadline; gRPC failures become DomainErrors with PLUGIN.* reasons and messages a user can
 * act on, censored of the call's credentials.
 */
export function createPluginGateway(options: PluginGatewayOptions = {}): PluginGateway {
  const unaryDeadlineMs = options.unaryDeadlineMs ?? DEFAULT_UNARY_DEADLINE_MS;
  const streamDeadlineMs = options.streamDeadlineMs ?? DEFAULT_STREAM_DEADLINE_MS;
  const pageIdleMs = options.pageIdleMs ?? DEFAULT_PAGE_IDLE_MS;
  const connect = options.connect ?? ((endpoint: string) => connectPlugin(endpoint));
  const clients = new Map<string, PluginClient>();

  function clientFor(endpoint: string): PluginClient {
    const target = endpoint.trim();
    if (!target) throw new DomainError('FAILED_PRECONDITION', 'PLUGIN.NO_ENDPOINT', 'the data source has no plugin endpoint; set one (host:port)');
    let client = clients.get(target);
    if (!client) {
      try {
        client = connect(target);
      } catch {
        throw new DomainError('INVALID_ARGUMENT', 'PLUGIN.BAD_ENDPOINT', `${JSON.stringify(target.slice(0, 100))} is not a plugin address (host:port)`);
      }
      clients.set(target, client);
    }
    return client;
  }

  async function unary<T>(endpoint: string, method: PluginMethod, secretData: unknown, run: (c: PluginClient) => Promise<T>): Promise<T> {
    const client = clientFor(endpoint);
    try {
      return await run(client);
    } catch (err) {
      throw pluginError(err, { endpoint, method, secrets: secretStrings(secretData), deadlineMs: unaryDeadlineMs });
    }
  }

  async function init(endpoint: string, pluginOptions: Record<string, unknown>, domainId = '', signal?: AbortSignal): Promise<PluginInfo> {
    const res = await unary(endpoint, 'Init', undefined, (c) => c.init({ options: pluginOptions, domainId }, { deadlineMs: unaryDeadlineMs, signal }));
    return toPluginInfo(res.metadata, endpoint);
  }

  async function verify(endpoint: string, call: PluginAccountCall, signal?: AbortSignal): Promise<void> {
    await unary(endpoint, 'Verify', call.secretData, (c) =>
      c.verify(
        { options: call.options, secretData: call.secretData, account: toAccount(call), domainId: call.domainId },
        { deadlineMs: unaryDeadlineMs, signal },
      ),
    );
  }

  async function getTasks(endpoint: string, call: PluginAccountCall & { startDate: string; endDate: string }, signal?: AbortSignal): Promise<PluginTasks> {
    const res = await unary(endpoint, 'GetTasks', call.secretData, (c) =>
      c.getTasks(
        {
          options: call.options,
          secretData: call.secretData,
          account: toAccount(call),
          startDate: call.startDate,
          endDate: call.endDate,
          domainId: call.domainId,
        },
        { deadlineMs: unaryDeadlineMs, signal },
      ),
    );
    return { tasks: res.tasks, windows: res.windows };
  }

  async function* getCostData(endpoint: string, call: PluginAccountCall & { task: Task }, signal?: AbortSignal): AsyncGenerator<CostPage> {
    const client = clientFor(endpoint);
    const secrets = secretStrings(call.secretData);
    const inner = new AbortController();
    const onAbort = () => inner.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) inner.abort(signal.reason);
    const pages = client.getCostData(
      { options: call.options, secretData: call.secretData, account: toAccount(call), task: call.task, domainId: call.domainId },
      { signal: inner.signal, deadlineMs: streamDeadlineMs },
    );
    const it = pages[Symbol.asyncIterator]();
    let idle = false;
    let done = false;
    try {
      for (;;) {
        let timer: NodeJS.Timeout | undefined;
        let result: IteratorResult<CostPage>;
        try {
          result = await new Promise((resolve, reject) => {
            timer = setTimeout(() => {
              idle = true;
              inner.abort(new Error('idle'));
            }, pageIdleMs);
            it.next().then(resolve, reject);
          });
        } catch (err) {
          done = true;
          if (idle)
            throw new DomainError(
              'DEADLINE_EXCEEDED',
              'PLUGIN.DEADLINE_EXCEEDED',
              `the plugin at ${endpoint} sent no cost data for ${duration(pageIdleMs)} in task ${call.task.taskId}; the backend may be stuck, the next sync will try again`,
            );
          throw pluginError(err, { endpoint, method: 'GetCostData', secrets, deadlineMs: streamDeadlineMs });
        } finally {
          clearTimeout(timer);
        }
        if (result.done) {
          done = true;
          return;
        }
        yield result.value;
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      if (!done) await it.return?.();
    }
  }

  const pluginInit = async (endpoint: string, pluginOptions: Record<string, unknown>) => {
    const { providers, currency } = await init(endpoint, pluginOptions);
    return { providers, currency };
  };

  return {
    init,
    verify,
    getTasks,
    getCostData,
    pluginInit,
    close() {
      for (const c of clients.values()) c.close();
      clients.clear();
    },
  };
}

/**
 * Init of the plugin at endpoint through a client of its own, closed afterwards (data source
 * registration checks a new endpoint with it): the providers the plugin serves and its currency.
 */
export async function pluginInit(endpoint: string, options: Record<string, unknown>): Promise<{ providers: string[]; currency: string }> {
  const gateway = createPluginGateway();
  try {
    return await gateway.pluginInit(endpoint, options);
  } finally {
    gateway.close();
  }
}
