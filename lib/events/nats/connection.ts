import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '../../log/logger';
import { unavailable } from '../../errors/domain-error';
import { backoffDelay, type BackoffOptions } from '../backoff';

export interface ConnectionOptions {
  servers: string | string[];
  name?: string;
  /** How long the first connection may take, retries included. */
  connectTimeoutMs: number;
  /** Backoff between reconnect attempts after the connection is lost. */
  reconnect: BackoffOptions;
  logger: Logger;
}

/** A NATS connection that reconnects forever with backoff and tracks whether it is up. */
export interface TrackedConnection {
  nc: NatsConnection;
  connected(): boolean;
}

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function openConnection(o: ConnectionOptions): Promise<TrackedConnection> {
  let attempts = 0;
  const common = {
    servers: o.servers,
    name: o.name,
    maxReconnectAttempts: -1,
    reconnectDelayHandler: () => backoffDelay(Math.max(1, attempts), o.reconnect),
  };

  const deadline = Date.now() + o.connectTimeoutMs;
  let nc: NatsConnection | undefined;
  for (let attempt = 1; !nc; attempt++) {
    const left = deadline - Date.now();
    try {
      nc = await connect({ ...common, timeout: Math.max(250, Math.min(left, 5_000)) });
    } catch (err) {
      const wait = backoffDelay(attempt, o.reconnect);
      if (Date.now() + wait >= deadline) {
        throw Object.assign(
          unavailable('EVENTS.UNAVAILABLE', `could not connect to NATS at ${[o.servers].flat().join(', ')} within ${o.connectTimeoutMs}ms: ${(err as Error).message}`),
          { cause: err },
        );
      }
      o.logger.warn({ servers: o.servers, attempt, retry_in_ms: wait, err: (err as Error).message }, 'NATS not reachable yet; retrying');
      await delay(wait);
    }
  }

  let up = true;
  const conn = nc;
  void (async () => {
    for await (const s of conn.status()) {
      switch (s.type) {
        case 'disconnect':
          up = false;
          attempts = 0;
          o.logger.warn({ server: s.server }, 'NATS connection lost; reconnecting');
          break;
        case 'reconnecting':
          attempts++;
          break;
        case 'reconnect':
          up = true;
          attempts = 0;
          o.logger.info({ server: s.server }, 'NATS connection restored');
          break;
        case 'close':
          up = false;
          break;
        case 'error':
          o.logger.warn({ err: s.error.message }, 'NATS connection error');
          break;
      }
    }
  })();
  void conn.closed().then(() => {
    up = false;
  });

  return { nc: conn, connected: () => up && !conn.isClosed() };
}
