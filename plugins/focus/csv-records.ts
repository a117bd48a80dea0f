import { findDelimiter, findQuote } from './byte-search';

/** One CSV record with every field as text: its fields and the physical line (1-based) where it starts. */
export interface CsvRecord {
  fields: string[];
  line: number;
  /** Set when the record breaks RFC 4180 (text after a closing quote); the fields are still given. */
  problem?: string;
}

/** Longest record kept while waiting for its end (an unterminated quote would otherwise grow forever). */
export const MAX_RECORD_BYTES = 1 << 20;

export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
    this.name = 'CsvSyntaxError';
  }
}

const COMMA = 44;
const QUOTE = 34;
const LF = 10;
const CR = 13;
const EMPTY = Buffer.alloc(0);
const TOO_LONG = `a record longer than ${MAX_RECORD_BYTES} bytes (an unterminated quote?)`;

const asBuffer = (b: Uint8Array): Buffer => (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength));

/**
 * A streaming RFC 4180 scanner over bytes: feed chunks split anywhere (inside a quoted field, a
 * CRLF or a multibyte UTF-8 character), then take whole records with next(). Quoted fields may
 * hold commas, doubled quotes and line breaks; records end with CRLF, LF or CR; a leading UTF-8
 * BOM is dropped; blank lines are no records. A record is only located: each field's bytes are
 * given by offsets into `data` (without the quotes of a quoted field), and text is made only for
 * the fields a reader asks for (field()). Only the unfinished record is carried between chunks,
 * so memory stays bounded by the longest record.
 */
export class CsvScanner {
  /** The bytes the current record's offsets point into, and a view of them to read 4 at a time. */
  data: Buffer = EMPTY;
  view: DataView<ArrayBufferLike> = new DataView(EMPTY.buffer, EMPTY.byteOffset, 0);
  /** Fields in the current record. */
  count = 0;
  /** Physical line (1-based) where the current record starts. */
  line = 1;
  /** Set when the current record breaks RFC 4180 (text after a closing quote). */
  problem: string | undefined;
  /** Offsets in data of each field's content: [starts[k], ends[k]). */
  starts = new Int32Array(64);
  ends = new Int32Array(64);
  /** 1 when field k is quoted and holds doubled quotes, so its text is not its bytes as they are. */
  escaped = new Uint8Array(64);
  /** Texts of fields with text after their closing quote (only in records with a problem). */
  private broken: Map<number, string> | undefined;
  private pos = 0;
  /** The first LF in data at or after the current record's start (data.length when none). */
  private nextLf = -1;
  private lineAfter: number;
  private final = false;
  private started: boolean;

  /**
   * @param line physical line of the first byte fed (a piece of a file may start further on)
   * @param bom whether a leading UTF-8 BOM is to be dropped (the start of a file)
   */
  constructor(line = 1, bom = true) {
    this.line = line;
    this.lineAfter = line;
    this.started = !bom;
  }

  /** Bytes fed and not yet part of a record returned by next(). */
  get offset(): number {
    return this.pos;
  }

  /** Physical line where the next record starts. */
  get nextLine(): number {
    return this.lineAfter;
  }

  /** Adds the next chunk of the file. */
  feed(chunk: Uint8Array): void {
    const bytes = asBuffer(chunk);
    if (this.pos >= this.data.length) this.data = bytes;
    else this.data = Buffer.concat([this.data.subarray(this.pos), bytes]);
    this.pos = 0;
    this.view = new DataView(this.data.buffer, this.data.byteOffset, this.data.length);
    this.nextLf = -1;
  }

  /** Says that no more chunks come: the last record may end without a line break. */
  finish(): void {
    this.final = true;
  }

  /**
   * Moves to the next whole record; false when the data fed so far holds none (feed more, or
   * finish) or, after finish(), at the end. Throws CsvSyntaxError for a quote left open at the
   * end and for a record longer than MAX_RECORD_BYTES (whole or not, so however it was split).
   */
  next(): boolean {
    const data = this.data;
    if (!this.started) {
      if (data.length - this.pos < 3 && !this.final) return false;
      this.started = true;
      if (data[this.pos] === 0xef && data[this.pos + 1] === 0xbb && data[this.pos + 2] === 0xbf) this.pos += 3;
    }
    for (;;) {
      const start = this.pos;
      if (start >= data.length) return false;
      const end = this.scan(start);
      if ((end < 0 ? data.length : end) - start > MAX_RECORD_BYTES) throw new CsvSyntaxError(end < 0 ? this.lineAfter : this.line, TOO_LONG);
      if (end < 0) return false;
      this.pos = end;
      // A blank line is no record.
      if (this.count === 1 && this.ends[0] === start && data[start] !== QUOTE) continue;
      return true;
    }
  }

