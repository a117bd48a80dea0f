import { ConfigError } from '../../lib/config/config';
import { createLogger } from '../../lib/log/logger';
import { onShutdownSignal } from '../../lib/runtime/shutdown';
import { startIdentity } from './app';
import { loadIdentityConfig } from './config';

async function main(): Promise<void> {
  const config = loadIdentityConfig();
  const logger = createLogger({ name: 'identity', level: config.TALLY_LOG_LEVEL });
  const app = await startIdentity(config, { logger });
  logger.info({ port: app.port, metrics_port: app.metricsPort }, 'identity ready');
  onShutdownSignal(logger, () => app.stop());
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
