import { createMemoryLogger } from '../../../../../lib/log/logger';
import { createEmbeddedStore } from '../../../../../lib/store/embedded';
import type { Store } from '../../../../../lib/store/port';
import { BILLING_COLLECTIONS, type AccountRecord, type DataSourceRecord, type JobRecord } from '../../../domain/records';
import { createPluginGateway, type PluginGateway } from '../../../adapters/plugin';
import type { CostLedger } from '../../ports';
import { createSyncEngine, type SyncEngine, type SyncEngineOptions } from '../sync-engine';
import { FakeIdentity } from './fake-identity';
import { FakeLedger } from './fake-ledger';

export const DOMAIN = 'domain-test';
export const NOW = new Date('2024-06-15T12:00:00Z');

export const dataSource = (id: string, endpoint: string, options: Record<string, unknown>, over: Partial<DataSourceRecord> = {}): DataSourceRecord => ({
  _id: id,
  domain_id: DOMAIN,
  name: id,
  providers: ['demo'],
  plugin_endpoint: endpoint,
  options,
  state: 'ENABLED',
  schedule_hours: 0,
  currency: 'USD',
  built_in: false,
  tags: {},
  created_at: NOW,
  last_synced_at: null,
  ...over,
});

export const account = (id: string, over: Partial<AccountRecord> = {}): AccountRecord => ({
  _id: id,
  domain_id: DOMAIN,
  name: id,
  provider: 'demo',
  project_id: 'project-1',
  external_account_id: `ext-${id}`,
  data: {},
  secret_id: `secret-${id}`,
  version: 1,
  synced: {},
  updated_at: NOW,
  ...over,
});

export interface Fixture {
  store: Store;
  ledger: FakeLedger;
  identity: FakeIdentity;
  plugins: PluginGateway;
  lines: string[];
  engine(over?: Partial<SyncEngineOptions>): SyncEngine;
  jobs(): Promise<JobRecord[]>;
  job(id: string): Promise<JobRecord>;
  close(): Promise<void>;
}

/** An embedded store, a fake ledger and identity, a real plugin gateway, and engines over them. */
export async function fixture(
  seed: { dataSources?: DataSourceRecord[]; accounts?: AccountRecord[]; ledger?: (store: Store) => Promise<CostLedger> } = {},
): Promise<Fixture> {
  const store = await createEmbeddedStore();
  const realLedger = seed.ledger ? await seed.ledger(store) : undefined;
  for (const ds of seed.dataSources ?? []) await store.collection(BILLING_COLLECTIONS.dataSources).insertOne(ds);
  for (const a of seed.accounts ?? []) await store.collection(BILLING_COLLECTIONS.accounts).insertOne(a);
  const ledger = new FakeLedger();
  const identity = new FakeIdentity();
  const plugins = createPluginGateway({ unaryDeadlineMs: 5_000 });
  const { logger, lines } = createMemoryLogger('billing', 'debug');
  const engines: SyncEngine[] = [];
  return {
    store,
    ledger,
    identity,
    plugins,
    lines,
    engine(over = {}) {
      const e = createSyncEngine({
        store,
        logger,
        ledger: realLedger ?? ledger,
        identity,
        plugins,
        now: () => NOW,
        owner: `replica-${engines.length + 1}`,
        concurrency: 2,
        leaseMs: 600,
        leaseRetryMs: 50,
        ...over,
      });
      engines.push(e);
      return e;
    },
    jobs: () => store.collection<JobRecord>(BILLING_COLLECTIONS.jobs).find({}, { sort: [{ field: 'created_at', direction: 1 }] }),
    async job(id) {
      const j = await store.collection<JobRecord>(BILLING_COLLECTIONS.jobs).findOne({ _id: id });
      if (!j) throw new Error(`no job ${id}`);
      return j;
    },
    async close() {
      for (const e of engines) await e.stop();
      plugins.close();
      await store.close();
    },
  };
}
