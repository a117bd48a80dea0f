import type { CsvScanner } from './csv-records';

/** Entries a cache holds before it starts again empty (and bytes of keys, whichever comes first). */
const DEFAULT_LIMIT = 1 << 14;
const ARENA_LIMIT = 4 << 20;

/**
 * What a field's text means (a parsed date, a checked currency, a plain string...), looked up by
 * the field's bytes, so that a value seen before costs a hash and a compare of its bytes and no
 * string. The text is made (and `make` called) once per distinct value. Bounded: when full it
 * empties and starts again, so memory never grows with the file.
 */
export class FieldCache<T> {
  private arena = new Uint8Array(1 << 16);
  private arenaView = new DataView(this.arena.buffer);
  private used = 0;
  /** Slot -> entry + 1 (0 = free); open addressing, linear probing, at most half full. */
  private slots = new Int32Array(1 << 10);
  private hashes = new Int32Array(1 << 9);
  private offsets = new Int32Array(1 << 9);
  private lengths = new Int32Array(1 << 9);
  /** 1 when the entry's field was quoted with doubled quotes (the same bytes unquoted are another text). */
  private escapes = new Uint8Array(1 << 9);
  /** Per column: the entry of its last value (-1: none). */
  private last = new Int32Array(0);
  private values: T[] = [];

  constructor(
    private readonly make: (text: string) => T,
    private readonly limit = DEFAULT_LIMIT,
  ) {}

  /** Entries held now. */
  get size(): number {
    return this.values.length;
  }

  /** The value of field k of the scanner's current record (which must have no problem). */
  get(sc: CsvScanner, k: number): T {
    const d = sc.data;
    const v = sc.view;
    const s = sc.starts[k];
    const e = sc.ends[k];
    const len = e - s;
    const escaped = sc.escaped[k];
    // The same value as this column's last one? (Columns often repeat from row to row.)
    if (k >= this.last.length) this.last = grown(this.last, k + 1, -1);
    const last = this.last[k];
    if (last >= 0 && this.lengths[last] === len && this.escapes[last] === escaped && this.same(d, v, s, e, this.offsets[last])) return this.values[last];
    // Hash four bytes at a time, then the last few.
    let h = 0x811c9dc5 ^ escaped ^ Math.imul(len, 0x27d4eb2d);
    let i = s;
    for (; i + 4 <= e; i += 4) {
      h = Math.imul(h ^ v.getInt32(i, true), 0x5bd1e995);
      h ^= h >>> 13;
    }
    for (; i < e; i++) h = Math.imul(h ^ d[i], 0x01000193);
    h ^= h >>> 15;
    const mask = this.slots.length - 1;
    let slot = h & mask;
    for (;;) {
      const entry = this.slots[slot] - 1;
      if (entry < 0) break;
      if (this.hashes[entry] === h && this.lengths[entry] === len && this.escapes[entry] === escaped && this.same(d, v, s, e, this.offsets[entry])) {
        this.last[k] = entry;
        return this.values[entry];
      }
      slot = (slot + 1) & mask;
    }
    const value = this.make(sc.field(k));
    this.last[k] = this.add(d, s, e, escaped, h, value);
    return value;
  }

  /** Whether bytes [s, e) equal the arena's from o. */
  private same(d: Uint8Array, v: DataView, s: number, e: number, o: number): boolean {
    const arena = this.arena;
    const av = this.arenaView;
    let i = s;
    for (; i + 4 <= e; i += 4, o += 4) if (av.getInt32(o, true) !== v.getInt32(i, true)) return false;
    for (; i < e; i++, o++) if (arena[o] !== d[i]) return false;
    return true;
  }

  /** Keeps a value; answers its entry. */
  private add(d: Uint8Array, s: number, e: number, escaped: number, h: number, value: T): number {
    const len = e - s;
    if (this.values.length >= this.limit || this.used + len > ARENA_LIMIT) this.clear();
    if (this.used + len > this.arena.length) {
      const arena = new Uint8Array(Math.max(this.arena.length * 2, this.used + len));
      arena.set(this.arena.subarray(0, this.used));
      this.arena = arena;
      this.arenaView = new DataView(arena.buffer);
    }
    const entry = this.values.length;
    if (entry === this.hashes.length) {
      this.hashes = grown(this.hashes, entry * 2);
      this.offsets = grown(this.offsets, entry * 2);
      this.lengths = grown(this.lengths, entry * 2);
      const escapes = new Uint8Array(entry * 2);
      escapes.set(this.escapes);
      this.escapes = escapes;
    }
    this.arena.set(d.subarray(s, e), this.used);
    this.hashes[entry] = h;
    this.offsets[entry] = this.used;
    this.lengths[entry] = len;
    this.escapes[entry] = escaped;
    this.used += len;
    this.values.push(value);
    if ((entry + 1) * 2 > this.slots.length) this.rehash(this.slots.length * 2);
    else this.place(entry);
    return entry;
  }

  private place(entry: number): void {
    const mask = this.slots.length - 1;
    let slot = this.hashes[entry] & mask;
    while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
    this.slots[slot] = entry + 1;
  }

  private rehash(size: number): void {
    this.slots = new Int32Array(size);
    for (let entry = 0; entry < this.values.length; entry++) this.place(entry);
  }

  private clear(): void {
    this.values = [];
    this.used = 0;
    this.slots.fill(0);
    this.last.fill(-1);
  }
}

function grown(a: Int32Array, size: number, fill = 0): Int32Array<ArrayBuffer> {
  const b = new Int32Array(size).fill(fill);
  b.set(a);
  return b;
}
