import type { BusMessage, SubscribeOptions } from './port';
import { assertFilterSubject, assertPublishSubject, subjectMatches } from './subject';

const DURABLE = /^[A-Za-z0-9_-]+$/;

/** Checks a message before either bus accepts it; throws an Error naming the bad field. */
export function validateMessage(msg: BusMessage): void {
  if (typeof msg.id !== 'string' || msg.id.length === 0 || /\s/.test(msg.id)) {
    throw new Error('invalid message id: a non-empty string without whitespace is required');
  }
  assertPublishSubject(msg.subject, 'message subject');
  if (!(msg.data instanceof Uint8Array)) throw new Error('invalid message data: a Uint8Array is required');
}

/** Checks subscribe options; both buses accept exactly the same ones. */
export function validateSubscribeOptions(o: SubscribeOptions): void {
  if (!DURABLE.test(o.durable ?? '')) {
    throw new Error(`invalid durable name ${JSON.stringify(o.durable)}: use letters, digits, '-' and '_'`);
  }
  assertFilterSubject(o.subject);
  if (!Number.isInteger(o.maxDeliver) || o.maxDeliver < 1) throw new Error('maxDeliver must be an integer >= 1');
  assertPublishSubject(o.deadLetterSubject, 'dead-letter subject');
  if (subjectMatches(o.subject, o.deadLetterSubject)) {
    throw new Error(`dead-letter subject ${o.deadLetterSubject} must not match the subscription filter ${o.subject}`);
  }
  if (o.ackWaitMs !== undefined && (!Number.isFinite(o.ackWaitMs) || o.ackWaitMs < 1)) {
    throw new Error('ackWaitMs must be a positive number of milliseconds');
  }
}
