/**
 * Dense numbers (0, 1, 2...) for tuples of integer ids, such as a daily bucket's key made of the
 * ids of its day, account, service and the rest: a lookup hashes the integers and makes no string.
 */
export class TupleIndex {
  private tuples: Int32Array;
  private hashes: Int32Array;
  /** Slot -> index + 1 (0 = free); open addressing, linear probing, at most half full. */
  private slots = new Int32Array(1 << 8);
  size = 0;

  constructor(readonly width: number) {
    this.tuples = new Int32Array(width * 64);
    this.hashes = new Int32Array(64);
  }

  /** The number of the tuple t[0..width); a tuple not seen before gets the next one, answered as -(number + 1). */
  add(t: Int32Array): number {
    const w = this.width;
    let h = 0x9e3779b9;
    for (let i = 0; i < w; i++) h = Math.imul(h ^ t[i], 0x85ebca6b) ^ (h >>> 13);
    h ^= h >>> 16;
    const mask = this.slots.length - 1;
    let slot = h & mask;
    for (;;) {
      const index = this.slots[slot] - 1;
      if (index < 0) break;
      if (this.hashes[index] === h) {
        const base = index * w;
        let i = 0;
        while (i < w && this.tuples[base + i] === t[i]) i++;
        if (i === w) return index;
      }
      slot = (slot + 1) & mask;
    }
    const index = this.size++;
    if (index === this.hashes.length) {
      const hashes = new Int32Array(index * 2);
      hashes.set(this.hashes);
      this.hashes = hashes;
      const tuples = new Int32Array(index * 2 * w);
      tuples.set(this.tuples);
      this.tuples = tuples;
    }
    this.hashes[index] = h;
    this.tuples.set(t.subarray(0, w), index * w);
    if (this.size * 2 > this.slots.length) this.rehash();
    else this.slots[slot] = index + 1;
    return -(index + 1);
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let index = 0; index < this.size; index++) {
      let slot = this.hashes[index] & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = index + 1;
    }
    this.slots = slots;
  }
}
