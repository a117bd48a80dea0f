import { ConfigError } from '../../lib/config/config';
import { createLogger } from '../../lib/log/logger';
import { onShutdownSignal } from '../../lib/runtime/shutdown';
import { startBilling } from './app';
import { loadBillingConfig } from './config';

async function main(): Promise<void> {
  const config = loadBillingConfig();
  const logger = createLogger({ name: 'billing', level: config.TALLY_LOG_LEVEL });
  const app = await startBilling(config, { logger });
  logger.info({ port: app.port, metrics_port: app.metricsPort }, 'billing ready');
  onShutdownSignal(logger, () => app.stop());
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
