import { Event } from '../../../../gen/tally/events/v1/events';
import type { Delivery, EventBus, Subscription } from '../../../../lib/events/port';
import { handleIdentityEvent, MalformedEventError, type MirrorDeps } from '../../application/mirror/handle-event';

/** Where identity publishes (DESIGN section 5) and where billing's failed events end. */
export const IDENTITY_EVENTS = {
  stream: 'TALLY_IDENTITY',
  subject: 'tally.identity.>',
  durable: 'billing',
  deadLetterSubject: 'tally.dlq.billing',
  maxDeliver: 5,
} as const;

export interface IdentityConsumerOptions {
  /** Durable consumer name; replicas share it, so each event is handled by one of them. Default billing. */
  durable?: string;
  /** Deliveries before an event goes to the dead-letter subject. Default 5. */
  maxDeliver?: number;
  /** Default tally.dlq.billing. */
  deadLetterSubject?: string;
  /** Subject filter. Default tally.identity.> */
  subject?: string;
  /** How long a handler may take before the event is redelivered. */
  ackWaitMs?: number;
}

/** Decodes an event; bytes that are no Event are malformed (they end on the dead-letter subject). */
export function decodeIdentityEvent(data: Uint8Array): Event {
  try {
    return Event.decode(data);
  } catch (err) {
    throw new MalformedEventError(`not a tally.events.v1.Event: ${(err as Error).message}`);
  }
}

/**
 * Subscribes billing's durable consumer to identity's events and applies each to the mirror. A
 * failure rejects, so the bus redelivers the event; after maxDeliver failures the bus moves it to
 * the dead-letter subject. Handling is idempotent by event id (the Nats-Msg-Id when the payload
 * has none), so redeliveries and duplicates change nothing.
 */
export async function startIdentityConsumer(deps: MirrorDeps, bus: EventBus, options: IdentityConsumerOptions = {}): Promise<Subscription> {
  const log = deps.logger.child({ component: 'identity-consumer' });
  return bus.subscribe(
    {
      durable: options.durable ?? IDENTITY_EVENTS.durable,
      subject: options.subject ?? IDENTITY_EVENTS.subject,
      maxDeliver: options.maxDeliver ?? IDENTITY_EVENTS.maxDeliver,
      deadLetterSubject: options.deadLetterSubject ?? IDENTITY_EVENTS.deadLetterSubject,
      ...(options.ackWaitMs ? { ackWaitMs: options.ackWaitMs } : {}),
    },
    async (d: Delivery) => {
      const event = decodeIdentityEvent(d.data);
      if (!event.id) event.id = d.id;
      const outcome = await handleIdentityEvent(deps, event);
      log.debug({ event_id: event.id, type: event.type, domain_id: event.domainId, deliveries: d.deliveryCount, outcome }, 'identity event handled');
    },
  );
}
