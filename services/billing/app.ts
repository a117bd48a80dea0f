import { internalTokenVerifier } from '../../lib/auth/internal-token';
import type { EventBus, Subscription } from '../../lib/events/port';
import { bearer } from '../../lib/grpc/call-context';
import { GrpcMetrics, metricsServerInterceptor, startMetricsServer } from '../../lib/grpc/metrics';
import { startGrpcServer } from '../../lib/grpc/server';
import { createLogger, type Logger } from '../../lib/log/logger';
import { openBus } from '../../lib/runtime/open-bus';
import { openStore } from '../../lib/runtime/open-store';
import type { Store } from '../../lib/store/port';
import { IDENTITY_EVENTS, startIdentityConsumer } from './adapters/events';
import { billingServices } from './adapters/grpc/handlers';
import { createIdentityClient } from './adapters/identity';
import { createPluginGateway } from './adapters/plugin';
import { DATA_SOURCE_INDEXES } from './application/data-sources';
import { EXCHANGE_RATE_INDEXES } from './application/exchange-rates';
import { ensureLedgerIndexes, createLedger } from './application/ledger';
import { MIRROR_INDEXES, startReconciler, type Reconciler } from './application/mirror';
import type { BillingDeps } from './application/ports';
import { createSyncEngine, type SyncEngine } from './application/sync';
import type { BillingConfig } from './config';
import { jobs } from './application/jobs/jobs';

export interface BillingApp {
  port: number;
  metricsPort: number;
  deps: BillingDeps;
  sync: SyncEngine;
  reconciler: Reconciler;
  stop(): Promise<void>;
}

export interface BillingOverrides {
  logger?: Logger;
  store?: Store;
  bus?: EventBus;
}

/**
 * Starts billing: store, the identity mirror (events and reconciliation), the sync engine,
 * the cost ledger, and the gRPC server with health, metrics and reflection.
 */
export async function startBilling(config: BillingConfig, overrides: BillingOverrides = {}): Promise<BillingApp> {
  const logger = overrides.logger ?? createLogger({ name: 'billing', level: config.TALLY_LOG_LEVEL });
  const store =
    overrides.store ?? (await openStore({ mongoUrl: config.TALLY_MONGO_URL, dataDir: config.TALLY_DATA_DIR, database: 'tally_billing', logger }));
  for (const indexes of [MIRROR_INDEXES, DATA_SOURCE_INDEXES, EXCHANGE_RATE_INDEXES]) {
    for (const [name, specs] of Object.entries(indexes)) await store.ensureIndexes(name, specs);
  }
  await store.ensureIndexes(jobs.name, [
    { name: 'domain_created', fields: ['domain_id', 'created_at'] },
    { name: 'state', fields: ['state'] },
  ]);
  await ensureLedgerIndexes(store);
  const bus =
    overrides.bus ??
    (await openBus({ natsUrl: config.TALLY_NATS_URL, stream: { name: IDENTITY_EVENTS.stream, subjects: [IDENTITY_EVENTS.subject] }, logger }));
  const identity = createIdentityClient({ endpoint: config.TALLY_IDENTITY_ENDPOINT, internalSecret: config.TALLY_INTERNAL_TOKEN_SECRET, logger });
  const plugins = createPluginGateway();
  const now = () => new Date();
  const ledger = createLedger(store, logger.child({ component: 'ledger' }));
  const sync = createSyncEngine({
    store,
    logger,
    ledger,
    identity,
    plugins,
    owner: config.TALLY_REPLICA_ID,
    concurrency: config.TALLY_SYNC_CONCURRENCY,
    scheduleIntervalMs: config.TALLY_SCHEDULE_CHECK_INTERVAL_MS,
    hyperbillingEndpoint: config.TALLY_HYPERBILLING_PLUGIN_ENDPOINT,
    now,
  });
  const deps: BillingDeps = { store, logger, ledger, identity, sync, hyperbillingEndpoint: config.TALLY_HYPERBILLING_PLUGIN_ENDPOINT, now };
  sync.start();
  await sync.recoverInterrupted();
  const consumer: Subscription = await startIdentityConsumer(deps, bus);
  const reconciler = startReconciler({ ...deps, identity }, config.TALLY_RECONCILE_INTERVAL_MS);

  const verifyInternal = internalTokenVerifier(config.TALLY_INTERNAL_TOKEN_SECRET);
  const authenticate = async (md: Parameters<typeof bearer>[0]) => {
    const credential = bearer(md);
    if (!credential) return null;
    return verifyInternal(credential) ?? (await identity.verify(credential));
  };
  const metrics = new GrpcMetrics({ defaultMetrics: true });
  const metricsServer = await startMetricsServer({ port: config.TALLY_METRICS_PORT, host: config.TALLY_GRPC_HOST, registry: metrics.registry });
  const server = await startGrpcServer({
    host: config.TALLY_GRPC_HOST,
    port: config.TALLY_BILLING_PORT,
    logger,
    maxMessageBytes: config.TALLY_MAX_MESSAGE_BYTES,
    shutdownGraceMs: config.TALLY_SHUTDOWN_GRACE_MS,
    interceptors: [metricsServerInterceptor(metrics)],
    services: billingServices(deps, plugins, { logger, authenticate }),
    dependencyIntervalMs: config.TALLY_HEALTH_INTERVAL_MS,
    dependencies: [
      { name: 'store', check: () => store.ping().then(() => true) },
      { name: 'bus', check: async () => bus.healthy() },
    ],
  });

  return {
    port: server.port,
    metricsPort: metricsServer.port,
    deps,
    sync,
    reconciler,
    async stop() {
      await server.shutdown();
      await reconciler.stop();
      await consumer.stop();
      await sync.stop();
      plugins.close();
      identity.close();
      await metricsServer.close();
      if (!overrides.bus) await bus.close();
      if (!overrides.store) await store.close();
    },
  };
}
