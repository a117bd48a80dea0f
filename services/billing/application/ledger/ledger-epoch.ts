import { randomBytes } from 'node:crypto';
import type { Source } from '../../../../lib/resource/resource-collection';
import type { Store, TxContext } from '../../../../lib/store/port';
import { LEDGER_COLLECTIONS, type EpochChange, type EpochDoc } from './ledger-collections';

const epochs = (source: Source) => source.collection<EpochDoc>(LEDGER_COLLECTIONS.epochs);

/**
 * Where a domain's ledger stands: its epoch, which every commit and removal moves on, the id of
 * the change that made it ('' when none is noted: epoch 0, or a document from before ids), and
 * the latest changes, oldest first.
 */
export interface EpochState {
  epoch: number;
  id: string;
  changes: readonly EpochChange[];
}

/** The domain's epoch state (see EpochState). */
async function readEpochState(source: Source, domainId: string): Promise<EpochState> {
  const doc = await epochs(source).findOne({ _id: domainId });
  const epoch = doc?.epoch ?? 0;
  const changes = doc?.changes ?? [];
  const last = changes[changes.length - 1];
  return { epoch, id: last && last.e === epoch ? (last.id ?? '') : '', changes };
}

/** The domain's ledger epoch: it changes with every commit and removal in the domain. */
export async function readEpoch(source: Source, domainId: string): Promise<number> {
  return (await readEpochState(source, domainId)).epoch;
}

/** Changes kept on the epoch document: a reader whose cache is further behind reads everything again. */
const KEPT_CHANGES = 64;
/** Buckets one change may list (20 years of months); a commit over more notes only that it happened, and readers start over. */
const MAX_NOTED_BUCKETS = 240;

/**
 * Increases the epoch inside a commit or removal, noting what changed (`change`: one account's
 * buckets; none: anything may have) under a new id, so that a reader can tell an epoch number
 * that came back (a rolled-back commit, a restored backup) from the one it saw. Every such
 * transaction of a domain writes this one document, so two of them never interleave (MongoDB
 * reports a write conflict and one runs again).
 */
export async function bumpEpoch(tx: TxContext, domainId: string, change?: { account: string; buckets: string[] }): Promise<void> {
  const coll = epochs(tx);
  const found = await coll.findOne({ _id: domainId });
  const e = (found?.epoch ?? 0) + 1;
  const id = randomBytes(9).toString('base64url');
  const noted: EpochChange = change && change.buckets.length <= MAX_NOTED_BUCKETS ? { e, id, account: change.account, buckets: change.buckets } : { e, id };
  const changes: EpochChange[] = [...(found?.changes ?? []).slice(1 - KEPT_CHANGES), noted];
  if (found) await coll.updateOne({ _id: domainId }, { $set: { epoch: e, changes } });
  else await coll.insertOne({ _id: domainId, epoch: e, changes });
}

/** How often a reader retries before it reads inside a transaction instead. */
const OPTIMISTIC_ATTEMPTS = 3;

/**
 * Runs several reads as if at one instant: the epoch is read before and after; when a commit
 * or removal landed in between, the reads run again, and after a few tries they run inside a
 * transaction (one consistent view on both stores). `read` must have no other side effects.
 */
export async function readConsistently<T>(store: Store, domainId: string, read: (source: Source) => Promise<T>): Promise<T> {
  return readConsistentlyAt(store, domainId, (source) => read(source));
}

/**
 * readConsistently, telling `read` the epoch state its reads are checked against (the epoch and
 * the id of its change: both must be the same after the reads; null inside the final
 * transaction), and calling `confirmed` with the result of the attempt whose reads were found
 * to be of that state (before it is returned).
 */
export async function readConsistentlyAt<T>(
  store: Store,
  domainId: string,
  read: (source: Source, epoch: EpochState | null) => Promise<T>,
  confirmed?: (result: T) => void,
): Promise<T> {
  for (let attempt = 0; attempt < OPTIMISTIC_ATTEMPTS; attempt++) {
    const before = await readEpochState(store, domainId);
    const result = await read(store, before);
    const after = await readEpochState(store, domainId);
    if (after.epoch === before.epoch && after.id === before.id) {
      confirmed?.(result);
      return result;
    }
  }
  return store.transaction((tx) => read(tx, null));
}
