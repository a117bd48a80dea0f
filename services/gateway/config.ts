import { loadConfig, type ConfigOf, type ConfigSchema } from '../../lib/config/config';
import { COMMON_VARS } from '../../lib/config/common';

export const GATEWAY_VARS = {
  ...COMMON_VARS,
  TALLY_GATEWAY_GRPC_PORT: { type: 'port', default: 50050, description: "gateway's gRPC port (0 picks a free port)" },
  TALLY_GATEWAY_HTTP_PORT: { type: 'port', default: 8080, description: "gateway's HTTP/JSON port (0 picks a free port)" },
  TALLY_GATEWAY_HTTP_HOST: { type: 'string', default: '127.0.0.1', description: 'Address the HTTP/JSON server binds (0.0.0.0 in containers)' },
  TALLY_IDENTITY_ENDPOINT: { type: 'string', default: '127.0.0.1:50051', description: "identity's gRPC address (host:port)" },
  TALLY_BILLING_ENDPOINT: { type: 'string', default: '127.0.0.1:50052', description: "billing's gRPC address (host:port)" },
  TALLY_GATEWAY_MAX_BODY_BYTES: {
    type: 'int',
    default: 1024 * 1024,
    description: 'Largest HTTP request body accepted; a bigger one is answered 413 RESOURCE_EXHAUSTED and not forwarded',
  },
  TALLY_CORS_ORIGINS: {
    type: 'string',
    default: '',
    description: 'Comma-separated origins allowed to call the HTTP/JSON API from a browser ("*" for any); CORS is off when empty',
  },
  TALLY_GATEWAY_DEADLINE_MS: {
    type: 'int',
    default: 10_000,
    description: 'Deadline of a forwarded call when the client sets none (every HTTP call)',
  },
  TALLY_GATEWAY_MAX_DEADLINE_MS: {
    type: 'int',
    default: 60_000,
    description: "Longest deadline of a forwarded call: a gRPC client's longer deadline is capped to it",
  },
  TALLY_GATEWAY_AUTH_CACHE_MS: {
    type: 'int',
    default: 10_000,
    description: "How long an API key identity accepted is trusted without asking again (0 turns the cache off)",
  },
} as const satisfies ConfigSchema;

export type GatewayConfig = ConfigOf<typeof GATEWAY_VARS>;

export const loadGatewayConfig = (env: NodeJS.ProcessEnv = process.env): GatewayConfig => loadConfig(GATEWAY_VARS, env);

/** TALLY_CORS_ORIGINS as a list; empty means CORS is off. */
export const corsOrigins = (config: GatewayConfig): string[] =>
  config.TALLY_CORS_ORIGINS.split(',')
    .map((o) => o.trim())
    .filter(Boolean);
