import { DEFAULT_TABLE_SIZE, DynamicTable } from './hpack-decoder';
import { STATIC_BY_NAME, STATIC_TABLE_LENGTH } from './hpack-static-table';

/**
 * How a field may be indexed (RFC 7541 6.2): Incremental adds it to the dynamic table (for fields
 * that repeat across requests), Without leaves the table alone (one-off values), Never also tells
 * intermediaries never to index it (secrets such as authorization: RFC 7541 7.1.3).
 */
export const Indexing = { Incremental: 0, Without: 1, Never: 2 } as const;
export type Indexing = (typeof Indexing)[keyof typeof Indexing];

/** Name (lowercase: the caller's duty), latin1 value, indexing (Incremental when omitted). */
export type HeaderField = readonly [name: string, value: string, indexing?: Indexing];

/** Where each entry of the peer's table is, by field: numbers as counted by DynamicTable.inserted. */
interface NameEntries {
  /** Insertion number of the newest entry with this name. */
  newest: number;
  /** Insertion number of the newest entry with this name and value. */
  readonly values: Map<string, number>;
}

/**
 * A mirror of the peer decoder's dynamic table that can also find entries by field, forgetting
 * them as they are evicted. Eviction is in insertion order, so when the newest entry of a name
 * goes, every older one with that name has already gone.
 */
class EncoderTable extends DynamicTable {
  readonly byName = new Map<string, NameEntries>();

  /** Dynamic index (1 = newest) of the entry inserted as number `n`. */
  indexOf(n: number): number {
    return this.inserted - n;
  }

  override add(name: string, value: string): void {
    super.add(name, value);
    if (this.count === 0) return; // larger than the table: not inserted
    const n = this.inserted - 1;
    const entries = this.byName.get(name);
    if (entries) {
      entries.newest = n;
      entries.values.set(value, n);
    } else {
      this.byName.set(name, { newest: n, values: new Map([[value, n]]) });
    }
  }

  protected override onEvict(name: string, value: string, n: number): void {
    const entries = this.byName.get(name)!;
    if (entries.newest === n) this.byName.delete(name);
    else if (entries.values.get(value) === n) entries.values.delete(value);
  }
}

/**
 * Encodes header blocks for one connection's sending direction (RFC 7541). Static table matches
 * become indexed fields or indexed names, Incremental fields are mirrored in a dynamic table so
 * that a repeat costs one or two bytes. String literals are sent raw, not Huffman-coded: on the
 * gateway's hop to a backend the CPU saved matters more than the bytes.
 */
export class HpackEncoder {
  private readonly table: EncoderTable;
  /** Size updates owed at the start of the next block (RFC 7541 4.2): the smallest and the final size. */
  private pendingMin = Infinity;
  private pendingFinal = -1;
  private out = Buffer.allocUnsafe(1024);
  private n = 0;

  constructor(
    /** Our own cap on the table size, whatever the peer allows. */
    private readonly maxTableSize = DEFAULT_TABLE_SIZE,
  ) {
    // The peer's decoder starts at the protocol's initial size; below it, we must say so.
    this.table = new EncoderTable(DEFAULT_TABLE_SIZE);
    this.setPeerTableSize(DEFAULT_TABLE_SIZE);
  }

  /** The peer's SETTINGS_HEADER_TABLE_SIZE: we use min(peer, own cap), announced in the next block. */
  setPeerTableSize(size: number): void {
    const target = Math.min(size, this.maxTableSize);
    this.pendingMin = Math.min(this.pendingMin, target);
    this.pendingFinal = target;
  }

  /**
   * Encodes one header block. The returned buffer starts with `headroom` bytes left for the
   * caller (a frame header, so that the frame is one buffer and one write), then the block.
   */
  encode(fields: ReadonlyArray<HeaderField>, headroom = 0): Buffer {
    this.n = 0;
    const table = this.table;
    if (this.pendingFinal >= 0) {
      this.reserve(12);
      if (this.pendingMin < this.pendingFinal) this.sizeUpdate(this.pendingMin);
      if (this.pendingFinal !== table.limit) this.sizeUpdate(this.pendingFinal);
      this.pendingMin = Infinity;
      this.pendingFinal = -1;
    }
    for (const [name, value, indexing = Indexing.Incremental] of fields) {
      // Worst case: three integers (name index, two lengths) of up to 6 bytes each, the strings.
      this.reserve(18 + name.length + value.length);
      const inStatic = STATIC_BY_NAME.get(name);
      const inDynamic = table.byName.get(name);
      if (indexing !== Indexing.Never) {
        const exact = inStatic?.valueIndex.get(value);
        if (exact !== undefined) {
          this.int(0x80, 0x7f, exact);
          continue;
        }
        const dynamic = inDynamic?.values.get(value);
        if (dynamic !== undefined) {
          this.int(0x80, 0x7f, STATIC_TABLE_LENGTH + table.indexOf(dynamic));
          continue;
        }
      }
      const nameIndex = inStatic ? inStatic.nameIndex : inDynamic ? STATIC_TABLE_LENGTH + table.indexOf(inDynamic.newest) : 0;
      if (indexing === Indexing.Incremental) this.int(0x40, 0x3f, nameIndex);
      else this.int(indexing === Indexing.Never ? 0x10 : 0x00, 0x0f, nameIndex);
      if (nameIndex === 0) this.string(name);
      this.string(value);
      // After the name lookup: the new entry may evict the one it named (RFC 7541 4.4).
      if (indexing === Indexing.Incremental) table.add(name, value);
    }
    const block = Buffer.allocUnsafe(headroom + this.n);
    this.out.copy(block, headroom, 0, this.n);
    return block;
  }

  private sizeUpdate(size: number): void {
    this.int(0x20, 0x1f, size);
    this.table.setLimit(size);
  }

  /** Writes `value` as an HPACK integer (RFC 7541 5.1) with prefix `mask` under the pattern `flags`. */
  private int(flags: number, mask: number, value: number): void {
    const out = this.out;
    if (value < mask) {
      out[this.n++] = flags | value;
      return;
    }
    out[this.n++] = flags | mask;
    value -= mask;
    while (value >= 0x80) {
      out[this.n++] = (value & 0x7f) | 0x80;
      value = Math.floor(value / 0x80);
    }
    out[this.n++] = value;
  }

  /** Writes a raw (H = 0) string literal; one byte per char (latin1). */
  private string(s: string): void {
    this.int(0x00, 0x7f, s.length);
    const out = this.out;
    let n = this.n;
    for (let i = 0; i < s.length; i++) out[n++] = s.charCodeAt(i);
    this.n = n;
  }

  private reserve(bytes: number): void {
    if (this.n + bytes <= this.out.length) return;
    const out = Buffer.allocUnsafe(Math.max(2 * this.out.length, this.n + bytes));
    this.out.copy(out, 0, 0, this.n);
    this.out = out;
  }
}
