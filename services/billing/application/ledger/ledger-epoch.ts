import type { Source } from '../../../../lib/resource/resource-collection';
import type { Store, TxContext } from '../../../../lib/store/port';
import { LEDGER_COLLECTIONS, type EpochDoc } from './ledger-collections';

const epochs = (source: Source) => source.collection<EpochDoc>(LEDGER_COLLECTIONS.epochs);

/** The domain's ledger epoch: it changes with every commit and removal in the domain. */
export async function readEpoch(source: Source, domainId: string): Promise<number> {
  return (await epochs(source).findOne({ _id: domainId }))?.epoch ?? 0;
}

/**
 * Increases the epoch inside a commit or removal. Every such transaction of a domain writes
 * this one document, so two of them never interleave (MongoDB reports a write conflict and
 * one runs again).
 */
export async function bumpEpoch(tx: TxContext, domainId: string): Promise<void> {
  const coll = epochs(tx);
  const found = await coll.findOne({ _id: domainId });
  if (found) await coll.updateOne({ _id: domainId }, { $inc: { epoch: 1 } });
  else await coll.insertOne({ _id: domainId, epoch: 1 });
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
 * readConsistently, telling `read` the epoch its reads are checked against (null inside the
 * final transaction), and calling `confirmed` with the result of the attempt whose reads were
 * found to be of that epoch (before it is returned).
 */
export async function readConsistentlyAt<T>(
  store: Store,
  domainId: string,
  read: (source: Source, epoch: number | null) => Promise<T>,
  confirmed?: (result: T) => void,
): Promise<T> {
  for (let attempt = 0; attempt < OPTIMISTIC_ATTEMPTS; attempt++) {
    const before = await readEpoch(store, domainId);
    const result = await read(store, before);
    if ((await readEpoch(store, domainId)) === before) {
      confirmed?.(result);
      return result;
    }
  }
  return store.transaction((tx) => read(tx, null));
}
