import { appendOutbox } from '../../../lib/events/outbox';
import type { BusMessage } from '../../../lib/events/port';
import type { TxContext } from '../../../lib/store/port';
import type { IdentityDeps } from './deps';

/**
 * Runs a change and writes its events to the outbox in the same transaction, so a change is
 * never stored without its events nor an event published for a change that did not happen.
 */
export async function commit<R>(
  deps: IdentityDeps,
  fn: (tx: TxContext) => Promise<{ result: R; events: BusMessage[] }>,
): Promise<R> {
  let wroteEvents = false;
  const result = await deps.store.transaction(async (tx) => {
    const { result, events } = await fn(tx);
    for (const e of events) await appendOutbox(tx, e);
    wroteEvents = events.length > 0;
    return result;
  });
  if (wroteEvents) deps.notifyOutbox();
  return result;
}
