import { createMemoryLogger } from '../../lib/log/logger';
import { startGateway, type GatewayApp } from '../../services/gateway/app';
import { loadGatewayConfig } from '../../services/gateway/config';
import type { Suite } from './suite';

export interface GatewayHarness {
  app: GatewayApp;
  grpcAddress: string;
  httpUrl: string;
  logs: string[];
  /** POST of a JSON body (an object, or raw text sent as is) to the HTTP/JSON API. */
  post(path: string, body: unknown, key?: string, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }>; // eslint-disable-line @typescript-eslint/no-explicit-any
  stop(): Promise<void>;
}

/** A gateway on ephemeral ports in front of a running suite (identity + billing). */
export async function startTestGateway(suite: Suite, env: Record<string, string> = {}): Promise<GatewayHarness> {
  const config = loadGatewayConfig({
    TALLY_INTERNAL_TOKEN_SECRET: suite.identity.config.TALLY_INTERNAL_TOKEN_SECRET,
    TALLY_IDENTITY_ENDPOINT: suite.identity.address,
    TALLY_BILLING_ENDPOINT: suite.billingAddress,
    TALLY_GATEWAY_GRPC_PORT: '0',
    TALLY_GATEWAY_HTTP_PORT: '0',
    TALLY_SHUTDOWN_GRACE_MS: '1000',
    ...env,
  });
  const { logger, lines } = createMemoryLogger('gateway', 'debug');
  const app = await startGateway(config, { logger });
  const httpUrl = `http://127.0.0.1:${app.httpPort}`;
  return {
    app,
    grpcAddress: `127.0.0.1:${app.grpcPort}`,
    httpUrl,
    logs: lines,
    async post(path, body, key, headers = {}) {
      const res = await fetch(`${httpUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
    },
    stop: () => app.stop(),
  };
}
