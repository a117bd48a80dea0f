import { CsvSyntaxError, type CsvRecord } from '../csv-records';

/** Longest record kept while waiting for its end (characters). */
const MAX_RECORD_CHARS = 1 << 20;

const COMMA = 44;
const QUOTE = 34;
const LF = 10;
const CR = 13;

/**
 * The reader this plugin had before its byte scanner (CsvScanner), kept for tests as the
 * reference the scanner must agree with: simple and string-based. A streaming RFC 4180 reader:
 * push text chunks in any split, get whole records back. Quoted fields may hold commas, doubled
 * quotes and line breaks; records end with CRLF, LF or CR.
 */
export class ReferenceCsvReader {
  private rest = '';
  private line = 1;
  private started = false;

  /** Records completed by this chunk. */
  push(chunk: string): CsvRecord[] {
    let text = this.rest ? this.rest + chunk : chunk;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    const out: CsvRecord[] = [];
    const end = this.parse(text, false, out);
    this.rest = text.slice(end);
    if (this.rest.length > MAX_RECORD_CHARS)
      throw new CsvSyntaxError(this.line, `a record longer than ${MAX_RECORD_CHARS} characters (an unterminated quote?)`);
    return out;
  }

  /** The last record when the text does not end with a line break. */
  end(): CsvRecord[] {
    const out: CsvRecord[] = [];
    if (this.rest.length > 0) this.parse(this.rest, true, out);
    this.rest = '';
    return out;
  }

  /** Parses whole records from text into out; answers where the unfinished part starts. */
  private parse(text: string, final: boolean, out: CsvRecord[]): number {
    const n = text.length;
    let pos = 0;
    while (pos < n) {
      const start = pos;
      const startLine = this.line;
      let lines = 0;
      const fields: string[] = [];
      let problem: string | undefined;
      let complete: boolean;
      let i = pos;
      for (;;) {
        if (i < n && text.charCodeAt(i) === QUOTE) {
          // Quoted field: up to the quote not followed by another quote.
          let value = '';
          let from = i + 1;
          let closed = -1;
          for (;;) {
            const q = text.indexOf('"', from);
            if (q < 0) break;
            if (q + 1 < n && text.charCodeAt(q + 1) === QUOTE) {
              value += text.slice(from, q + 1);
              from = q + 2;
              continue;
            }
            if (q + 1 >= n && !final) break; // a doubled quote may follow in the next chunk
            value += text.slice(from, q);
            closed = q;
            break;
          }
          if (closed < 0) {
            if (!final) return start;
            throw new CsvSyntaxError(startLine, 'the file ends inside a quoted field');
          }
          for (let k = i; k < closed; k++) if (text.charCodeAt(k) === LF) lines++;
          i = closed + 1;
          // Anything between the closing quote and the delimiter breaks the format; keep it.
          let j = i;
          while (j < n) {
            const c = text.charCodeAt(j);
            if (c === COMMA || c === LF || c === CR) break;
            j++;
          }
          if (j >= n && !final) return start;
          if (j > i) {
            problem ??= `text after a closing quote in field ${fields.length + 1}`;
            value += text.slice(i, j);
            i = j;
          }
          fields.push(value);
        } else {
          let j = i;
          while (j < n) {
            const c = text.charCodeAt(j);
            if (c === COMMA || c === LF || c === CR) break;
            j++;
          }
          if (j >= n && !final) return start;
          fields.push(text.slice(i, j));
          i = j;
        }
        if (i >= n) {
          complete = true;
          break;
        }
        const c = text.charCodeAt(i);
        if (c === COMMA) {
          i++;
          if (i >= n && !final) return start;
          if (i >= n) {
            fields.push('');
            complete = true;
            break;
          }
          continue;
        }
        // End of record: CRLF, LF or a lone CR.
        if (c === CR) {
          if (i + 1 >= n && !final) return start;
          i += i + 1 < n && text.charCodeAt(i + 1) === LF ? 2 : 1;
        } else i++;
        lines++;
        complete = true;
        break;
      }
      if (!complete) return start;
      this.line = startLine + lines;
      pos = i;
      // A blank line is no record.
      if (fields.length === 1 && fields[0] === '' && text.charCodeAt(start) !== QUOTE) continue;
      out.push(problem ? { fields, line: startLine, problem } : { fields, line: startLine });
    }
    return pos;
  }
}
