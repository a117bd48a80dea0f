import { AckPolicy, DeliverPolicy, JetStreamApiCodes, JetStreamApiError, type ConsumerInfo, type JetStreamManager } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { SubscribeOptions } from '../port';

export const DEFAULT_ACK_WAIT_MS = 30_000;

/**
 * Deliveries the server allows beyond maxDeliver. The bus moves a message to the dead-letter
 * subject on its maxDeliver-th failure; these spare deliveries let it retry that move when
 * the dead-letter publish itself fails, instead of the server silently dropping the message.
 */
export const DEAD_LETTER_ATTEMPTS = 10;

async function consumerInfo(jsm: JetStreamManager, stream: string, durable: string): Promise<ConsumerInfo | null> {
  try {
    return await jsm.consumers.info(stream, durable);
  } catch (err) {
    if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.ConsumerNotFound) return null;
    throw err;
  }
}

/**
 * Creates the durable pull consumer (explicit ack, every message of its filter from the
 * start of the stream), or updates the ack wait and delivery limit of an existing one. An
 * existing durable with another filter, or a push consumer of that name, is an error.
 */
export async function ensureConsumer(jsm: JetStreamManager, stream: string, o: SubscribeOptions): Promise<void> {
  const maxDeliver = o.maxDeliver + DEAD_LETTER_ATTEMPTS;
  const ackWait = nanos(o.ackWaitMs ?? DEFAULT_ACK_WAIT_MS);
  let info = await consumerInfo(jsm, stream, o.durable);
  if (!info) {
    try {
      await jsm.consumers.add(stream, {
        durable_name: o.durable,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        filter_subject: o.subject,
        max_deliver: maxDeliver,
        ack_wait: ackWait,
      });
      return;
    } catch (err) {
      // Another subscriber may have created it first; then check it like an existing one.
      info = await consumerInfo(jsm, stream, o.durable);
      if (!info) throw err;
    }
  }
  if (info.config.deliver_subject) {
    throw new Error(`durable ${o.durable} on stream ${stream} is a push consumer; a pull consumer is needed`);
  }
  if ((info.config.filter_subject ?? '') !== o.subject) {
    throw new Error(
      `durable ${o.durable} on stream ${stream} already exists with filter ${info.config.filter_subject || '(none)'}; use another durable name`,
    );
  }
  if (info.config.max_deliver !== maxDeliver || info.config.ack_wait !== ackWait) {
    await jsm.consumers.update(stream, o.durable, { max_deliver: maxDeliver, ack_wait: ackWait });
  }
}
