import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Server, ServerCredentials, type ServerInterceptor, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';
import type { Logger } from '../log/logger';
import { addHealth, dependencyWatcher, HealthService, LIVENESS_SERVICE, type Dependency } from './health';
import { addReflection } from './reflection';

export interface BoundService {
  /** Full name, e.g. tally.identity.v1.ProjectService. */
  name: string;
  definition: ServiceDefinition;
  implementation: UntypedServiceImplementation;
}

export interface GrpcServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  logger: Logger;
  services: BoundService[];
  maxMessageBytes: number;
  /** The store, the bus...: health is NOT_SERVING while any is down. */
  dependencies?: Dependency[];
  dependencyIntervalMs?: number;
  interceptors?: ServerInterceptor[];
  /** How long shutdown waits for calls in flight before cancelling them. */
  shutdownGraceMs?: number;
  /** The descriptor set reflection serves; the whole contract when absent (the gateway filters it). */
  reflectionSet?: Uint8Array;
  /** Services served in front of this server (the gateway's proxy) that health and reflection report as its own. */
  advertised?: string[];
}

export interface RunningServer {
  port: number;
  health: HealthService;
  shutdown(): Promise<void>;
}

/** The contract's descriptor set (buf build output, committed in gen/). */
export function loadDescriptorSet(): Uint8Array {
  return readFileSync(join(__dirname, '..', '..', 'gen', 'descriptor.binpb'));
}

/**
 * Starts a gRPC server with the house kit: health (NOT_SERVING while a dependency is down or
 * during shutdown), reflection from the descriptor set, message size limit, keepalive, and a
 * graceful shutdown that lets calls in flight finish within the grace period.
 */
export async function startGrpcServer(opts: GrpcServerOptions): Promise<RunningServer> {
  const server = new Server({
    'grpc.max_receive_message_length': opts.maxMessageBytes,
    'grpc.max_send_message_length': opts.maxMessageBytes,
    'grpc.keepalive_time_ms': 30_000,
    'grpc.keepalive_timeout_ms': 10_000,
    'grpc.max_connection_age_ms': 5 * 60_000,
    'grpc.max_connection_age_grace_ms': 30_000,
    interceptors: opts.interceptors ?? [],
  });
  const names = [...opts.services.map((s) => s.name), ...(opts.advertised ?? [])];
  const health = new HealthService({ '': 'SERVING', [LIVENESS_SERVICE]: 'SERVING', ...Object.fromEntries(names.map((n) => [n, 'SERVING' as const])) });
  for (const s of opts.services) server.addService(s.definition, s.implementation);
  addHealth(server, health);
  addReflection(server, { descriptorSet: opts.reflectionSet ?? loadDescriptorSet(), services: names });
  const watcher = opts.dependencies?.length
    ? dependencyWatcher(health, opts.dependencies, {
        intervalMs: opts.dependencyIntervalMs ?? 2000,
        services: ['', ...names],
        onChange: (down) => (down.length ? opts.logger.warn({ down }, 'dependency down') : opts.logger.info('dependencies up')),
      })
    : undefined;
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${opts.host}:${opts.port}`, ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  opts.logger.info({ port, services: names }, 'gRPC server listening');
  let closing: Promise<void> | undefined;
  const shutdown = () =>
    (closing ??= (async () => {
      watcher?.stop();
      health.shutdown();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          opts.logger.warn('grace period over, cancelling calls in flight');
          server.forceShutdown();
          resolve();
        }, opts.shutdownGraceMs ?? 10_000);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    })());
  return { port, health, shutdown };
}
