import { ConfigError } from '../../lib/config/config';
import { DomainError } from '../../lib/errors/domain-error';
import { runPlugin } from '../sdk';
import { loadHyperBillingConfig, type HyperBillingConfig } from './config';
import { parseEndpoint } from './options';
import { createHyperBillingPlugin, PLUGIN_NAME } from './plugin';

/** TALLY_PLUGIN_PORT's default for this plugin. */
export const DEFAULT_PORT = 50062;

/** The TALLY_HYPERBILLING_* variables, checked; a bad one is reported by name and the process exits 1. */
function configOrExit(): HyperBillingConfig {
  try {
    const config = loadHyperBillingConfig();
    const problems: string[] = [];
    try {
      parseEndpoint(config.TALLY_HYPERBILLING_ENDPOINT, 'TALLY_HYPERBILLING_ENDPOINT');
    } catch (err) {
      problems.push(err instanceof DomainError ? err.message : String(err));
    }
    if (config.TALLY_HYPERBILLING_MAX_ATTEMPTS < 1) problems.push('TALLY_HYPERBILLING_MAX_ATTEMPTS must be at least 1');
    if (config.TALLY_HYPERBILLING_REQUEST_TIMEOUT_MS < 1) problems.push('TALLY_HYPERBILLING_REQUEST_TIMEOUT_MS must be at least 1');
    if (problems.length) throw new ConfigError(problems);
    return config;
  } catch (err) {
    console.error(err instanceof ConfigError ? err.message : err);
    process.exit(1);
  }
}

const config = configOrExit();
void runPlugin(
  createHyperBillingPlugin({
    endpoint: config.TALLY_HYPERBILLING_ENDPOINT,
    retry: { maxAttempts: config.TALLY_HYPERBILLING_MAX_ATTEMPTS, requestTimeoutMs: config.TALLY_HYPERBILLING_REQUEST_TIMEOUT_MS },
  }),
  { name: PLUGIN_NAME, defaultPort: DEFAULT_PORT },
);
