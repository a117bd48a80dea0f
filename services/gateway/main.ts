import { ConfigError } from '../../lib/config/config';
import { createLogger } from '../../lib/log/logger';
import { onShutdownSignal } from '../../lib/runtime/shutdown';
import { startGateway } from './app';
import { loadGatewayConfig } from './config';

async function main(): Promise<void> {
  const config = loadGatewayConfig();
  const logger = createLogger({ name: 'gateway', level: config.TALLY_LOG_LEVEL });
  const app = await startGateway(config, { logger });
  logger.info({ grpc_port: app.grpcPort, http_port: app.httpPort, metrics_port: app.metricsPort }, 'gateway ready');
  onShutdownSignal(logger, () => app.stop());
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
