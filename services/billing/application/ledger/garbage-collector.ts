import type { Filter, Store } from '../../../../lib/store/port';
import { LEDGER_COLLECTIONS, pairId, type ChunkDoc, type GenerationDoc, type VisibilityDoc } from './ledger-collections';
import { rangesOf } from './segments';

const DEAD = ['ABORTED', 'SUPERSEDED', 'REMOVED', 'EXPIRED'];

/**
 * Deletes rows nobody can see: those of aborted, superseded, removed and expired generations,
 * and the dates a later commit took over from a generation still partly visible. Writers idle
 * longer than staleWriterMs are expired first. A dead generation's record is kept for
 * staleWriterMs after it stopped, so rows a stopped writer stored late (before it noticed) are
 * found on a later run. Returns how many rows were deleted. Runs outside any transaction: it only
 * touches invisible data.
 */
export async function collectGarbage(store: Store, now: Date, staleWriterMs: number): Promise<number> {
  const gens = store.collection<GenerationDoc>(LEDGER_COLLECTIONS.generations);
  const cutoff = new Date(now.getTime() - staleWriterMs);
  for (const g of await gens.find({ state: 'WRITING', touched_at: { $lt: cutoff } }, { projection: ['_id'] })) {
    await gens.updateOne({ _id: g._id, state: 'WRITING', touched_at: { $lt: cutoff } }, { $set: { state: 'EXPIRED', stopped_at: now } });
  }
  let deleted = 0;
  for (const g of await gens.find({ state: { $in: DEAD } })) {
    deleted += await deleteChunks(store, { gen: g._id });
    if (!g.stopped_at || g.stopped_at < cutoff) await gens.deleteOne({ _id: g._id, state: g.state });
  }
  const visibility = store.collection<VisibilityDoc>(LEDGER_COLLECTIONS.visibility);
  for (const g of await gens.find({ state: 'COMMITTED', partial: true })) {
    const pair = await visibility.findOne({ _id: pairId(g.domain_id, g.data_source_id, g.service_account_id) });
    const kept = pair ? rangesOf(pair.segments, g._id) : [];
    const hidden: Filter = { gen: g._id };
    if (kept.length > 0) hidden.$and = kept.map((r) => ({ $or: [{ date: { $lt: r.start } }, { date: { $gt: r.end } }] }));
    deleted += await deleteChunks(store, hidden);
    await gens.updateOne({ _id: g._id, partial_v: g.partial_v }, { $set: { partial: false } });
  }
  return deleted;
}

async function deleteChunks(store: Store, filter: Filter): Promise<number> {
  const chunks = store.collection<ChunkDoc>(LEDGER_COLLECTIONS.chunks);
  const [sum] = await chunks.group(filter, { keys: [], accumulators: { n: { op: 'sum', field: 'n' } } });
  const rows = (sum?.n as number | undefined) ?? 0;
  await chunks.deleteMany(filter);
  return rows;
}
