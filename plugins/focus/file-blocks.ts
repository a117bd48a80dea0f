/**
 * Memory for the blocks a local file is read in, reused from one block to the next: once every
 * piece cut from a block has been confirmed, nothing refers to it (carries are copies), and it is
 * given back. Fresh memory each time would cost page faults and garbage collections.
 */
const free: ArrayBuffer[] = [];
/** Free blocks kept at most (memory held while a read goes on; dropped when it ends). */
const KEEP = 12;

/** A block of size bytes, alone in its memory. */
export function takeBlock(size: number): Buffer {
  const reused = free.pop();
  return reused && reused.byteLength === size ? Buffer.from(reused) : Buffer.allocUnsafeSlow(size);
}

/** Gives back the memory of a piece that nothing refers to any more, when it was a block's. */
export function giveBack(piece: Uint8Array, blockBytes: number): void {
  const memory = piece.buffer as ArrayBuffer;
  if (memory.byteLength === blockBytes && free.length < KEEP && !free.includes(memory)) free.push(memory);
}

/** Lets the free blocks go (a read has ended). */
export function dropBlocks(): void {
  free.length = 0;
}
