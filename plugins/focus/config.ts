import { loadConfig, type ConfigOf, type ConfigSchema } from '../../lib/config/config';

/** Variables of the FOCUS plugin besides the SDK's PLUGIN_VARS. */
export const FOCUS_VARS = {
  TALLY_FOCUS_DATA_ROOT: {
    type: 'string',
    default: '',
    description: 'When set, local export locations must be inside this folder (URLs are not affected); any readable path otherwise',
  },
  TALLY_FOCUS_REQUEST_TIMEOUT_MS: {
    type: 'int',
    default: 30_000,
    description: "Longest wait for an http(s) export's answer headers",
  },
} as const satisfies ConfigSchema;

export type FocusConfig = ConfigOf<typeof FOCUS_VARS>;

export const loadFocusConfig = (env: NodeJS.ProcessEnv = process.env): FocusConfig => loadConfig(FOCUS_VARS, env);
