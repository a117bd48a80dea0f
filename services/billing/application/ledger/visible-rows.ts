import type { Source } from '../../../../lib/resource/resource-collection';
import type { CostRowInput } from '../ports';
import { COMPACT_LAYOUT, compactRows } from './chunk-layout';
import { LEDGER_COLLECTIONS, type ChunkDoc, type StoredRow, type VisibilityDoc } from './ledger-collections';

/** One visible cost row, as List and Stat show it (before attribution). */
export type VisibleRow = CostRowInput & {
  cost_id: string;
  service_account_id: string;
  data_source_id: string;
};

/** The visibility documents (one per data source and account) of a domain. */
export async function readVisibility(source: Source, domainId: string): Promise<VisibilityDoc[]> {
  return source.collection<VisibilityDoc>(LEDGER_COLLECTIONS.visibility).find({ domain_id: domainId });
}

function toMap(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < pairs.length; i += 2) out[pairs[i]] = pairs[i + 1];
  return out;
}

/** The stored rows of a chunk, whichever layout it was written in. */
export const chunkRows = (chunk: ChunkDoc): StoredRow[] =>
  chunk.layout === COMPACT_LAYOUT ? compactRows(chunk.rows) : (JSON.parse(chunk.rows) as StoredRow[]);

/** A stored row in the shape of VisibleRow. */
export function unpackRow(chunk: ChunkDoc, r: StoredRow, i: number): VisibleRow {
  return {
    cost_id: `${chunk._id}:${i}`,
    billed_date: chunk.date,
    service_account_id: chunk.service_account_id,
    data_source_id: chunk.data_source_id,
    provider: r[0],
    product: r[1],
    region: r[2],
    usage_type: r[3],
    resource_id: r[4],
    usage_quantity: r[5],
    usage_unit: r[6],
    cost: r[7],
    currency: r[8],
    tags: toMap(r[9]),
    additional_info: toMap(r[10]),
  };
}

/**
 * Calls visit with every visible chunk of the given pairs whose date lies in [start, end]:
 * for each segment of a pair, the chunks of the segment's generation on the segment's dates,
 * which are exactly the visible ones. One generation is read at a time.
 */
export async function forEachVisibleChunk(
  source: Source,
  pairs: readonly VisibilityDoc[],
  start: string,
  end: string,
  visit: (chunk: ChunkDoc) => void,
): Promise<void> {
  const chunks = source.collection<ChunkDoc>(LEDGER_COLLECTIONS.chunks);
  for (const pair of pairs) {
    for (const s of pair.segments) {
      if (s.to < start || s.from > end) continue;
      const from = s.from > start ? s.from : start;
      const to = s.to < end ? s.to : end;
      const found = await chunks.find({ gen: s.gen, domain_id: pair.domain_id, date: { $gte: from, $lte: to } });
      for (const c of found) visit(c);
    }
  }
}
