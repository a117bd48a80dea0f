import { Segment } from './chunk-layout';

/** Characters of one chunk's JSON (UTF-16 units: at most 12 MB of UTF-8, under MongoDB's 16 MB). */
export const MAX_CHUNK_CHARS = 4_000_000;

/** The JSON of a segment, and how many rows it holds. */
interface Part {
  json: string;
  n: number;
}

/** Rows of one chunk: its JSON (compact layout) and how many. */
export interface ChunkText {
  json: string;
  n: number;
}

interface DateBuffer {
  date: string;
  /** The segment rows are added to. */
  open: Segment | null;
  /** Segments of earlier writes, as text. */
  parts: Part[];
  rows: number;
  /** The last write that added to it. */
  write: number;
}

/**
 * The rows of a writer not stored yet, by date, in the compact layout (chunk-layout.ts). The
 * segment a write filled is turned into JSON when the write ends (in one call), so what is
 * buffered between writes is a few strings: the memory is small, and the garbage collector
 * has little to copy. Only the date the write ended on keeps its segment open, for the next
 * write to go on with.
 */
export class ChunkBuffers {
  private readonly buffers = new Map<string, DateBuffer>();
  private last: DateBuffer | null = null;

  constructor(
    private readonly chunkRows: number,
    private readonly maxChars = MAX_CHUNK_CHARS,
  ) {}

  /** Dates with buffered rows. */
  get size(): number {
    return this.buffers.size;
  }

  /**
   * The segment a row of this date goes to, given the bound of its JSON (rowChars): a new one
   * when the row could take the open one past maxChars. Add the row to it, then call added().
   */
  segment(date: string, write: number, rowChars: number): Segment {
    let buffer = this.last;
    if (buffer === null || buffer.date !== date) {
      buffer = this.buffers.get(date) ?? null;
      if (buffer === null) {
        buffer = { date, open: null, parts: [], rows: 0, write };
        this.buffers.set(date, buffer);
      }
      this.last = buffer;
    }
    buffer.write = write;
    if (buffer.open !== null && buffer.open.chars + rowChars > this.maxChars) this.close(buffer);
    const open = (buffer.open ??= new Segment());
    open.chars += rowChars;
    return open;
  }

  /** After a row was added to the segment last handed out: true when its date holds chunkRows rows (store it now). */
  added(): boolean {
    return ++(this.last as DateBuffer).rows >= this.chunkRows;
  }

  /** Turns the open segments into text, but for the date the last row went to. */
  seal(): void {
    for (const buffer of this.buffers.values()) if (buffer !== this.last) this.close(buffer);
  }

  /** Dates a later write than `write` added nothing to. */
  datesBefore(write: number): string[] {
    const out: string[] = [];
    for (const buffer of this.buffers.values()) if (buffer.write < write) out.push(buffer.date);
    return out;
  }

  dates(): string[] {
    return [...this.buffers.keys()];
  }

  /** Takes a date's rows out, as chunks of at most maxChars characters of JSON each (or of one segment). */
  take(date: string): ChunkText[] {
    const buffer = this.buffers.get(date);
    if (!buffer) return [];
    this.buffers.delete(date);
    if (this.last === buffer) this.last = null;
    this.close(buffer);
    const chunks: ChunkText[] = [];
    let group: Part[] = [];
    let chars = 2;
    const flush = () => {
      if (group.length === 0) return;
      chunks.push({ json: `[${group.map((p) => p.json).join(',')}]`, n: group.reduce((n, p) => n + p.n, 0) });
      group = [];
      chars = 2;
    };
    for (const part of buffer.parts) {
      if (group.length > 0 && chars + part.json.length + 1 > this.maxChars) flush();
      group.push(part);
      chars += part.json.length + 1;
    }
    flush();
    return chunks;
  }

  clear(): void {
    this.buffers.clear();
    this.last = null;
  }

  private close(buffer: DateBuffer): void {
    const open = buffer.open;
    if (open === null) return;
    buffer.open = null;
    if (open.rows > 0) buffer.parts.push({ json: open.json(), n: open.rows });
  }
}
