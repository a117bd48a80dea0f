import { loadConfig, type ConfigOf, type ConfigSchema } from '../../lib/config/config';
import { DEFAULT_RETRY_POLICY } from './retry-policy';
import { DEFAULT_ENDPOINT } from './plugin';

/** Variables of the Hyper Billing plugin besides the SDK's PLUGIN_VARS. */
export const HYPERBILLING_VARS = {
  TALLY_HYPERBILLING_ENDPOINT: {
    type: 'url',
    default: DEFAULT_ENDPOINT,
    description: "Hyper Billing API base URL when a data source's options give none (the default is the fake API of the quick start)",
  },
  TALLY_HYPERBILLING_MAX_ATTEMPTS: {
    type: 'int',
    default: DEFAULT_RETRY_POLICY.maxAttempts,
    description: 'Attempts per Hyper Billing request (429, 5xx, network errors and malformed answers are retried)',
  },
  TALLY_HYPERBILLING_REQUEST_TIMEOUT_MS: {
    type: 'int',
    default: DEFAULT_RETRY_POLICY.requestTimeoutMs,
    description: 'Longest one Hyper Billing request may take before it is retried',
  },
} as const satisfies ConfigSchema;

export type HyperBillingConfig = ConfigOf<typeof HYPERBILLING_VARS>;

export const loadHyperBillingConfig = (env: NodeJS.ProcessEnv = process.env): HyperBillingConfig => loadConfig(HYPERBILLING_VARS, env);
