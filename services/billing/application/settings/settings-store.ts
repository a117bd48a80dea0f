import type { Source } from '../../../../lib/resource/resource-collection';
import { DuplicateKeyError } from '../../../../lib/store/port';
import { BILLING_COLLECTIONS, DEFAULT_SETTINGS, type SettingsRecord } from '../../domain/records';

export const settingsIn = (source: Source) => source.collection<SettingsRecord>(BILLING_COLLECTIONS.settings);

export const defaultSettings = (domainId: string): SettingsRecord => ({ _id: domainId, domain_id: domainId, ...DEFAULT_SETTINGS });

/** The stored settings, or the defaults (not stored) when the domain has none yet. */
export async function readSettings(source: Source, domainId: string): Promise<SettingsRecord> {
  return (await settingsIn(source).findOne({ _id: domainId })) ?? defaultSettings(domainId);
}

/**
 * The settings, stored with the defaults when the domain has none yet. Inside a transaction
 * (find, then insert) or on the store (a concurrent insert is read back).
 */
export async function ensureSettings(source: Source, domainId: string): Promise<{ settings: SettingsRecord; created: boolean }> {
  const coll = settingsIn(source);
  const found = await coll.findOne({ _id: domainId });
  if (found) return { settings: found, created: false };
  const settings = defaultSettings(domainId);
  try {
    await coll.insertOne(settings);
  } catch (err) {
    const raced = err instanceof DuplicateKeyError && (await coll.findOne({ _id: domainId }));
    if (!raced) throw err;
    return { settings: raced, created: false };
  }
  return { settings, created: true };
}
