import { HpackError } from './hpack-error';
import { huffmanDecode } from './hpack-huffman';
import { STATIC_NAMES, STATIC_TABLE_LENGTH, STATIC_VALUES } from './hpack-static-table';

export { HpackError } from './hpack-error';

export type HeaderValue = string | string[];
/** Field name → value, or values in block order when the name repeats. Null prototype. */
export type DecodedHeaders = Record<string, HeaderValue>;

/** SETTINGS_HEADER_TABLE_SIZE's initial value (RFC 9113 6.5.2): the table size before any update. */
export const DEFAULT_TABLE_SIZE = 4096;
/** RFC 7541 4.1: an entry's size is its name and value lengths plus 32. */
export const ENTRY_OVERHEAD = 32;
/** Largest integer accepted in a block: every length and index fits well below it. */
const MAX_INT = 0x7fffffff;

/** Node's Buffer has latin1Slice (what toString('latin1') calls after its argument checks), untyped in @types/node. */
interface Latin1Buffer extends Buffer {
  latin1Slice(start: number, end: number): string;
}

const EMPTY = Buffer.alloc(0) as Latin1Buffer;

/**
 * The HPACK dynamic table (RFC 7541 2.3.2, 4): a FIFO of (name, value) entries bounded by the sum
 * of their sizes, as a ring buffer, so that inserting and evicting never shifts an array. The
 * decoder and the encoder's mirror share it, so both evict by the same rules.
 */
export class DynamicTable {
  /** Sum of entry sizes (name + value + 32, latin1 lengths). */
  size = 0;
  /** Entries in the table. */
  count = 0;
  /** Entries ever inserted: entry number `inserted - 1` is the newest (dynamic index 1). */
  inserted = 0;
  private names: string[] = new Array<string>(16).fill('');
  private values: string[] = new Array<string>(16).fill('');
  /** Slot of the oldest entry; slots are taken modulo the capacity, a power of two. */
  private head = 0;
  private mask = 15;

  constructor(
    /** Maximum size, as last signalled by a dynamic table size update. */
    public limit: number,
  ) {}

  /** Name of the entry at 0-based position `d` from the newest (dynamic index d + 1); `d < count`. */
  name(d: number): string {
    return this.names[(this.head + this.count - 1 - d) & this.mask]!;
  }

  value(d: number): string {
    return this.values[(this.head + this.count - 1 - d) & this.mask]!;
  }

  /**
   * Inserts an entry as the newest, evicting the oldest until it fits; an entry larger than the
   * whole table empties it and is not inserted (RFC 7541 4.4).
   */
  add(name: string, value: string): void {
    const size = name.length + value.length + ENTRY_OVERHEAD;
    while (this.count > 0 && this.size + size > this.limit) this.evictOldest();
    if (size > this.limit) return;
    this.inserted++;
    if (this.count > this.mask) this.grow();
    const slot = (this.head + this.count) & this.mask;
    this.names[slot] = name;
    this.values[slot] = value;
    this.count++;
    this.size += size;
  }

  /** Applies a dynamic table size update: evicts until the entries fit the new maximum (RFC 7541 4.3). */
  setLimit(limit: number): void {
    this.limit = limit;
    while (this.size > limit) this.evictOldest();
  }

  /** Called for each evicted entry with its insertion number; the encoder's mirror forgets its index. */
  protected onEvict(_name: string, _value: string, _number: number): void {}

  private evictOldest(): void {
    const slot = this.head;
    const name = this.names[slot]!;
    const value = this.values[slot]!;
    this.names[slot] = '';
    this.values[slot] = '';
    this.head = (slot + 1) & this.mask;
    this.onEvict(name, value, this.inserted - this.count);
    this.count--;
    this.size -= name.length + value.length + ENTRY_OVERHEAD;
  }

  private grow(): void {
    const names = new Array<string>(2 * (this.mask + 1)).fill('');
    const values = new Array<string>(names.length).fill('');
    for (let i = 0; i < this.count; i++) {
      names[i] = this.names[(this.head + i) & this.mask]!;
      values[i] = this.values[(this.head + i) & this.mask]!;
    }
    this.names = names;
    this.values = values;
    this.head = 0;
    this.mask = names.length - 1;
  }
}

/**
 * Decodes HPACK header blocks (RFC 7541) of one connection's receiving direction. Blocks must be
 * decoded in the order they arrive, every one of them (even of a stream being reset), because
 * each may change the dynamic table. Any malformed input throws HpackError.
 *
 * What this does not judge, because it is a stream-level malformation (RFC 9113 8.2) and not a
 * compression error: uppercase or empty names, pseudo-header order, forbidden characters in
 * values. Those fields are returned as they came, for the caller to reject the stream.
 */
export class HpackDecoder {
  private readonly table: DynamicTable;
  /** RFC 7541 4.2: after our SETTINGS lowered the table below its initial size, the next block must say so first. */
  private expectSizeUpdate: boolean;
  private listSize = 0;
  // The block being decoded; fields rather than arguments so the readers can advance `pos`.
  private block = EMPTY;
  private pos = 0;
  private end = 0;

