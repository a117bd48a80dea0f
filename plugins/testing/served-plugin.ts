import { createMemoryLogger } from '../../lib/log/logger';
import { connectPlugin, serve, type PluginClient, type PluginImpl, type ServeOptions } from '../sdk';

export interface ServedPlugin {
  target: string;
  port: number;
  client: PluginClient;
  /** Every log line the plugin wrote (level debug and up). */
  lines: string[];
  stop(): Promise<void>;
}

/** Serves a plugin on a free loopback port with a memory logger, and connects a client to it. */
export async function servePluginForTest(impl: PluginImpl, options: Partial<ServeOptions> = {}): Promise<ServedPlugin> {
  const { logger, lines } = createMemoryLogger('plugin-under-test', 'debug');
  const running = await serve(impl, { name: 'plugin-under-test', logger, handleSignals: false, shutdownGraceMs: 500, ...options });
  const target = `127.0.0.1:${running.port}`;
  const client = connectPlugin(target);
  return {
    target,
    port: running.port,
    client,
    lines,
    async stop() {
      client.close();
      await running.shutdown();
    },
  };
}
