import type { Logger } from '../../log/logger';
import { backoffDelay } from '../backoff';
import { deadLetterHeaders, deadLetterId, errorText } from '../dead-letter';
import type { BusMessage, Delivery, EventBus, Handler, SubscribeOptions, Subscription } from '../port';
import { subjectMatches } from '../subject';
import { validateMessage, validateSubscribeOptions } from '../validate';

export interface MemoryBusOptions {
  /** A message id seen again within this window is absorbed (JetStream's duplicate window). */
  duplicateWindowMs?: number;
  /** Delay before the first redelivery of a failed message; doubles per delivery, capped. */
  redeliveryDelayMs?: number;
  /** Messages kept for durables that have not read them yet; the oldest go first. */
  maxMessages?: number;
  logger?: Logger;
}

interface Stored {
  seq: number;
  id: string;
  subject: string;
  data: Uint8Array;
  headers?: Record<string, string>;
}

interface DurableState {
  name: string;
  filter: string;
  maxDeliver: number;
  deadLetterSubject: string;
  ackWaitMs: number;
  /** Highest sequence handed out for the first time. */
  cursor: number;
  /** Deliveries so far of messages not yet acknowledged. */
  deliveries: Map<number, number>;
  /** Failed messages waiting for their redelivery time. */
  redeliveries: Map<number, number>;
  active: boolean;
}

const DEFAULT_ACK_WAIT_MS = 30_000;
const MAX_REDELIVERY_DELAY_MS = 30_000;

/**
 * An in-process EventBus for single-process mode and unit tests. It keeps JetStream's
 * promises: dedup by id within a window, durables that keep their position, redelivery of
 * failed messages up to maxDeliver and then the dead-letter subject. Messages published
 * before a durable first subscribes are delivered to it (deliver policy "all"). One active
 * subscriber per durable.
 */
