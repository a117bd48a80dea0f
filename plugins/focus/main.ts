import { ConfigError } from '../../lib/config/config';
import { runPlugin } from '../sdk';
import { loadFocusConfig, type FocusConfig } from './config';
import { createFocusPlugin, PLUGIN_NAME } from './plugin';

/** TALLY_PLUGIN_PORT's default for this plugin. */
export const DEFAULT_PORT = 50063;

/** The TALLY_FOCUS_* variables, checked; a bad one is reported by name and the process exits 1. */
function configOrExit(): FocusConfig {
  try {
    const config = loadFocusConfig();
    if (config.TALLY_FOCUS_REQUEST_TIMEOUT_MS < 1) throw new ConfigError(['TALLY_FOCUS_REQUEST_TIMEOUT_MS must be at least 1']);
    return config;
  } catch (err) {
    console.error(err instanceof ConfigError ? err.message : err);
    process.exit(1);
  }
}

const config = configOrExit();
void runPlugin(
  createFocusPlugin({ dataRoot: config.TALLY_FOCUS_DATA_ROOT || undefined, requestTimeoutMs: config.TALLY_FOCUS_REQUEST_TIMEOUT_MS }),
  { name: PLUGIN_NAME, defaultPort: DEFAULT_PORT },
);
