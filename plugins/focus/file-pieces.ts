import { CsvScanner, CsvSyntaxError } from './csv-records';
import { DailyPartial, type PieceProblem } from './daily-partial';
import type { CountsData } from './interpretations';
import type { LineItemReader } from './line-item-reader';

/** Bytes of a piece of a file (cut after a line break), read by one thread; local files are read in blocks of this size. */
export const PIECE_BYTES = 4 << 20;

/** What reading a piece found, apart from its buckets: plain data, so that it can cross threads. */
export interface PieceOutcome {
  /** Bytes read as whole records: the piece's length unless it ends inside a record. */
  used: number;
  /** Line breaks in those bytes. */
  lines: number;
  lineItems: number;
  outsideRange: number;
  counts: CountsData;
  /** Bad rows, lines counted from the piece's first line (1). */
  problems: PieceProblem[];
  problemCount: number;
  /** A CSV syntax error that ends the file, its line counted the same way. */
  syntax?: { line: number; message: string };
}

/**
 * Reads the records of a piece of a file's data (after its header) into a fresh partial. A piece
 * may have been cut inside a quoted field: it is then read as far as its last whole record, and
 * the next piece, read as if it began a record, is read again by the caller (see PieceSequence).
 * Under stopAtFirst, reading stops at the first bad row (the task will fail there).
 */
export function readPiece(reader: LineItemReader, bytes: Uint8Array, final: boolean, stopAtFirst: boolean): { outcome: PieceOutcome; part: DailyPartial } {
  const part = new DailyPartial();
  const sc = new CsvScanner(1, false);
  let syntax: PieceOutcome['syntax'];
  sc.feed(bytes);
  if (final) sc.finish();
  try {
    while (sc.next()) {
      reader.read(sc, part);
      if (stopAtFirst && part.problemCount > 0) break;
    }
  } catch (err) {
    if (!(err instanceof CsvSyntaxError)) throw err;
    syntax = { line: err.line, message: err.message };
  }
  const outcome: PieceOutcome = {
    used: sc.offset,
    lines: sc.nextLine - 1,
    lineItems: part.lineItems,
    outsideRange: part.outsideRange,
    counts: part.counts,
    problems: part.problems,
    problemCount: part.problemCount,
    ...(syntax ? { syntax } : {}),
  };
  return { outcome, part };
}

/**
 * Gathers a stream's chunks into pieces of half to one PIECE_BYTES, each cut just after a line break
 * (LF, or a CR that no LF follows), so that most pieces start a record. A piece alone uses the
 * memory it views (it can be handed to another thread). Small chunks are copied together; a
 * large chunk that alone uses its memory (a file read in large blocks) is not copied: its middle,
 * from after its first LF to after its last, is a piece as it is, and the bytes around it (the
 * end of the chunk before, the start of this one) a small piece of their own.
 */
export class PieceCutter {
  private chunks: Uint8Array[] = [];
  private size = 0;
  private readonly ready: Buffer[] = [];

  constructor(
    private readonly pieceBytes = PIECE_BYTES,
    /** Bytes kept without a line break before a piece is cut anyway (the record will be too long). */
    private readonly longest = pieceBytes * 2,
  ) {}

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    if (chunk.length >= this.pieceBytes / 2 && chunk.byteOffset === 0 && chunk.buffer.byteLength === chunk.length) {
      const first = chunk.indexOf(10);
      const last = chunk.lastIndexOf(10);
      if (first >= 0 && last > first) {
        this.chunks.push(chunk.subarray(0, first + 1));
        this.size += first + 1;
        this.ready.push(this.rest(), Buffer.from(chunk.buffer, first + 1, last - first));
        this.chunks = last + 1 < chunk.length ? [Buffer.from(chunk.subarray(last + 1))] : [];
        this.size = chunk.length - last - 1;
        return;
      }
    }
    this.chunks.push(chunk);
    this.size += chunk.length;
  }

  /** The next piece, when one is ready or enough bytes are held (half a piece: the rest of a file's first block after its header is enough). */
  take(): Buffer | null {
    if (this.ready.length > 0) return this.ready.shift()!;
    if (this.size < this.pieceBytes / 2) return null;
    const all = owned(this.chunks, this.size);
    let cut = all.lastIndexOf(10) + 1;
    if (cut === 0 && all.length >= 2) cut = all.lastIndexOf(13, all.length - 2) + 1;
    if (cut === 0) {
      if (all.length < this.longest) {
        this.chunks = [all];
        return null;
      }
      cut = all.length;
    }
    this.chunks = cut < all.length ? [Buffer.from(all.subarray(cut))] : [];
    this.size = all.length - cut;
    return all.subarray(0, cut);
  }

  /** Whatever is held: the last piece (after every ready one has been taken). */
  rest(): Buffer {
    const all = owned(this.chunks, this.size);
    this.chunks = [];
    this.size = 0;
    return all;
  }
}

/** The bytes of chunks in one Buffer that alone uses its ArrayBuffer (never a slice of Node's shared pool). */
export function owned(chunks: readonly Uint8Array[], size: number): Buffer {
  const out = Buffer.from(new ArrayBuffer(size));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
