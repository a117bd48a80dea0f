import { GrpcMetrics, metricsServerInterceptor, startMetricsServer } from '../../lib/grpc/metrics';
import { loadDescriptorSet, startGrpcServer } from '../../lib/grpc/server';
import { createLogger, type Logger } from '../../lib/log/logger';
import { createAuthenticator } from './auth/authenticator';
import { corsOrigins, type GatewayConfig } from './config';
import { loadPublicApi, type PublicApi } from './contract/public-api';
import { startGrpcFront } from './grpc/grpc-front';
import { HttpMetrics } from './http/http-metrics';
import { startGatewayHttp } from './http/http-server';
import { backendDependencies } from './upstream/backend-health';
import { createUpstream } from './upstream/forward';
import { H2Target } from './upstream/h2-target';

export interface GatewayApp {
  grpcPort: number;
  httpPort: number;
  metricsPort: number;
  api: PublicApi;
  stop(): Promise<void>;
}

export interface GatewayOverrides {
  logger?: Logger;
  /** The contract; gen/descriptor.binpb when absent. */
  descriptorSet?: Uint8Array;
}

/**
 * Starts the gateway: the gRPC proxy and the HTTP/JSON API over the public services of identity
 * and billing (both derived from the descriptor set), API key authentication through identity,
 * and Prometheus metrics on a port of their own.
 */
export async function startGateway(config: GatewayConfig, overrides: GatewayOverrides = {}): Promise<GatewayApp> {
  const logger = overrides.logger ?? createLogger({ name: 'gateway', level: config.TALLY_LOG_LEVEL });
  const api = loadPublicApi(overrides.descriptorSet ?? loadDescriptorSet());
  const metrics = new GrpcMetrics({ defaultMetrics: true });
  const httpMetrics = new HttpMetrics(metrics.registry);
  const auth = createAuthenticator({
    identityEndpoint: config.TALLY_IDENTITY_ENDPOINT,
    internalSecret: config.TALLY_INTERNAL_TOKEN_SECRET,
    cacheTtlMs: config.TALLY_GATEWAY_AUTH_CACHE_MS,
    deadlineMs: config.TALLY_GATEWAY_DEADLINE_MS,
    logger,
  });
  const endpoints = { identity: config.TALLY_IDENTITY_ENDPOINT, billing: config.TALLY_BILLING_ENDPOINT };
  const backends = backendDependencies(endpoints, config.TALLY_HEALTH_INTERVAL_MS);
  const upstream = createUpstream({ endpoints, internalSecret: config.TALLY_INTERNAL_TOKEN_SECRET, maxMessageBytes: config.TALLY_MAX_MESSAGE_BYTES, metrics });
  const metricsServer = await startMetricsServer({ port: config.TALLY_METRICS_PORT, host: config.TALLY_GRPC_HOST, registry: metrics.registry });
  // Health and reflection: a grpc-js server on loopback, reached through the gRPC front.
  const own = await startGrpcServer({
    host: '127.0.0.1',
    port: 0,
    logger,
    services: [],
    advertised: api.services,
    reflectionSet: api.reflectionSet,
    maxMessageBytes: config.TALLY_MAX_MESSAGE_BYTES,
    interceptors: [metricsServerInterceptor(metrics)],
    shutdownGraceMs: config.TALLY_SHUTDOWN_GRACE_MS,
    dependencies: backends.dependencies,
    dependencyIntervalMs: config.TALLY_HEALTH_INTERVAL_MS,
  });
  const ownTarget = new H2Target(`127.0.0.1:${own.port}`);
  const grpc = await startGrpcFront({
    host: config.TALLY_GRPC_HOST,
    port: config.TALLY_GATEWAY_GRPC_PORT,
    methods: api.methods,
    auth,
    upstream,
    own: ownTarget,
    logger,
    metrics,
    maxMessageBytes: config.TALLY_MAX_MESSAGE_BYTES,
    defaultDeadlineMs: config.TALLY_GATEWAY_DEADLINE_MS,
    maxDeadlineMs: config.TALLY_GATEWAY_MAX_DEADLINE_MS,
  });
  const http = await startGatewayHttp({
    host: config.TALLY_GATEWAY_HTTP_HOST,
    port: config.TALLY_GATEWAY_HTTP_PORT,
    methods: api.methods,
    registry: api.registry,
    auth,
    upstream,
    logger,
    maxBodyBytes: config.TALLY_GATEWAY_MAX_BODY_BYTES,
    corsOrigins: corsOrigins(config),
    deadlineMs: config.TALLY_GATEWAY_DEADLINE_MS,
    metrics: httpMetrics,
    serving: () => own.health.getStatus('') === 'SERVING',
  });

  return {
    grpcPort: grpc.port,
    httpPort: http.port,
    metricsPort: metricsServer.port,
    api,
    async stop() {
      await Promise.all([grpc.close(config.TALLY_SHUTDOWN_GRACE_MS), own.shutdown(), http.close()]);
      ownTarget.close();
      upstream.close();
      backends.close();
      auth.close();
      await metricsServer.close();
    },
  };
}
