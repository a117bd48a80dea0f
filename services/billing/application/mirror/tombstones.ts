import type { Source } from '../../../../lib/resource/resource-collection';
import { MIRROR_COLLECTIONS, type TombstoneKind, type TombstoneRecord } from './mirror-collections';

const tombstones = (source: Source) => source.collection<TombstoneRecord>(MIRROR_COLLECTIONS.tombstones);
const key = (kind: TombstoneKind, id: string) => `${kind}:${id}`;

export async function findTombstone(source: Source, kind: TombstoneKind, id: string): Promise<TombstoneRecord | null> {
  return tombstones(source).findOne({ _id: key(kind, id) });
}

/** Records a deletion (keeping the highest version seen). */
export async function writeTombstone(source: Source, kind: TombstoneKind, domainId: string, id: string, version: number, at: Date): Promise<void> {
  const existing = await findTombstone(source, kind, id);
  if (existing) {
    if (version > existing.version) await tombstones(source).updateOne({ _id: existing._id }, { $set: { version, at } });
    return;
  }
  await tombstones(source).insertOne({ _id: key(kind, id), domain_id: domainId, kind, version, at });
}

/** The ids of one kind deleted in a domain. */
export async function tombstonedIds(source: Source, kind: TombstoneKind, domainId: string): Promise<Set<string>> {
  const found = await tombstones(source).find({ domain_id: domainId, kind }, { projection: ['_id'] });
  return new Set(found.map((t) => t._id.slice(kind.length + 1)));
}
