import type { ConsumerMessages, JetStreamClient, JsMsg } from '@nats-io/jetstream';
import type { Logger } from '../../log/logger';
import { backoffDelay } from '../backoff';
import { deadLetterHeaders, deadLetterId, errorText } from '../dead-letter';
import type { BusMessage, Delivery, Handler, SubscribeOptions, Subscription } from '../port';
import { DEAD_LETTER_ATTEMPTS } from './consumers';

export interface SubscriptionDeps {
  js: JetStreamClient;
  stream: string;
  options: SubscribeOptions;
  handler: Handler;
  logger: Logger;
  /** Delay before the first redelivery of a failed message; doubles per delivery, capped. */
  redeliveryDelayMs: number;
  ackTimeoutMs: number;
  publishDeadLetter(msg: BusMessage, headers: Record<string, string>): Promise<void>;
  connectionClosed(): boolean;
}

/**
 * Messages pulled per request. The handler runs one message at a time, so a buffered message
 * waits for those before it; a small batch keeps that wait well inside the ack wait.
 */
const BATCH = 16;
const MAX_REDELIVERY_DELAY_MS = 30_000;
const RESTART_BACKOFF = { initialMs: 500, maxMs: 15_000, jitter: 0.2 };

function toDelivery(m: JsMsg, stream: string): Delivery {
  let id = '';
  const headers: Record<string, string> = {};
  if (m.headers) {
    for (const [k, values] of m.headers) {
      if (k.toLowerCase() === 'nats-msg-id') id = values[0] ?? '';
      else if (!k.toLowerCase().startsWith('nats-')) headers[k] = values[values.length - 1] ?? '';
    }
  }
  return {
    id: id || `${stream}.${m.seq}`,
    subject: m.subject,
    data: m.data,
    deliveryCount: m.info.deliveryCount,
    ...(Object.keys(headers).length ? { headers } : {}),
  };
}

export async function startSubscription(d: SubscriptionDeps): Promise<Subscription> {
  const { options: o, logger } = d;
  const consumer = await d.js.consumers.get(d.stream, o.durable);
  const log = logger.child({ stream: d.stream, durable: o.durable });
  let stopping = false;
  let messages: ConsumerMessages | undefined;
  let wakeRestart: () => void = () => {};

  async function deadLetter(m: JsMsg, delivery: Delivery, error: unknown): Promise<void> {
    const fields = { subject: delivery.subject, msg_id: delivery.id, deliveries: delivery.deliveryCount, dead_letter: o.deadLetterSubject };
    try {
      await d.publishDeadLetter(
        { id: deadLetterId(delivery.id, o.durable), subject: o.deadLetterSubject, data: m.data },
        deadLetterHeaders({ subject: delivery.subject, id: delivery.id, durable: o.durable, deliveries: delivery.deliveryCount, error }),
      );
      m.term();
      log.error({ ...fields, err: errorText(error) }, 'event handler failed for the last time; message moved to the dead-letter subject');
    } catch (pubErr) {
      if (delivery.deliveryCount >= o.maxDeliver + DEAD_LETTER_ATTEMPTS) {
        m.term();
        log.error({ ...fields, err: errorText(pubErr) }, 'message dropped: the dead-letter subject could not be reached');
      } else {
        const wait = backoffDelay(delivery.deliveryCount, { initialMs: d.redeliveryDelayMs, maxMs: MAX_REDELIVERY_DELAY_MS });
        log.error({ ...fields, retry_in_ms: wait, err: errorText(pubErr) }, 'could not publish to the dead-letter subject; will retry');
        m.nak(wait);
      }
    }
  }

  async function handle(m: JsMsg): Promise<void> {
    const delivery = toDelivery(m, d.stream);
    try {
      await d.handler(delivery);
    } catch (err) {
      if (delivery.deliveryCount >= o.maxDeliver) return deadLetter(m, delivery, err);
      const wait = backoffDelay(delivery.deliveryCount, { initialMs: d.redeliveryDelayMs, maxMs: MAX_REDELIVERY_DELAY_MS });
      log.warn(
        { subject: delivery.subject, msg_id: delivery.id, deliveries: delivery.deliveryCount, retry_in_ms: wait, err: errorText(err) },
        'event handler failed; message will be redelivered',
      );
      m.nak(wait);
      return;
    }
    try {
      await m.ackAck({ timeout: d.ackTimeoutMs });
    } catch (err) {
      // The handler's effect stands; the message may come again and handlers are idempotent.
      log.warn({ subject: delivery.subject, msg_id: delivery.id, err: errorText(err) }, 'ack not confirmed; message may be redelivered');
    }
  }

  function watchStatus(msgs: ConsumerMessages): void {
    void (async () => {
      for await (const s of msgs.status()) {
        if (s.type === 'consumer_not_found' || s.type === 'stream_not_found' || s.type === 'consumer_deleted') {
          log.warn({ status: s.type }, 'JetStream consumer unavailable; still trying');
        } else if (s.type === 'heartbeats_missed') {
          log.debug({ count: s.count }, 'JetStream heartbeats missed');
        }
      }
    })().catch(() => {});
  }

  const loop = (async () => {
    let failures = 0;
    while (!stopping && !d.connectionClosed()) {
      try {
        messages = await consumer.consume({ max_messages: BATCH });
        if (stopping) break;
        watchStatus(messages);
        for await (const m of messages) {
          // Pulled but not handled before stop: hand it back at once for the next subscriber.
          if (stopping) m.nak();
          else await handle(m);
        }
        failures = 0;
      } catch (err) {
        if (stopping) break;
        failures++;
        log.warn({ err: errorText(err), attempt: failures }, 'JetStream consume ended; restarting');
      }
      if (stopping || d.connectionClosed()) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, backoffDelay(Math.max(1, failures), RESTART_BACKOFF));
        wakeRestart = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    await messages?.close();
  })();

  let stopped: Promise<void> | undefined;
  return {
    stop() {
      stopped ??= (async () => {
        stopping = true;
        wakeRestart();
        await messages?.close();
        await loop;
      })();
      return stopped;
    },
  };
}
