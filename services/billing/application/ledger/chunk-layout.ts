/**
 * The compact layout of a chunk's rows (ChunkDoc.layout 2). The texts a date's rows share (a
 * row's provider, product, region, usage type and currency; its tags) are written once per
 * segment, in dictionaries, and each row refers to them by number:
 *
 *   rows = JSON of [segment, ...], segment = [dims, tags, flat]
 *     dims  [provider, product, region, usage_type, currency, ...]   5 texts an entry
 *     tags  [key, value, ...]                                         2 texts an entry
 *     flat  per row: dim entry, resource_id, usage_quantity, usage_unit, cost,
 *           n, n tag entries, m, m (key, value) pairs of additional info
 *
 * A writer fills a segment row by row: the rollup groups it adds a row into already stand for
 * these texts, so each group remembers its entry in the segment and no text is looked up
 * twice. Chunks without a layout hold JSON of StoredRow[] (still read).
 */
import type { CostRowInput } from '../ports';
import type { StoredRow } from './ledger-collections';

export const COMPACT_LAYOUT = 2;

/** Where a group's texts sit in a segment's dictionary (segment 0: in none yet). */
export interface Slotted {
  segment: number;
  slot: number;
}

/** Characters of JSON a text can take at most (each may be escaped as \uXXXX), with its quotes and comma. */
const textBound = (text: string) => 6 * text.length + 3;
/** Characters a small whole number takes at most, with its comma. */
const NUMBER_BOUND = 12;

/**
 * An upper bound of the characters of JSON a row adds to a segment (as if its dims and tags
 * were new to it): a segment of rows whose bounds add up to at most n characters has at most
 * n + 16 characters of JSON.
 */
export function rowChars(r: CostRowInput, tags: readonly string[], info: readonly string[]): number {
  let chars =
    NUMBER_BOUND * 3 +
    textBound(r.provider) +
    textBound(r.product) +
    textBound(r.region) +
    textBound(r.usage_type) +
    textBound(r.currency) +
    textBound(r.resource_id) +
    textBound(r.usage_quantity) +
    textBound(r.usage_unit) +
    textBound(r.cost);
  for (let i = 0; i < tags.length; i++) chars += textBound(tags[i]);
  for (let i = 0; i < info.length; i++) chars += textBound(info[i]);
  return chars + (NUMBER_BOUND * tags.length) / 2;
}

let segments = 0;

/** The rows of one date being written, in the compact layout. */
export class Segment {
  readonly id = ++segments;
  readonly dims: string[] = [];
  readonly tags: string[] = [];
  readonly flat: (string | number)[] = [];
  rows = 0;
  /** An upper bound of the characters of this segment's JSON (kept by its user, with rowChars). */
  chars = 16;

  /** The dictionary entry of a row's dims (added when the group has none in this segment). */
  dim(g: Slotted, provider: string, product: string, region: string, usageType: string, currency: string): number {
    if (g.segment !== this.id) {
      g.segment = this.id;
      g.slot = this.dims.length / 5;
      this.dims.push(provider, product, region, usageType, currency);
    }
    return g.slot;
  }

  /** Starts a row: its dims entry (from dim()), its own texts, and how many tags follow (rowTag()). */
  startRow(dim: number, resourceId: string, usageQuantity: string, usageUnit: string, cost: string, tagCount: number): void {
    this.flat.push(dim, resourceId, usageQuantity, usageUnit, cost, tagCount);
  }

  /** One tag of the row: its dictionary entry (added when the group has none in this segment). */
  rowTag(t: Slotted, key: string, value: string): void {
    if (t.segment !== this.id) {
      t.segment = this.id;
      t.slot = this.tags.length / 2;
      this.tags.push(key, value);
    }
    this.flat.push(t.slot);
  }

  /** Ends the row with its additional info, [key, value, ...]. */
  endRow(info: readonly string[]): void {
    const flat = this.flat;
    flat.push(info.length >> 1);
    for (let i = 0; i < info.length; i++) flat.push(info[i]);
    this.rows++;
  }

  json(): string {
    return JSON.stringify([this.dims, this.tags, this.flat]);
  }
}

type SegmentJson = [string[], string[], (string | number)[]];

/** The rows of a chunk in the compact layout (the JSON of its segments). */
export function compactRows(json: string): StoredRow[] {
  const out: StoredRow[] = [];
  for (const [dims, tags, flat] of JSON.parse(json) as SegmentJson[]) {
    for (let i = 0; i < flat.length; ) {
      const d = 5 * (flat[i] as number);
      const resourceId = flat[i + 1] as string;
      const usageQuantity = flat[i + 2] as string;
      const usageUnit = flat[i + 3] as string;
      const cost = flat[i + 4] as string;
      const nTags = flat[i + 5] as number;
      i += 6;
      const rowTags: string[] = [];
      for (let k = 0; k < nTags; k++) {
        const t = 2 * (flat[i++] as number);
        rowTags.push(tags[t], tags[t + 1]);
      }
      const nInfo = 2 * (flat[i++] as number);
      const info = flat.slice(i, i + nInfo) as string[];
      i += nInfo;
      out.push([dims[d], dims[d + 1], dims[d + 2], dims[d + 3], resourceId, usageQuantity, usageUnit, cost, dims[d + 4], rowTags, info]);
    }
  }
  return out;
}
