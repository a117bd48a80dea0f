import { ConfigError } from '../../lib/config/config';
import { GrpcMetrics, metricsServerInterceptor, startMetricsServer, type MetricsServer } from '../../lib/grpc/metrics';
import { startGrpcServer, type RunningServer } from '../../lib/grpc/server';
import { createLogger, type Logger } from '../../lib/log/logger';
import { onShutdownSignal } from '../../lib/runtime/shutdown';
import { loadPluginConfig } from './config';
import { DEFAULT_MAX_MESSAGE_BYTES } from './limits';
import { pluginService } from './plugin-service';
import type { PluginImpl } from './types';

export interface ServeOptions {
  /** The plugin's name in logs. */
  name: string;
  /** Default 127.0.0.1 (0.0.0.0 in containers). */
  host?: string;
  /** Default 0: a free port (read it from the answer). */
  port?: number;
  /** Default: JSON logs on stdout at info. */
  logger?: Logger;
  /** gRPC message limit; no GetCostData page is larger. Default 4 MiB. */
  maxMessageBytes?: number;
  /** How long shutdown lets calls in flight finish. Default 10 s. */
  shutdownGraceMs?: number;
  /** page_size when Init does not give one. Default 1000. */
  defaultPageSize?: number;
  /** Serve Prometheus /metrics on this port (0 picks one); none when absent. */
  metricsPort?: number;
  /** Shut down gracefully on SIGTERM/SIGINT, then exit. Default true; tests pass false. */
  handleSignals?: boolean;
}

export interface RunningPlugin {
  port: number;
  metricsPort?: number;
  logger: Logger;
  /** NOT_SERVING at once, lets calls in flight finish within the grace period, then closes. */
  shutdown(): Promise<void>;
}

/**
 * Serves a plugin: the DataSourcePluginService over gRPC with health, reflection, logging,
 * message limits, graceful shutdown, and optional metrics.
 *
 * ```ts
 * await serve({ init, verify, getTasks, getCostData }, { name: 'my-plugin', port: 50061 });
 * ```
 */
export async function serve(impl: PluginImpl, options: ServeOptions): Promise<RunningPlugin> {
  const logger = options.logger ?? createLogger({ name: options.name });
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const metrics = options.metricsPort === undefined ? undefined : new GrpcMetrics({ defaultMetrics: true });
  let metricsServer: MetricsServer | undefined;
  let server: RunningServer | undefined;
  try {
    if (metrics) metricsServer = await startMetricsServer({ port: options.metricsPort ?? 0, host: options.host, registry: metrics.registry });
    server = await startGrpcServer({
      host: options.host ?? '127.0.0.1',
      port: options.port ?? 0,
      logger,
      maxMessageBytes,
      shutdownGraceMs: options.shutdownGraceMs,
      interceptors: metrics ? [metricsServerInterceptor(metrics)] : [],
      services: [pluginService(impl, { logger, maxMessageBytes, defaultPageSize: options.defaultPageSize })],
    });
  } catch (err) {
    await metricsServer?.close();
    throw err;
  }
  const running = server;
  let stopping: Promise<void> | undefined;
  const shutdown = () =>
    (stopping ??= (async () => {
      await running.shutdown();
      await metricsServer?.close();
      logger.info('plugin stopped');
    })());
  if (options.handleSignals ?? true) onShutdownSignal(logger, shutdown);
  return { port: running.port, metricsPort: metricsServer?.port, logger, shutdown };
}

export interface RunPluginOptions {
  name: string;
  /** TALLY_PLUGIN_PORT's default for this plugin. */
  defaultPort?: number;
  env?: NodeJS.ProcessEnv;
}

/**
 * A plugin's main(): reads TALLY_* variables (see PLUGIN_VARS), serves until SIGTERM. A bad
 * variable is reported by name and the process exits 1.
 */
export async function runPlugin(impl: PluginImpl, { name, defaultPort, env = process.env }: RunPluginOptions): Promise<RunningPlugin> {
  try {
    const config = loadPluginConfig(defaultPort !== undefined && !env.TALLY_PLUGIN_PORT ? { ...env, TALLY_PLUGIN_PORT: String(defaultPort) } : env);
    const logger = createLogger({ name, level: config.TALLY_LOG_LEVEL });
    const running = await serve(impl, {
      name,
      logger,
      host: config.TALLY_GRPC_HOST,
      port: config.TALLY_PLUGIN_PORT,
      metricsPort: config.TALLY_METRICS_PORT,
      maxMessageBytes: config.TALLY_MAX_MESSAGE_BYTES,
      shutdownGraceMs: config.TALLY_SHUTDOWN_GRACE_MS,
    });
    logger.info({ port: running.port, metrics_port: running.metricsPort }, `${name} plugin ready`);
    return running;
  } catch (err) {
    console.error(err instanceof ConfigError ? err.message : err);
    process.exit(1);
  }
}
