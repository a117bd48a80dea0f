import type { Doc, IndexSpec, TxContext } from '../store/port';
import type { BusMessage } from './port';
import { validateMessage } from './validate';

export const OUTBOX_COLLECTION = 'outbox';

/** An event waiting to be published; deleted once the bus has acknowledged it. */
export interface OutboxRecord extends Doc {
  /** The message id (Nats-Msg-Id), so a record published twice is stored once. */
  _id: string;
  subject: string;
  /** The message payload, base64. */
  data: string;
  created_at: Date;
  /** Failed publish attempts so far. */
  attempts: number;
}

/** The relay reads the oldest records first. */
export const OUTBOX_INDEXES: IndexSpec[] = [{ name: 'created_at_id', fields: ['created_at', '_id'] }];

let lastCreatedAt = 0;

/**
 * created_at grows strictly within a process, so records appended one after another (the
 * events of one change, say) are published in that order even within one millisecond.
 */
function nextCreatedAt(): Date {
  lastCreatedAt = Math.max(Date.now(), lastCreatedAt + 1);
  return new Date(lastCreatedAt);
}

/**
 * Writes the message to the outbox inside the caller's transaction, so the change and its
 * event are committed together or not at all. Call the relay's notify() after the commit.
 */
export async function appendOutbox(tx: TxContext, msg: BusMessage): Promise<void> {
  validateMessage(msg);
  await tx.collection<OutboxRecord>(OUTBOX_COLLECTION).insertOne({
    _id: msg.id,
    subject: msg.subject,
    data: Buffer.from(msg.data).toString('base64'),
    created_at: nextCreatedAt(),
    attempts: 0,
  });
}

export function outboxMessage(r: OutboxRecord): BusMessage {
  return { id: r._id, subject: r.subject, data: new Uint8Array(Buffer.from(r.data, 'base64')) };
}
