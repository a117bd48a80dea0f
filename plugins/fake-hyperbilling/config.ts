import { loadConfig, type ConfigOf, type ConfigSchema } from '../../lib/config/config';

export const FAKE_HYPERBILLING_VARS = {
  TALLY_FAKE_HYPERBILLING_PORT: { type: 'port', default: 8480, description: 'Port of the fake Hyper Billing API (0 picks a free port)' },
  TALLY_FAKE_HYPERBILLING_HOST: { type: 'string', default: '127.0.0.1', description: 'Address the fake Hyper Billing API binds' },
  TALLY_FAKE_HYPERBILLING_SEED: { type: 'string', default: 'tally', description: 'Seed of the fake costs (same seed, same costs)' },
  TALLY_FAKE_HYPERBILLING_ACCOUNTS: {
    type: 'string',
    default: '100000000001,100000000002',
    description: 'Comma-separated account ids; one client with its own key is issued per account',
  },
  TALLY_FAKE_HYPERBILLING_CREDENTIALS_FILE: {
    type: 'string',
    description: 'Where the issued credentials are written as JSON (mode 0600); not written when unset',
  },
  TALLY_LOG_LEVEL: {
    type: 'enum',
    values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
    default: 'info',
    description: 'Log level of the JSON logs',
  },
} as const satisfies ConfigSchema;

export type FakeHyperBillingConfig = ConfigOf<typeof FAKE_HYPERBILLING_VARS>;

export const loadFakeHyperBillingConfig = (env: NodeJS.ProcessEnv = process.env): FakeHyperBillingConfig =>
  loadConfig(FAKE_HYPERBILLING_VARS, env);
