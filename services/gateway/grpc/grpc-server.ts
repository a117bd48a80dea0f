import { Server, ServerCredentials, type ServerInterceptor } from '@grpc/grpc-js';
import { addHealth, dependencyWatcher, HealthService, LIVENESS_SERVICE, type Dependency } from '../../../lib/grpc/health';
import { addReflection } from '../../../lib/grpc/reflection';
import type { BoundService, RunningServer } from '../../../lib/grpc/server';
import type { Logger } from '../../../lib/log/logger';

export interface GatewayGrpcOptions {
  host: string;
  port: number;
  logger: Logger;
  services: BoundService[];
  /** The descriptor set without internal services and methods (reflection serves only these). */
  reflectionSet: Uint8Array;
  maxMessageBytes: number;
  interceptors: ServerInterceptor[];
  shutdownGraceMs: number;
  /** The backends: health is NOT_SERVING while any is down. */
  dependencies: Dependency[];
  dependencyIntervalMs: number;
}

/**
 * The gateway's gRPC server: the house kit of lib/grpc/server.ts (health, reflection, limits,
 * keepalive, graceful shutdown), except that reflection serves the filtered descriptor set, so
 * that internal methods of a public service (SecretService.GetData) are not described either.
 */
export async function startGatewayGrpc(o: GatewayGrpcOptions): Promise<RunningServer> {
  const server = new Server({
    'grpc.max_receive_message_length': o.maxMessageBytes,
    'grpc.max_send_message_length': o.maxMessageBytes,
    'grpc.keepalive_time_ms': 30_000,
    'grpc.keepalive_timeout_ms': 10_000,
    'grpc.max_connection_age_ms': 5 * 60_000,
    'grpc.max_connection_age_grace_ms': 30_000,
    interceptors: o.interceptors,
  });
  const health = new HealthService({ '': 'SERVING', [LIVENESS_SERVICE]: 'SERVING', ...Object.fromEntries(o.services.map((s) => [s.name, 'SERVING' as const])) });
  for (const s of o.services) server.addService(s.definition, s.implementation);
  addHealth(server, health);
  addReflection(server, { descriptorSet: o.reflectionSet, services: o.services.map((s) => s.name) });
  const watcher = o.dependencies.length
    ? dependencyWatcher(health, o.dependencies, {
        intervalMs: o.dependencyIntervalMs,
        services: ['', ...o.services.map((s) => s.name)],
        onChange: (down) => (down.length ? o.logger.warn({ down }, 'backend down') : o.logger.info('backends up')),
      })
    : undefined;
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${o.host}:${o.port}`, ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  o.logger.info({ port, services: o.services.map((s) => s.name) }, 'gateway gRPC listening');
  let closing: Promise<void> | undefined;
  const shutdown = () =>
    (closing ??= (async () => {
      watcher?.stop();
      health.shutdown();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          o.logger.warn('grace period over, cancelling calls in flight');
          server.forceShutdown();
          resolve();
        }, o.shutdownGraceMs);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    })());
  return { port, health, shutdown };
}
