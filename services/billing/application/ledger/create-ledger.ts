import type { Logger } from '../../../../lib/log/logger';
import type { Store } from '../../../../lib/store/port';
import type { CostLedger } from '../ports';
import { collectGarbage } from './garbage-collector';
import { removeCosts } from './ledger-removal';
import { beginWrite, type LedgerSettings } from './ledger-writer';

export interface LedgerOptions {
  now?: () => Date;
  /** Rows per stored chunk (default 2000). */
  chunkRows?: number;
  /** A writer silent this long is expired by garbage collection (default 6 hours). */
  staleWriterMs?: number;
  /** How often a writer records that it is alive (default 10 s). */
  touchEveryMs?: number;
}

/**
 * The cost ledger over the store port: daily cost rows per (data source, service account),
 * written in generations that become visible in one transaction together with their rollups.
 * Create LEDGER_INDEXES first (ensureLedgerIndexes).
 */
export function createLedger(store: Store, logger: Logger, options: LedgerOptions = {}): CostLedger {
  const now = options.now ?? (() => new Date());
  const settings: LedgerSettings = {
    store,
    logger,
    now,
    chunkRows: options.chunkRows ?? 2000,
    touchEveryMs: options.touchEveryMs ?? 10_000,
  };
  const staleWriterMs = options.staleWriterMs ?? 6 * 3_600_000;
  return {
    begin: (target) => beginWrite(settings, target),
    removeAccount: async (domainId, serviceAccountId) => {
      await removeCosts(store, domainId, 'sa', serviceAccountId, now);
      logger.info({ domain_id: domainId, service_account_id: serviceAccountId }, 'ledger: costs of a service account removed');
    },
    removeDataSource: async (domainId, dataSourceId) => {
      await removeCosts(store, domainId, 'ds', dataSourceId, now);
      logger.info({ domain_id: domainId, data_source_id: dataSourceId }, 'ledger: costs of a data source removed');
    },
    collectGarbage: async () => {
      const rows = await collectGarbage(store, now(), staleWriterMs);
      if (rows > 0) logger.debug({ rows }, 'ledger: garbage collected');
      return rows;
    },
  };
}
