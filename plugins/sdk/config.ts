import { COMMON_VARS } from '../../lib/config/common';
import { loadConfig, type ConfigOf, type ConfigSchema } from '../../lib/config/config';

/** Environment variables every plugin accepts (plugins hold no store, bus or internal token). */
export const PLUGIN_VARS = {
  TALLY_LOG_LEVEL: COMMON_VARS.TALLY_LOG_LEVEL,
  TALLY_GRPC_HOST: COMMON_VARS.TALLY_GRPC_HOST,
  TALLY_PLUGIN_PORT: { type: 'port', default: 50061, description: "The plugin's gRPC port" },
  TALLY_METRICS_PORT: COMMON_VARS.TALLY_METRICS_PORT,
  TALLY_MAX_MESSAGE_BYTES: COMMON_VARS.TALLY_MAX_MESSAGE_BYTES,
  TALLY_SHUTDOWN_GRACE_MS: COMMON_VARS.TALLY_SHUTDOWN_GRACE_MS,
} as const satisfies ConfigSchema;

export type PluginConfig = ConfigOf<typeof PLUGIN_VARS>;

export const loadPluginConfig = (env: NodeJS.ProcessEnv = process.env): PluginConfig => loadConfig(PLUGIN_VARS, env);
