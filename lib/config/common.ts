import type { ConfigSchema } from './config';

/** Variables every service accepts. */
export const COMMON_VARS = {
  TALLY_LOG_LEVEL: {
    type: 'enum',
    values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
    default: 'info',
    description: 'Log level of the JSON logs',
  },
  TALLY_GRPC_HOST: { type: 'string', default: '127.0.0.1', description: 'Address the gRPC server binds (0.0.0.0 in containers)' },
  TALLY_METRICS_PORT: { type: 'port', default: 0, description: 'Port of the Prometheus /metrics endpoint (0 picks a free port)' },
  TALLY_MONGO_URL: {
    type: 'url',
    secret: true,
    description: 'MongoDB connection string (a replica set); the embedded store is used when unset',
  },
  TALLY_DATA_DIR: { type: 'string', description: 'Folder where the embedded store persists its data; in memory when unset' },
  TALLY_NATS_URL: { type: 'string', description: 'NATS server(s) with JetStream; an in-process bus is used when unset' },
  TALLY_INTERNAL_TOKEN_SECRET: {
    type: 'string',
    required: true,
    minLength: 32,
    secret: true,
    description: 'Shared secret that signs the short-lived tokens services and the gateway send each other',
  },
  TALLY_MAX_MESSAGE_BYTES: { type: 'int', default: 4 * 1024 * 1024, description: 'Largest gRPC message accepted' },
  TALLY_HEALTH_INTERVAL_MS: { type: 'int', default: 2000, description: 'How often dependencies (store, NATS) are checked for health' },
  TALLY_SHUTDOWN_GRACE_MS: { type: 'int', default: 10000, description: 'How long shutdown waits for calls in flight' },
} as const satisfies ConfigSchema;
