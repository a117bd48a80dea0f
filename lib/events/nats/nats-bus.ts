import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { unavailable } from '../../errors/domain-error';
import type { Logger } from '../../log/logger';
import type { BackoffOptions } from '../backoff';
import type { BusMessage, EventBus, Handler, SubscribeOptions, Subscription } from '../port';
import { assertFilterSubject } from '../subject';
import { validateMessage, validateSubscribeOptions } from '../validate';
import { openConnection } from './connection';
import { ensureConsumer } from './consumers';
import { ensureDeadLetterCapture, ensureStream, streamForFilter } from './streams';
import { startSubscription } from './subscription';

export interface NatsBusOptions {
  /** NATS URL(s), e.g. nats://127.0.0.1:4222 */
  servers: string | string[];
  /** The stream the bus publishes to and reads from; created or updated at start. */
  stream: { name: string; subjects: string[] };
  logger: Logger;
  /** How long the first connection may take, retries included. Default 10 s. */
  connectTimeoutMs?: number;
  /** A message id published again within this window is absorbed. Default 2 minutes. */
  duplicateWindowMs?: number;
  /** How long publish waits for the JetStream ack, and other JetStream calls for a reply. Default 5 s. */
  requestTimeoutMs?: number;
  /** Delay before the first redelivery of a failed message; doubles per delivery up to 30 s. Default 1 s. */
  redeliveryDelayMs?: number;
  /** Backoff between reconnect attempts. Default 250 ms doubling up to 5 s, with jitter. */
  reconnect?: BackoffOptions;
  /** Client name shown by the server's monitoring. */
  name?: string;
}

const CLOSE_DRAIN_TIMEOUT_MS = 5_000;

/** The stream that keeps dead-lettered messages of a bus whose stream is `stream`. */
export const deadLetterStreamName = (stream: string) => `${stream}_DLQ`;

/**
 * EventBus on NATS JetStream. Publishing sets Nats-Msg-Id to the message id and waits for the
 * stream's ack, so a message republished within the duplicate window is stored once. Each
 * subscription is a durable pull consumer with explicit ack, on the bus's stream or, for
 * subjects outside it (a dead-letter subject, say), on the one stream that captures them; a
 * message whose handler failed maxDeliver times is republished to the dead-letter subject
 * (kept in `<stream>_DLQ` unless another stream already captures it) and terminated.
 */
export async function createNatsBus(o: NatsBusOptions): Promise<EventBus> {
  if (!o.stream.subjects.length) throw new Error('stream.subjects must name at least one subject');
  o.stream.subjects.forEach((s) => assertFilterSubject(s, 'stream subject'));
  const logger = o.logger.child({ component: 'nats-bus' });
  const duplicateWindowMs = o.duplicateWindowMs ?? 120_000;
  const requestTimeoutMs = o.requestTimeoutMs ?? 5_000;
  const dlqStream = deadLetterStreamName(o.stream.name);

  const conn = await openConnection({
    servers: o.servers,
    name: o.name,
    connectTimeoutMs: o.connectTimeoutMs ?? 10_000,
    reconnect: o.reconnect ?? { initialMs: 250, maxMs: 5_000, jitter: 0.2 },
    logger,
  });
  const { nc } = conn;
  let closed = false;
  const subscriptions = new Set<Subscription>();

  try {
    const jsm = await jetstreamManager(nc, { timeout: requestTimeoutMs });
    await ensureStream(jsm, { name: o.stream.name, subjects: o.stream.subjects, duplicateWindowMs }, logger);
    const js = jetstream(nc, { timeout: requestTimeoutMs });
    // Stream and consumer changes run one at a time, so concurrent subscribes do not race.
    let setup: Promise<unknown> = Promise.resolve();
    const serially = <T>(fn: () => Promise<T>): Promise<T> => {
      const run = setup.then(fn, fn);
      setup = run.catch(() => {});
      return run;
    };

    async function send(msg: BusMessage, hdrs?: Record<string, string>): Promise<void> {
      if (closed) throw new Error('event bus is closed');
      if (!conn.connected()) throw unavailable('EVENTS.UNAVAILABLE', 'event bus is not connected to NATS');
      let h;
      if (hdrs) {
        h = natsHeaders();
        for (const [k, v] of Object.entries(hdrs)) h.set(k, v);
      }
      try {
        // A duplicate ack (the id was seen within the window) is success too.
        await js.publish(msg.subject, msg.data, { msgID: msg.id, timeout: requestTimeoutMs, ...(h ? { headers: h } : {}) });
      } catch (err) {
        throw Object.assign(unavailable('EVENTS.UNAVAILABLE', `publish to ${msg.subject} was not acknowledged: ${(err as Error).message}`), {
          cause: err,
        });
      }
    }

    return {
      async publish(msg) {
        validateMessage(msg);
        await send(msg);
      },

      async subscribe(opts: SubscribeOptions, handler: Handler) {
        if (closed) throw new Error('event bus is closed');
        validateSubscribeOptions(opts);
        const stream = await serially(async () => {
          await ensureDeadLetterCapture(jsm, dlqStream, opts.deadLetterSubject, duplicateWindowMs, logger);
          const name = await streamForFilter(jsm, o.stream, opts.subject);
          await ensureConsumer(jsm, name, opts);
          return name;
        });
        const sub = await startSubscription({
          js,
          stream,
          options: opts,
          handler,
          logger,
          redeliveryDelayMs: o.redeliveryDelayMs ?? 1_000,
          ackTimeoutMs: requestTimeoutMs,
          publishDeadLetter: send,
          connectionClosed: () => nc.isClosed(),
        });
        subscriptions.add(sub);
        return {
          async stop() {
            await sub.stop();
            subscriptions.delete(sub);
          },
        };
      },

      healthy: () => !closed && conn.connected(),

      async close() {
        if (closed) return;
        closed = true;
        await Promise.all([...subscriptions].map((s) => s.stop()));
        subscriptions.clear();
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), CLOSE_DRAIN_TIMEOUT_MS)));
        const result = await Promise.race([nc.drain().then(() => 'drained' as const, () => 'failed' as const), timedOut]);
        clearTimeout(timer);
        if (result !== 'drained' && !nc.isClosed()) await nc.close();
      },
    };
  } catch (err) {
    await nc.close();
    throw err;
  }
}
