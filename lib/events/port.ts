/**
 * The event bus port. Production uses NATS JetStream; single-process mode may use the
 * in-process bus. Both deduplicate by message id within their duplicate window.
 */
export interface BusMessage {
  /** Unique id; the Nats-Msg-Id, so a republished message is absorbed. */
  id: string;
  subject: string;
  data: Uint8Array;
}

export interface Delivery extends BusMessage {
  /** 1 on the first delivery, growing with each redelivery. */
  deliveryCount: number;
  /**
   * Headers the bus attached, if any. Dead-lettered copies carry the original subject, id,
   * durable, delivery count and error (see dead-letter.ts).
   */
  headers?: Readonly<Record<string, string>>;
}

export interface SubscribeOptions {
  /** Durable consumer name: a restarted subscriber continues where it stopped. */
  durable: string;
  /** Subject filter, e.g. tally.identity.> */
  subject: string;
  /** Deliveries before a message goes to the dead-letter subject. */
  maxDeliver: number;
  /** Where a message that failed maxDeliver times is republished. */
  deadLetterSubject: string;
  /** How long a handler may take before the message is redelivered. */
  ackWaitMs?: number;
}

/** Resolve to acknowledge; throw to have the message redelivered later. */
export type Handler = (msg: Delivery) => Promise<void>;

export interface Subscription {
  stop(): Promise<void>;
}

export interface EventBus {
  /** Resolves once the bus has durably accepted the message (JetStream ack). */
  publish(msg: BusMessage): Promise<void>;
  subscribe(options: SubscribeOptions, handler: Handler): Promise<Subscription>;
  /** True while the bus is connected. */
  healthy(): boolean;
  close(): Promise<void>;
}
