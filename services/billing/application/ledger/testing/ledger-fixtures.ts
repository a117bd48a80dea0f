/** Helpers for the ledger's and analyze's tests: a store with the ledger's indexes, rows, totals. */
import { createMemoryLogger } from '../../../../../lib/log/logger';
import { createEmbeddedStore } from '../../../../../lib/store/embedded';
import type { Store } from '../../../../../lib/store/port';
import type { CostLedger, CostRowInput, DateWindow } from '../../ports';
import { LimbTotal, parseLimbs } from '../amount-limbs';

const fail = (text: string): never => {
  throw new Error(`unreadable stored amount ${text}`);
};
import { createLedger, type LedgerOptions } from '../create-ledger';
import { ensureLedgerIndexes } from '../ledger-collections';
import { chunkRows, forEachVisibleChunk, readVisibility } from '../visible-rows';
import { rollupCollection, STORED_ROLLUPS, type FamilyName, type Grain } from '../rollup-families';

export async function ledgerStore(options: LedgerOptions = {}): Promise<{ store: Store; ledger: CostLedger }> {
  const store = await createEmbeddedStore();
  await ensureLedgerIndexes(store);
  return { store, ledger: createLedger(store, createMemoryLogger('ledger-test').logger, options) };
}

export function row(date: string, cost: string, over: Partial<CostRowInput> = {}): CostRowInput {
  return {
    billed_date: date,
    provider: 'aws',
    product: 'EC2',
    region: 'us-east-1',
    usage_type: 'BoxUsage',
    resource_id: '',
    usage_quantity: '1',
    usage_unit: 'Hrs',
    cost,
    currency: 'USD',
    tags: {},
    additional_info: {},
    ...over,
  };
}

export interface SyncSpec {
  domainId?: string;
  dataSourceId?: string;
  serviceAccountId: string;
  windows: DateWindow[];
  rows: CostRowInput[];
}

/** Writes and commits one generation. */
export async function sync(ledger: CostLedger, spec: SyncSpec, batch = 5000): Promise<void> {
  const writer = await ledger.begin({
    domainId: spec.domainId ?? 'domain-1',
    dataSourceId: spec.dataSourceId ?? 'ds-1',
    serviceAccountId: spec.serviceAccountId,
    jobId: 'job-test',
    windows: spec.windows,
  });
  for (let i = 0; i < spec.rows.length; i += batch) await writer.write(spec.rows.slice(i, i + batch));
  await writer.commit();
}

/** Sum of a rollup collection's documents in a domain (optionally one account or date range). */
export async function rollupTotal(
  store: Store,
  family: FamilyName,
  grain: Grain,
  domainId = 'domain-1',
  extra: Record<string, unknown> = {},
): Promise<string> {
  const [g] = await store.collection(rollupCollection(family, grain)).group(
    { domain_id: domainId, ...extra },
    {
      keys: [],
      accumulators: {
        a0: { op: 'sum', field: 'a0' },
        a1: { op: 'sum', field: 'a1' },
        a2: { op: 'sum', field: 'a2' },
        a3: { op: 'sum', field: 'a3' },
      },
    },
  );
  if (!g) return '0';
  return new LimbTotal().add(g.a0 as number, g.a1 as number, g.a2 as number, g.a3 as number).toDecimal().toString();
}

/** Sum over the visible raw rows of a domain. */
export async function rawTotal(store: Store, domainId = 'domain-1'): Promise<{ total: string; rows: number }> {
  const pairs = await readVisibility(store, domainId);
  const total = new LimbTotal();
  let rows = 0;
  await forEachVisibleChunk(store, pairs, '0000-01-01', '9999-12-31', (c) => {
    for (const r of chunkRows(c)) {
      total.addLimbs(parseLimbs(r[7]) ?? fail(r[7]));
      rows++;
    }
  });
  return { total: total.toDecimal().toString(), rows };
}

/** Every view's total must agree: raw rows, and each family at each grain it is kept at (6 views). */
export async function allTotals(store: Store, domainId = 'domain-1'): Promise<string[]> {
  const out = [(await rawTotal(store, domainId)).total];
  for (const { family, grain } of STORED_ROLLUPS) if (family !== 'tag') out.push(await rollupTotal(store, family, grain, domainId));
  return out;
}