  /** The text of field k of the current record. */
  field(k: number): string {
    if (this.broken !== undefined) {
      const t = this.broken.get(k);
      if (t !== undefined) return t;
    }
    return this.content(k);
  }

  /** The current record with every field as text. */
  record(): CsvRecord {
    const fields: string[] = new Array<string>(this.count);
    for (let k = 0; k < this.count; k++) fields[k] = this.field(k);
    return this.problem !== undefined ? { fields, line: this.line, problem: this.problem } : { fields, line: this.line };
  }

  private content(k: number): string {
    const s = this.starts[k];
    const e = this.ends[k];
    if (s === e) return '';
    const text = this.data.toString('utf8', s, e);
    return this.escaped[k] === 1 ? text.replaceAll('""', '"') : text;
  }

  /** Locates the record starting at pos; answers where the next one starts, or -1 when it is not whole yet. */
  private scan(pos: number): number {
    const d = this.data;
    const n = d.length;
    const v = this.view;
    const final = this.final;
    let starts = this.starts;
    let ends = this.ends;
    let escaped = this.escaped;
    let k = 0;
    let i = pos;
    // The byte after the field just read: a delimiter, or -1 at the end of the data.
    let c: number;
    this.problem = undefined;
    this.broken = undefined;
    for (;;) {
      if (k === starts.length) {
        this.grow();
        starts = this.starts;
        ends = this.ends;
        escaped = this.escaped;
      }
      if (i < n && d[i] === QUOTE) {
        // Quoted field: up to the quote not followed by another quote.
        let j = findQuote(d, v, i + 1, n);
        let doubled = 0;
        while (j + 1 < n && d[j + 1] === QUOTE) {
          doubled = 1;
          j = findQuote(d, v, j + 2, n);
        }
        if (j >= n) {
          if (!final) return -1;
          throw new CsvSyntaxError(this.lineAfter, 'the file ends inside a quoted field');
        }
        if (j + 1 >= n && !final) return -1; // a doubled quote may follow in the next chunk
        starts[k] = i + 1;
        ends[k] = j;
        escaped[k] = doubled;
        i = j + 1;
        c = i < n ? d[i] : -1;
        if (c !== COMMA && c !== LF && c !== CR && c !== -1) {
          // Anything between the closing quote and the delimiter breaks the format; keep it.
          const m = findDelimiter(d, v, i, n);
          if (m >= n && !final) return -1;
          this.problem ??= `text after a closing quote in field ${k + 1}`;
          (this.broken ??= new Map()).set(k, this.content(k) + d.toString('utf8', i, m));
          i = m;
          c = i < n ? d[i] : -1;
        }
      } else {
        const j = findDelimiter(d, v, i, n);
        if (j >= n && !final) return -1;
        starts[k] = i;
        ends[k] = j;
        escaped[k] = 0;
        i = j;
        c = i < n ? d[i] : -1;
      }
      k++;
      if (c !== COMMA) break;
      i++;
      if (i < n) continue;
      if (!final) return -1;
      // A comma ends the file: one more, empty field.
      if (k === starts.length) {
        this.grow();
        starts = this.starts;
        ends = this.ends;
        escaped = this.escaped;
      }
      starts[k] = i;
      ends[k] = i;
      escaped[k] = 0;
      k++;
      break;
    }
    // End of record: CRLF, LF, a lone CR, or the end of the data (final).
    let lines = 0;
    if (c === CR) {
      if (i + 1 >= n && !final) return -1;
      if (i + 1 < n && d[i + 1] === LF) i += 2;
      else {
        i++;
        lines = 1;
      }
    } else if (c === LF) i++;
    this.count = k;
    this.line = this.lineAfter;
    // Its lines: every LF in it (ending it, or inside quoted fields), and a CR that ends it alone.
    let lf = this.nextLf;
    if (lf < pos) lf = d.indexOf(LF, pos);
    while (lf >= 0 && lf < i) {
      lines++;
      lf = d.indexOf(LF, lf + 1);
    }
    this.nextLf = lf < 0 ? n : lf;
    this.lineAfter += lines;
    return i;
  }

  private grow(): void {
    const size = this.starts.length * 2;
    const starts = new Int32Array(size);
    const ends = new Int32Array(size);
    const escaped = new Uint8Array(size);
    starts.set(this.starts);
    ends.set(this.ends);
    escaped.set(this.escaped);
    this.starts = starts;
    this.ends = ends;
    this.escaped = escaped;
  }
}
