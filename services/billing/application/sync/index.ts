/** The sync engine: jobs that run data source plugins into the cost ledger. */
export { createSyncEngine, type SyncEngine, type SyncEngineOptions } from './sync-engine';
export type { PluginAccount, PluginAccountCall, PluginInfo, PluginPort, PluginTasks } from './plugin-port';
export { DEFAULT_RECENT_WINDOW_DAYS, firstSyncWindow, recentWindow } from './sync-windows';
export { MAX_ACCOUNTS_PER_REQUEST, MAX_WINDOW_DAYS } from './sync-plan';
export { MALFORMED_ROW } from './row-validation';
