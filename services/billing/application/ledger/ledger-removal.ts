import type { Store, TxContext } from '../../../../lib/store/port';
import { monthsBetween } from './calendar';
import { chunked } from './commit-transaction';
import { bumpEpoch } from './ledger-epoch';
import {
  accountTombstoneId,
  dataSourceTombstoneId,
  LEDGER_COLLECTIONS,
  type GenerationDoc,
  type TombstoneDoc,
  type VisibilityDoc,
} from './ledger-collections';
import { accountBucketKey, rollupCollection, STORED_ROLLUPS, type RollupDoc } from './rollup-families';

export type RemovalKind = 'sa' | 'ds';

/**
 * Removes an account's or a data source's costs from every view in one transaction: a
 * tombstone (no later commit may bring them back), the rollups of every pair it has, the
 * pairs' visibility, and its generations marked REMOVED (running writers stop; garbage
 * collection deletes the rows).
 */
export async function removeCosts(store: Store, domainId: string, kind: RemovalKind, id: string, now: () => Date): Promise<void> {
  await store.transaction(async (tx) => {
    const tombstones = tx.collection<TombstoneDoc>(LEDGER_COLLECTIONS.tombstones);
    const tombstoneId = kind === 'sa' ? accountTombstoneId(domainId, id) : dataSourceTombstoneId(domainId, id);
    if (!(await tombstones.findOne({ _id: tombstoneId }))) await tombstones.insertOne({ _id: tombstoneId, domain_id: domainId, at: now() });

    const field = kind === 'sa' ? 'service_account_id' : 'data_source_id';
    const visibility = tx.collection<VisibilityDoc>(LEDGER_COLLECTIONS.visibility);
    for (const pair of await visibility.find({ domain_id: domainId, [field]: id })) {
      await deletePairRollups(tx, pair);
      await visibility.deleteOne({ _id: pair._id });
    }
    const gens = tx.collection<GenerationDoc>(LEDGER_COLLECTIONS.generations);
    for (const g of await gens.find({ domain_id: domainId, [field]: id, state: { $in: ['WRITING', 'COMMITTED'] } }, { projection: ['_id'] })) {
      await gens.updateOne({ _id: g._id }, { $set: { state: 'REMOVED', stopped_at: now() } });
    }
    await bumpEpoch(tx, domainId);
  });
}

/** Deletes every rollup document of a pair (its periods are those of its segments). */
async function deletePairRollups(tx: TxContext, pair: VisibilityDoc): Promise<void> {
  const months = [...new Set(pair.segments.flatMap((s) => monthsBetween(s.from, s.to)))];
  const years = [...new Set(months.map((m) => m.slice(0, 4)))];
  for (const { family, grain } of STORED_ROLLUPS) {
    const coll = tx.collection<RollupDoc>(rollupCollection(family, grain));
    for (const keys of chunked((grain === 'day' ? months : years).map((b) => accountBucketKey(pair.domain_id, pair.service_account_id, b)))) {
      await coll.deleteMany({ sk: { $in: keys }, data_source_id: pair.data_source_id });
    }
  }
}
