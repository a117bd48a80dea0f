import type { Store } from '../../../../lib/store/port';
import { BILLING_COLLECTIONS, type DataSourceRecord } from '../../domain/records';
import { settingsOf } from './sync-plan';

const HOUR_MS = 3_600_000;

/**
 * The re-pull period of a data source in hours: its own schedule_hours when positive, else its
 * domain's setting (default 24). 0 turns the schedule off.
 */
export async function scheduleHoursOf(store: Store, ds: DataSourceRecord, cache = new Map<string, number>()): Promise<number> {
  if (ds.schedule_hours > 0) return ds.schedule_hours;
  let hours = cache.get(ds.domain_id);
  if (hours === undefined) {
    hours = (await settingsOf(store, ds.domain_id)).schedule_hours;
    cache.set(ds.domain_id, hours);
  }
  return hours;
}

/** Enabled data sources whose period has passed since their last sync (or that never synced), with the period. */
export async function dueDataSources(store: Store, now: Date): Promise<{ ds: DataSourceRecord; periodMs: number }[]> {
  const enabled = await store.collection<DataSourceRecord>(BILLING_COLLECTIONS.dataSources).find({ state: 'ENABLED' });
  const cache = new Map<string, number>();
  const due: { ds: DataSourceRecord; periodMs: number }[] = [];
  for (const ds of enabled) {
    const hours = await scheduleHoursOf(store, ds, cache);
    if (!(hours > 0)) continue;
    const periodMs = hours * HOUR_MS;
    const last = ds.last_synced_at instanceof Date ? ds.last_synced_at.getTime() : NaN;
    if (Number.isNaN(last) || now.getTime() - last >= periodMs) due.push({ ds, periodMs });
  }
  return due;
}
