import type { TxContext } from '../../../../lib/store/port';
import type { BillingDeps } from '../ports';
import { BILLING_COLLECTIONS, type ProcessedEventRecord } from '../../domain/records';
import { runEffects, uniqueEffects, type EffectDeps, type MirrorEffect } from './effects';

/** processed_events as the mirror writes them: the effects of the change and whether they ran. */
export interface ProcessedEvent extends ProcessedEventRecord {
  type: string;
  domain_id: string;
  effects: MirrorEffect[];
  /** True once every effect ran (or there were none). */
  done: boolean;
}

export type ApplyOutcome = 'applied' | 'duplicate';

const processed = (source: { collection: TxContext['collection'] }) =>
  source.collection<ProcessedEvent>(BILLING_COLLECTIONS.processedEvents);

/**
 * Applies a change at most once per event id: the processed_events record is written in the
 * same transaction as the change, so a redelivered or duplicated event changes nothing. The
 * change returns the effects to run after the commit; they are stored with the record and
 * marked done once they ran, so that effects which failed run again on the next delivery.
 * Throws when the change or an effect fails (the bus then redelivers).
 */
export async function applyOnce(
  deps: EffectDeps & Pick<BillingDeps, 'now'>,
  event: { id: string; type: string; domainId: string },
  change: (tx: TxContext) => Promise<MirrorEffect[]>,
): Promise<ApplyOutcome> {
  const { outcome, record } = await deps.store.transaction(async (tx) => {
    const seen = await processed(tx).findOne({ _id: event.id });
    if (seen) return { outcome: 'duplicate' as const, record: seen };
    const effects = uniqueEffects(await change(tx));
    const record: ProcessedEvent = {
      _id: event.id,
      at: deps.now(),
      type: event.type,
      domain_id: event.domainId,
      effects,
      done: effects.length === 0,
    };
    await processed(tx).insertOne(record);
    return { outcome: 'applied' as const, record };
  });
  if (!record.done) await finishEffects(deps, record);
  return outcome;
}

/** Runs a record's effects and marks it done; rejects (leaving it pending) when one fails. */
export async function finishEffects(deps: EffectDeps, record: ProcessedEvent): Promise<void> {
  await runEffects(deps, record.effects ?? []);
  await processed(deps.store).updateOne({ _id: record._id }, { $set: { done: true } });
}
