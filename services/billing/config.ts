import { hostname } from 'node:os';
import { loadConfig, type ConfigOf, type ConfigSchema } from '../../lib/config/config';
import { COMMON_VARS } from '../../lib/config/common';

export const BILLING_VARS = {
  ...COMMON_VARS,
  TALLY_BILLING_PORT: { type: 'port', default: 50052, description: "billing's gRPC port" },
  TALLY_IDENTITY_ENDPOINT: { type: 'string', default: '127.0.0.1:50051', description: "identity's gRPC address (host:port)" },
  TALLY_HYPERBILLING_PLUGIN_ENDPOINT: {
    type: 'string',
    default: '',
    description: 'host:port of the Hyper Billing plugin; every domain gets a data source for it (none when empty)',
  },
  TALLY_SYNC_CONCURRENCY: { type: 'int', default: 4, description: 'Sync jobs one billing replica runs at once' },
  TALLY_RECONCILE_INTERVAL_MS: {
    type: 'int',
    default: 300_000,
    description: "How often billing reconciles its mirror with identity's lists (0 turns it off)",
  },
  TALLY_SCHEDULE_CHECK_INTERVAL_MS: {
    type: 'int',
    default: 60_000,
    description: 'How often billing looks for data sources due for their scheduled re-pull',
  },
  TALLY_REPLICA_ID: {
    type: 'string',
    default: `${hostname()}-${process.pid}`,
    description: 'Name of this billing replica in sync leases (the pod name in Kubernetes)',
  },
} as const satisfies ConfigSchema;

export type BillingConfig = ConfigOf<typeof BILLING_VARS>;

export const loadBillingConfig = (env: NodeJS.ProcessEnv = process.env): BillingConfig => loadConfig(BILLING_VARS, env);