  constructor(
    /** The SETTINGS_HEADER_TABLE_SIZE we advertise: the largest size update the peer may send. */
    private readonly maxTableSize = DEFAULT_TABLE_SIZE,
  ) {
    this.table = new DynamicTable(Math.min(DEFAULT_TABLE_SIZE, maxTableSize));
    this.expectSizeUpdate = maxTableSize < DEFAULT_TABLE_SIZE;
  }

  /**
   * The decoded header list size of the last decode(): Σ(name + value + 32) over its fields
   * (RFC 9113 6.5.2 SETTINGS_MAX_HEADER_LIST_SIZE), for the caller to enforce its limit.
   */
  get lastListSize(): number {
    return this.listSize;
  }

  /** Decodes one complete header block (its fragments already joined). */
  decode(block: Buffer, start = 0, end = block.length): DecodedHeaders {
    this.block = block as Latin1Buffer;
    this.pos = start;
    this.end = end;
    const table = this.table;
    const headers: DecodedHeaders = Object.create(null) as DecodedHeaders;
    let listSize = 0;

    // Dynamic table size updates: only before the first field (RFC 7541 4.2).
    while (this.pos < end && (block[this.pos]! & 0xe0) === 0x20) {
      const size = this.readInt(0x1f);
      if (size > this.maxTableSize) throw new HpackError(`dynamic table size update to ${size} exceeds our limit ${this.maxTableSize}`);
      table.setLimit(size);
      this.expectSizeUpdate = false;
    }
    if (this.expectSizeUpdate) throw new HpackError('missing dynamic table size update after our SETTINGS lowered the table size');

    while (this.pos < end) {
      const first = block[this.pos]!;
      let name: string;
      let value: string;
      if (first & 0x80) {
        // Indexed field (6.1).
        let index = first & 0x7f;
        if (index === 0x7f) index = this.readInt(0x7f);
        else this.pos++;
        if (index <= STATIC_TABLE_LENGTH) {
          if (index === 0) throw new HpackError('index 0');
          name = STATIC_NAMES[index]!;
          value = STATIC_VALUES[index]!;
        } else {
          const d = index - STATIC_TABLE_LENGTH - 1;
          if (d >= table.count) throw new HpackError(`index ${index} beyond the table`);
          name = table.name(d);
          value = table.value(d);
        }
      } else {
        // Literal (6.2.1 with incremental indexing: 6-bit prefix; 6.2.2/6.2.3: 4-bit prefix).
        const incremental = (first & 0x40) !== 0;
        if (!incremental && first & 0x20) throw new HpackError('dynamic table size update after a field');
        const mask = incremental ? 0x3f : 0x0f;
        let index = first & mask;
        if (index === mask) index = this.readInt(mask);
        else this.pos++;
        if (index === 0) name = this.readString();
        else if (index <= STATIC_TABLE_LENGTH) name = STATIC_NAMES[index]!;
        else {
          const d = index - STATIC_TABLE_LENGTH - 1;
          if (d >= table.count) throw new HpackError(`name index ${index} beyond the table`);
          name = table.name(d);
        }
        value = this.readString();
        if (incremental) table.add(name, value);
      }
      listSize += name.length + value.length + ENTRY_OVERHEAD;
      const previous = headers[name];
      if (previous === undefined) headers[name] = value;
      else if (typeof previous === 'string') headers[name] = [previous, value];
      else previous.push(value);
    }
    this.listSize = listSize;
    this.block = EMPTY; // hold no reference to the caller's buffer between blocks
    return headers;
  }

  /**
   * Reads an integer (RFC 7541 5.1) whose prefix is `mask` (2^N - 1) at `pos`. Rejects values
   * above 2^31 - 1, and encodings longer than 5 continuation bytes (zero continuation bytes add
   * nothing, so without a bound a peer could stretch one integer over the whole block).
   */
  private readInt(mask: number): number {
    const block = this.block;
    let value = block[this.pos++]! & mask;
    if (value < mask) return value;
    for (let shift = 0; ; shift += 7) {
      if (this.pos >= this.end) throw new HpackError('truncated integer');
      const b = block[this.pos++]!;
      value += (b & 0x7f) * (1 << shift);
      if (value > MAX_INT) throw new HpackError('integer too large');
      if ((b & 0x80) === 0) return value;
      if (shift === 28) throw new HpackError('integer encoding too long');
    }
  }

  /** Reads a string literal (RFC 7541 5.2), raw or Huffman-coded, as latin1. */
  private readString(): string {
    if (this.pos >= this.end) throw new HpackError('truncated field');
    const huffman = (this.block[this.pos]! & 0x80) !== 0;
    const length = this.readInt(0x7f);
    const start = this.pos;
    if (length > this.end - start) throw new HpackError('truncated string');
    this.pos = start + length;
    return huffman ? huffmanDecode(this.block, start, start + length) : this.block.latin1Slice(start, start + length);
  }
}
