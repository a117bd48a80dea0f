import { loadConfig, type ConfigOf, type ConfigSchema } from '../../lib/config/config';
import { COMMON_VARS } from '../../lib/config/common';

export const IDENTITY_VARS = {
  ...COMMON_VARS,
  TALLY_IDENTITY_PORT: { type: 'port', default: 50051, description: "identity's gRPC port" },
  TALLY_ROOT_KEY: {
    type: 'string',
    required: true,
    minLength: 32,
    secret: true,
    description: "The operator's root key (role SYSTEM): creates domains",
  },
  TALLY_MASTER_KEYS: {
    type: 'string',
    required: true,
    secret: true,
    description: 'Versioned AES-256 master keys that wrap secrets: `1:<base64 32 bytes>,2:<...>`; the highest version encrypts',
  },
  TALLY_MASTER_KEY_MIN_VERSION: {
    type: 'int',
    default: 0,
    description: 'Secrets wrapped by an older master key version are refused (raise after a rewrap)',
  },
  TALLY_REWRAP_INTERVAL_MS: {
    type: 'int',
    default: 600_000,
    description: 'How often secrets under an older master key are re-wrapped (0 turns it off)',
  },
} as const satisfies ConfigSchema;

export type IdentityConfig = ConfigOf<typeof IDENTITY_VARS>;

export const loadIdentityConfig = (env: NodeJS.ProcessEnv = process.env): IdentityConfig => loadConfig(IDENTITY_VARS, env);
