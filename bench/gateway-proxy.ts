/**
 * The `gateway` benchmark's gateway in a process of its own (forked by bench/gateway.ts):
 * startGateway() configured from the environment the parent passes (the back ends' addresses and
 * their internal token secret, ephemeral ports). Sends its gRPC port over IPC, then serves until
 * told to stop or until the parent goes away.
 */
import { createLogger } from '../lib/log/logger';
import { startGateway, type GatewayApp } from '../services/gateway/app';
import { loadGatewayConfig } from '../services/gateway/config';
import type { ChildMessage, GatewayReady } from './gateway-child';

let app: GatewayApp | undefined;

async function stop(code: number): Promise<never> {
  try {
    await app?.stop();
  } finally {
    process.exit(code);
  }
}

async function main(): Promise<void> {
  const config = loadGatewayConfig(process.env);
  app = await startGateway(config, { logger: createLogger({ name: 'gateway', level: config.TALLY_LOG_LEVEL }) });
  process.send?.({ ready: { grpcPort: app.grpcPort } } satisfies ChildMessage<GatewayReady>);
}

process.on('disconnect', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
main().catch((err: unknown) => {
  process.send?.({ error: err instanceof Error ? (err.stack ?? err.message) : String(err) } satisfies ChildMessage<GatewayReady>);
  void stop(1);
});
