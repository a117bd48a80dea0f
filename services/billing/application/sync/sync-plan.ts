import { failedPrecondition, invalidArgument, notFound } from '../../../../lib/errors/domain-error';
import type { Store } from '../../../../lib/store/port';
import { isIsoDate } from '../../../../plugins/sdk';
import { BILLING_COLLECTIONS, DEFAULT_SETTINGS, type AccountRecord, type DataSourceRecord, type JobTrigger, type SettingsRecord } from '../../domain/records';
import type { DateWindow, SyncRequest } from '../ports';
import { firstSyncWindow, recentWindow, todayOf, windowDays } from './sync-windows';

/** One job to queue: an account of a data source, its window and why. */
export interface PlannedJob {
  domainId: string;
  dataSourceId: string;
  serviceAccountId: string;
  window: DateWindow;
  trigger: JobTrigger;
}

/** The longest explicit window an on-demand sync may ask for (three years). */
export const MAX_WINDOW_DAYS = 1096;
/** The most accounts one request may name. */
export const MAX_ACCOUNTS_PER_REQUEST = 1000;

export interface PlanOptions {
  now: () => Date;
  recentWindowDays: number;
}

/** The domain's settings, or the defaults while it has none. */
export async function settingsOf(store: Store, domainId: string): Promise<Pick<SettingsRecord, 'first_sync_months' | 'schedule_hours'>> {
  const s = await store.collection<SettingsRecord>(BILLING_COLLECTIONS.settings).findOne({ _id: domainId });
  return {
    first_sync_months: s && s.first_sync_months > 0 ? s.first_sync_months : DEFAULT_SETTINGS.first_sync_months,
    schedule_hours: s ? s.schedule_hours : DEFAULT_SETTINGS.schedule_hours,
  };
}

function checkWindow(w: DateWindow, today: string): DateWindow {
  if (!isIsoDate(w.start)) throw invalidArgument('SYNC.INVALID_WINDOW', 'start', `start must be a date YYYY-MM-DD, got ${JSON.stringify(String(w.start ?? '')).slice(0, 40)}`);
  if (!isIsoDate(w.end)) throw invalidArgument('SYNC.INVALID_WINDOW', 'end', `end must be a date YYYY-MM-DD, got ${JSON.stringify(String(w.end ?? '')).slice(0, 40)}`);
  if (w.start > w.end) throw invalidArgument('SYNC.INVALID_WINDOW', 'end', `end ${w.end} is before start ${w.start}`);
  if (w.end > today) throw invalidArgument('SYNC.INVALID_WINDOW', 'end', `end ${w.end} is in the future (today is ${today} UTC)`);
  if (windowDays(w) > MAX_WINDOW_DAYS)
    throw invalidArgument('SYNC.INVALID_WINDOW', 'start', `the window ${w.start}..${w.end} is longer than ${MAX_WINDOW_DAYS} days; sync it in parts`);
  return { start: w.start, end: w.end };
}

/**
 * Checks a sync request and plans its jobs: the data source must be the domain's and enabled;
 * named accounts must be the domain's and of a provider the data source serves (all its
 * accounts when none are named). Each account's window is the request's, else the first-sync
 * depth when the data source never synced it, else the recent window.
 */
export async function planSync(store: Store, req: SyncRequest, opts: PlanOptions): Promise<PlannedJob[]> {
  const today = todayOf(opts.now());
  const ds = await store.collection<DataSourceRecord>(BILLING_COLLECTIONS.dataSources).findOne({ _id: req.dataSourceId, domain_id: req.domainId });
  if (!ds) throw notFound('data source', req.dataSourceId);
  if (ds.state !== 'ENABLED') throw failedPrecondition('DATA_SOURCE.DISABLED', `data source ${ds._id} is disabled; enable it to sync`);
  const window = req.window ? checkWindow(req.window, today) : undefined;

  const accounts = store.collection<AccountRecord>(BILLING_COLLECTIONS.accounts);
  let targets: AccountRecord[];
  if (req.serviceAccountIds) {
    const ids = [...new Set(req.serviceAccountIds)];
    if (ids.length > MAX_ACCOUNTS_PER_REQUEST)
      throw invalidArgument('SYNC.TOO_MANY_ACCOUNTS', 'service_account_ids', `at most ${MAX_ACCOUNTS_PER_REQUEST} accounts per request, got ${ids.length}`);
    const found = await accounts.find({ _id: { $in: ids }, domain_id: req.domainId });
    const byId = new Map(found.map((a) => [a._id, a]));
    targets = ids.map((id) => {
      const a = byId.get(id);
      if (!a) throw notFound('service account', id);
      if (!ds.providers.includes(a.provider))
        throw invalidArgument(
          'SYNC.PROVIDER_NOT_SERVED',
          'service_account_ids',
          `service account ${id} is a ${a.provider} account; data source ${ds._id} serves ${ds.providers.join(', ')}`,
        );
      return a;
    });
  } else {
    targets = await accounts.find({ domain_id: req.domainId, provider: { $in: ds.providers } });
  }

  const settings = await settingsOf(store, req.domainId);
  return targets.map((a) => {
    const last = a.synced?.[ds._id];
    const first = !last && !window;
    return {
      domainId: req.domainId,
      dataSourceId: ds._id,
      serviceAccountId: a._id,
      window: window ?? (last ? recentWindow(today, opts.recentWindowDays, last, settings.first_sync_months) : firstSyncWindow(today, settings.first_sync_months)),
      trigger: first && req.trigger !== 'MANUAL' ? 'FIRST_SYNC' : req.trigger,
    };
  });
}