export function createMemoryBus(options: MemoryBusOptions = {}): EventBus {
  const duplicateWindowMs = options.duplicateWindowMs ?? 120_000;
  const redeliveryDelayMs = options.redeliveryDelayMs ?? 1_000;
  const maxMessages = options.maxMessages ?? 100_000;
  const log = options.logger;

  const messages: Stored[] = [];
  let lastSeq = 0;
  const seenIds = new Map<string, number>();
  const durables = new Map<string, DurableState>();
  const wakers = new Set<() => void>();
  const running = new Set<{ stop(): Promise<void> }>();
  let closed = false;

  function append(msg: BusMessage, headers?: Record<string, string>): void {
    const now = Date.now();
    for (const [id, at] of seenIds) {
      if (now - at < duplicateWindowMs) break;
      seenIds.delete(id);
    }
    if (seenIds.has(msg.id)) return;
    seenIds.set(msg.id, now);
    messages.push({ seq: ++lastSeq, id: msg.id, subject: msg.subject, data: Uint8Array.from(msg.data), headers });
    if (messages.length > maxMessages) messages.splice(0, messages.length - maxMessages);
    for (const wake of wakers) wake();
  }

  function bySeq(seq: number): Stored | undefined {
    const first = messages[0]?.seq ?? lastSeq + 1;
    return messages[seq - first];
  }

  /** The next message for a durable: a due redelivery first, else the next new one. */
  function take(state: DurableState): { stored: Stored; count: number } | { waitMs: number } | null {
    const now = Date.now();
    let earliest = Infinity;
    for (const [seq, due] of state.redeliveries) {
      if (due <= now) {
        state.redeliveries.delete(seq);
        const stored = bySeq(seq);
        if (stored) return { stored, count: (state.deliveries.get(seq) ?? 0) + 1 };
        state.deliveries.delete(seq);
      } else {
        earliest = Math.min(earliest, due);
      }
    }
    const first = messages[0]?.seq ?? lastSeq + 1;
    for (let seq = Math.max(state.cursor + 1, first); seq <= lastSeq; seq++) {
      state.cursor = seq;
      const stored = bySeq(seq)!;
      if (subjectMatches(state.filter, stored.subject)) return { stored, count: 1 };
    }
    return earliest === Infinity ? null : { waitMs: earliest - now };
  }

  async function runHandler(handler: Handler, delivery: Delivery, ackWaitMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`handler did not finish within ackWait ${ackWaitMs}ms`)), ackWaitMs);
    });
    try {
      await Promise.race([Promise.resolve().then(() => handler(delivery)), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async function deliver(state: DurableState, handler: Handler, stored: Stored, count: number): Promise<void> {
    state.deliveries.set(stored.seq, count);
    const delivery: Delivery = {
      id: stored.id,
      subject: stored.subject,
      data: Uint8Array.from(stored.data),
      deliveryCount: count,
      ...(stored.headers ? { headers: { ...stored.headers } } : {}),
    };
    try {
      await runHandler(handler, delivery, state.ackWaitMs);
      state.deliveries.delete(stored.seq);
    } catch (err) {
      if (count >= state.maxDeliver) {
        state.deliveries.delete(stored.seq);
        log?.error(
          { durable: state.name, subject: stored.subject, msg_id: stored.id, deliveries: count, dead_letter: state.deadLetterSubject, err: errorText(err) },
          'event handler failed for the last time; message moved to the dead-letter subject',
        );
        append(
          { id: deadLetterId(stored.id, state.name), subject: state.deadLetterSubject, data: stored.data },
          deadLetterHeaders({ subject: stored.subject, id: stored.id, durable: state.name, deliveries: count, error: err }),
        );
      } else {
        const delay = backoffDelay(count, { initialMs: redeliveryDelayMs, maxMs: MAX_REDELIVERY_DELAY_MS });
        log?.warn(
          { durable: state.name, subject: stored.subject, msg_id: stored.id, deliveries: count, retry_in_ms: delay, err: errorText(err) },
          'event handler failed; message will be redelivered',
        );
        state.redeliveries.set(stored.seq, Date.now() + delay);
      }
    }
  }

  function startLoop(state: DurableState, handler: Handler): { stop(): Promise<void> } {
    let stopped = false;
    let wake: () => void = () => {};
    const loop = (async () => {
      while (!stopped) {
        const next = take(state);
        if (next && 'stored' in next) {
          await deliver(state, handler, next.stored, next.count);
          continue;
        }
        await new Promise<void>((resolve) => {
          const timer = next ? setTimeout(done, next.waitMs) : undefined;
          function done() {
            clearTimeout(timer);
            wakers.delete(done);
            resolve();
          }
          wake = done;
          wakers.add(done);
        });
      }
    })();
    return {
      async stop() {
        stopped = true;
        wake();
        await loop;
      },
    };
  }

  return {
    async publish(msg) {
      if (closed) throw new Error('event bus is closed');
      validateMessage(msg);
      append(msg);
    },

    async subscribe(opts: SubscribeOptions, handler: Handler): Promise<Subscription> {
      if (closed) throw new Error('event bus is closed');
      validateSubscribeOptions(opts);
      let state = durables.get(opts.durable);
      if (state && state.filter !== opts.subject) {
        throw new Error(`durable ${opts.durable} already exists with filter ${state.filter}; use another durable name`);
      }
      if (state?.active) throw new Error(`durable ${opts.durable} already has an active subscriber`);
      if (!state) {
        state = { name: opts.durable, filter: opts.subject, cursor: 0, deliveries: new Map(), redeliveries: new Map() } as DurableState;
        durables.set(opts.durable, state);
      }
      state.maxDeliver = opts.maxDeliver;
      state.deadLetterSubject = opts.deadLetterSubject;
      state.ackWaitMs = opts.ackWaitMs ?? DEFAULT_ACK_WAIT_MS;
      state.active = true;

      const loop = startLoop(state, handler);
      running.add(loop);
      const s = state;
      let stopping: Promise<void> | undefined;
      return {
        stop() {
          stopping ??= loop.stop().then(() => {
            running.delete(loop);
            s.active = false;
          });
          return stopping;
        },
      };
    },

    healthy: () => !closed,

    async close() {
      closed = true;
      await Promise.all([...running].map((l) => l.stop()));
      running.clear();
      for (const d of durables.values()) d.active = false;
    },
  };
}
