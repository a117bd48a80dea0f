/**
 * The demo plugin served with the SDK's serve() on a free port, in its own process (as in
 * production, where a plugin never shares billing's event loop). Prints `PORT <n>` when ready.
 */
import { createLogger } from '../lib/log/logger';
import { demoPlugin } from '../plugins/demo/plugin';
import { serve } from '../plugins/sdk';

async function main(): Promise<void> {
  const plugin = await serve(demoPlugin(), {
    name: 'demo',
    port: 0,
    logger: createLogger({ name: 'demo', level: 'warn' }),
    handleSignals: true,
    shutdownGraceMs: 500,
    maxMessageBytes: 16 * 1024 * 1024,
  });
  process.stdout.write(`PORT ${plugin.port}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
