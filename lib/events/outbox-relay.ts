import type { Logger } from '../log/logger';
import type { Collection, Store } from '../store/port';
import { backoffDelay, type BackoffOptions } from './backoff';
import { errorText } from './dead-letter';
import { OUTBOX_COLLECTION, OUTBOX_INDEXES, outboxMessage, type OutboxRecord } from './outbox';
import type { EventBus } from './port';

export interface OutboxRelayOptions {
  store: Store;
  bus: EventBus;
  logger: Logger;
  /** Records read per round. Default 100. */
  batchSize?: number;
  /** How often the outbox is read when nobody calls notify() (other writers, a missed wake). Default 1 s. */
  pollIntervalMs?: number;
  /** Backoff while the bus or the store fails. Default 500 ms doubling up to 30 s, with jitter. */
  backoff?: BackoffOptions;
}

const ORDER = [
  { field: 'created_at', direction: 1 as const },
  { field: '_id', direction: 1 as const },
];

/**
 * Publishes outbox records, oldest first, and deletes each once the bus has acknowledged it.
 * A record that fails stops the round (later records wait, so order holds) and the relay
 * retries with capped exponential backoff. A crash between publish and delete publishes the
 * same id again, which the bus's duplicate window absorbs; for the same reason several relays
 * over one outbox are safe. Message data is never logged.
 */
export class OutboxRelay {
  private readonly outbox: Collection<OutboxRecord>;
  private readonly log: Logger;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly backoff: BackoffOptions;
  private running = false;
  private loop: Promise<void> | null = null;
  /** Set by notify(): read again before sleeping. */
  private dirty = false;
  private wakeNotify: (() => void) | null = null;
  private wakeStop: (() => void) | null = null;

  constructor(private readonly o: OutboxRelayOptions) {
    this.outbox = o.store.collection<OutboxRecord>(OUTBOX_COLLECTION);
    this.log = o.logger.child({ component: 'outbox-relay' });
    this.batchSize = o.batchSize ?? 100;
    this.pollIntervalMs = o.pollIntervalMs ?? 1_000;
    this.backoff = o.backoff ?? { initialMs: 500, maxMs: 30_000, jitter: 0.2 };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops after the publish in progress, if any; records left stay for the next start. */
  async stop(): Promise<void> {
    this.running = false;
    this.wakeStop?.();
    await this.loop;
    this.loop = null;
  }

  /** Wakes the relay, e.g. right after a commit that wrote outbox records. */
  notify(): void {
    this.dirty = true;
    this.wakeNotify?.();
  }

  /** Resolves once the outbox is empty (every record published); rejects after timeoutMs. */
  async flush(timeoutMs = 10_000): Promise<void> {
    if (!this.running) throw new Error('outbox relay is not running');
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.notify();
      if ((await this.outbox.count({})) === 0) return;
      if (Date.now() >= deadline) throw new Error(`outbox still has records after ${timeoutMs}ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private async run(): Promise<void> {
    await this.o.store.ensureIndexes(OUTBOX_COLLECTION, OUTBOX_INDEXES).catch((err) => {
      this.log.warn({ err: errorText(err) }, 'could not ensure outbox indexes');
    });
    let failures = 0;
    while (this.running) {
      this.dirty = false;
      let outcome: 'empty' | 'more' | 'failed';
      try {
        outcome = await this.publishBatch();
      } catch (err) {
        outcome = 'failed';
        this.log.warn({ err: errorText(err) }, 'outbox store failed');
      }
      if (outcome === 'failed') {
        failures++;
        await this.sleep(backoffDelay(failures, this.backoff), false);
      } else {
        failures = 0;
        if (outcome === 'empty' && !this.dirty) await this.sleep(this.pollIntervalMs, true);
      }
    }
  }

  /** One round over the oldest records; stops at the first that the bus does not accept. */
  private async publishBatch(): Promise<'empty' | 'more' | 'failed'> {
    const batch = await this.outbox.find({}, { sort: ORDER, limit: this.batchSize });
    for (const record of batch) {
      if (!this.running) return 'more';
      try {
        await this.o.bus.publish(outboxMessage(record));
      } catch (err) {
        const attempts = (record.attempts ?? 0) + 1;
        this.log.warn(
          { outbox_id: record._id, subject: record.subject, attempts, err: errorText(err) },
          'could not publish outbox record; will retry',
        );
        await this.outbox.updateOne({ _id: record._id }, { $inc: { attempts: 1 } }).catch(() => {});
        return 'failed';
      }
      await this.outbox.deleteOne({ _id: record._id });
    }
    return batch.length === this.batchSize ? 'more' : 'empty';
  }

  private sleep(ms: number, wakeOnNotify: boolean): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeNotify = this.wakeStop = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeStop = done;
      this.wakeNotify = wakeOnNotify ? done : null;
      if (!this.running) done();
    });
  }
}
