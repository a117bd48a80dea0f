import { BILLING_COLLECTIONS } from '../../domain/records';
import { finishEffects, type ProcessedEvent } from './apply-once';
import { MIRROR_COLLECTIONS } from './mirror-collections';
import { reconcileDomain, type ReconcileDeps } from './reconcile-domain';
import { emptyReport, type ReconcileReport } from './reconcile-report';

export interface ReconcileOptions {
  /** Effects still pending this long after their change are run again. Default 1 minute. */
  retryEffectsAfterMs?: number;
  /** processed_events records kept this long (redeliveries come within minutes). Default 7 days. */
  keepProcessedMs?: number;
  /** Tombstones kept this long (longer than any list or event can lag). Default 90 days. */
  keepTombstonesMs?: number;
}

const DAY_MS = 86_400_000;
const RETRY_BATCH = 1000;

/**
 * One reconciliation pass: runs again the effects of earlier changes that failed (a sync not
 * started, costs not removed), then heals every domain identity lists against its lists (see
 * reconcileDomain), then forgets old processed events and tombstones. A domain that fails is
 * logged and counted; the others go on.
 */
export async function reconcile(deps: ReconcileDeps, options: ReconcileOptions = {}): Promise<ReconcileReport> {
  const report = emptyReport();
  const now = deps.now().getTime();
  const processed = deps.store.collection<ProcessedEvent>(BILLING_COLLECTIONS.processedEvents);

  const pending = await processed.find(
    { done: false, at: { $lt: new Date(now - (options.retryEffectsAfterMs ?? 60_000)) } },
    { sort: [{ field: 'at', direction: 1 }], limit: RETRY_BATCH },
  );
  for (const record of pending) {
    try {
      await finishEffects(deps, record);
      report.effectsRetried++;
    } catch (err) {
      report.failures++;
      deps.logger.warn({ event_id: record._id, type: record.type, err: (err as Error).message }, 'effects of a mirror change failed again; next pass tries again');
    }
  }

  const domains = await deps.identity.listDomains();
  for (const { domainId } of domains) {
    try {
      await reconcileDomain(deps, domainId, report);
      report.domains++;
    } catch (err) {
      report.failures++;
      deps.logger.warn({ domain_id: domainId, err: (err as Error).message }, 'could not reconcile a domain; next pass tries again');
    }
  }

  await processed.deleteMany({ done: true, at: { $lt: new Date(now - (options.keepProcessedMs ?? 7 * DAY_MS)) } });
  await deps.store
    .collection(MIRROR_COLLECTIONS.tombstones)
    .deleteMany({ at: { $lt: new Date(now - (options.keepTombstonesMs ?? 90 * DAY_MS)) } });
  return report;
}
