import { internalTokenVerifier } from '../../lib/auth/internal-token';
import { KeyRing } from '../../lib/crypto';
import { OUTBOX_COLLECTION, OUTBOX_INDEXES } from '../../lib/events/outbox';
import { OutboxRelay } from '../../lib/events/outbox-relay';
import type { EventBus } from '../../lib/events/port';
import { bearer } from '../../lib/grpc/call-context';
import { GrpcMetrics, metricsServerInterceptor, startMetricsServer } from '../../lib/grpc/metrics';
import { startGrpcServer } from '../../lib/grpc/server';
import { createLogger, type Logger } from '../../lib/log/logger';
import { openBus } from '../../lib/runtime/open-bus';
import { openStore } from '../../lib/runtime/open-store';
import type { Store } from '../../lib/store/port';
import { identityServices } from './adapters/grpc/handlers';
import { verifyCredential, ROOT_PRINCIPAL } from './application/auth';
import { IDENTITY_INDEXES } from './application/collections';
import type { IdentityDeps } from './application/deps';
import { IDENTITY_STREAM } from './application/events';
import { seedBuiltInProviders } from './application/providers';
import { rewrapSecrets } from './application/secrets';
import type { IdentityConfig } from './config';

export interface IdentityApp {
  port: number;
  metricsPort: number;
  deps: IdentityDeps;
  store: Store;
  bus: EventBus;
  relay: OutboxRelay;
  stop(): Promise<void>;
}

export interface IdentityOverrides {
  logger?: Logger;
  /** Use this store or bus instead of the configured one (tests, single-process mode). */
  store?: Store;
  bus?: EventBus;
}

/** Starts identity: store, bus, outbox relay, gRPC server, metrics and the rewrap timer. */
export async function startIdentity(config: IdentityConfig, overrides: IdentityOverrides = {}): Promise<IdentityApp> {
  const logger = overrides.logger ?? createLogger({ name: 'identity', level: config.TALLY_LOG_LEVEL });
  const keyRing = KeyRing.fromConfig(config.TALLY_MASTER_KEYS, config.TALLY_MASTER_KEY_MIN_VERSION);
  const store =
    overrides.store ?? (await openStore({ mongoUrl: config.TALLY_MONGO_URL, dataDir: config.TALLY_DATA_DIR, database: 'tally_identity', logger }));
  for (const [name, indexes] of Object.entries(IDENTITY_INDEXES)) await store.ensureIndexes(name, indexes);
  await store.ensureIndexes(OUTBOX_COLLECTION, OUTBOX_INDEXES);
  const bus = overrides.bus ?? (await openBus({ natsUrl: config.TALLY_NATS_URL, stream: IDENTITY_STREAM, logger }));
  const relay = new OutboxRelay({ store, bus, logger: logger.child({ component: 'outbox' }) });
  const deps: IdentityDeps = {
    store,
    keyRing,
    notifyOutbox: () => relay.notify(),
    rootKey: config.TALLY_ROOT_KEY,
    verifyInternalToken: internalTokenVerifier(config.TALLY_INTERNAL_TOKEN_SECRET),
    now: () => new Date(),
  };
  await seedBuiltInProviders(deps);
  relay.start();

  const metrics = new GrpcMetrics({ defaultMetrics: true });
  const metricsServer = await startMetricsServer({ port: config.TALLY_METRICS_PORT, host: config.TALLY_GRPC_HOST, registry: metrics.registry });
  const server = await startGrpcServer({
    host: config.TALLY_GRPC_HOST,
    port: config.TALLY_IDENTITY_PORT,
    logger,
    maxMessageBytes: config.TALLY_MAX_MESSAGE_BYTES,
    shutdownGraceMs: config.TALLY_SHUTDOWN_GRACE_MS,
    interceptors: [metricsServerInterceptor(metrics)],
    services: identityServices(deps, { logger, authenticate: async (md) => verifyCredential(deps, bearer(md) ?? '') }),
    dependencyIntervalMs: config.TALLY_HEALTH_INTERVAL_MS,
    dependencies: [
      { name: 'store', check: () => store.ping().then(() => true) },
      { name: 'bus', check: async () => bus.healthy() },
    ],
  });

  const rewrapTimer =
    config.TALLY_REWRAP_INTERVAL_MS > 0
      ? setInterval(() => {
          rewrapSecrets(deps, ROOT_PRINCIPAL).then(
            (r) => r.rewrapped && logger.info(r, 'secrets re-wrapped under the newest master key'),
            (err) => logger.warn({ err }, 'rewrap failed'),
          );
        }, config.TALLY_REWRAP_INTERVAL_MS)
      : undefined;
  rewrapTimer?.unref();

  return {
    port: server.port,
    metricsPort: metricsServer.port,
    deps,
    store,
    bus,
    relay,
    async stop() {
      if (rewrapTimer) clearInterval(rewrapTimer);
      await server.shutdown();
      await relay.stop();
      await metricsServer.close();
      if (!overrides.bus) await bus.close();
      if (!overrides.store) await store.close();
    },
  };
}
