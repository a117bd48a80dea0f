import { BinaryReader } from '@bufbuild/protobuf/wire';
import { TaskReport, type CostRow } from '../../gen/tally/plugin/billing/v1/plugin';
import type { CostDataPage } from './types';

/**
 * GetCostData pages decoded by hand: the one message that comes by the million rows. It gives
 * exactly what the generated decoder gives (the same fields, defaults, map and unknown-field
 * handling, the same errors on truncated input; a differential test holds the two together),
 * about twice as fast: strings are cut straight from the Buffer and map entries go straight
 * into the row's maps.
 */

type Bytes = Buffer;

/** UTF-8 text of bytes [start, end), invalid sequences as U+FFFD and a leading U+FEFF kept, as protobuf's TextDecoder does. */
const utf8: (buf: Bytes, start: number, end: number) => string =
  typeof (Buffer.prototype as { utf8Slice?: unknown }).utf8Slice === 'function'
    ? (buf, start, end) => (buf as Bytes & { utf8Slice(s: number, e: number): string }).utf8Slice(start, end)
    : (buf, start, end) => buf.toString('utf8', start, end);

const eof = () => new RangeError('premature EOF');

/**
 * Texts that repeat from row to row (dates, accounts, products, regions, units, tag keys and
 * values) are kept in a small direct-mapped table and handed out again when the same bytes come:
 * no new string to allocate, and its hash, already computed, makes the ledger's map lookups cheap.
 * Only short ASCII texts are kept (their char codes are their bytes).
 */
const SLOTS = 4096;
const MAX_KEPT = 64;
const kept: string[] = new Array<string>(SLOTS).fill('');

/** The table slot of bytes [start, end) (exported for tests). */
export const slotOf = (buf: Uint8Array, start: number, end: number): number =>
  ((end - start) * 31 + buf[start] * 7 + buf[end - 1] * 131 + buf[start + ((end - start) >> 1)] * 17 + (buf[end - 2] | 0) * 3) & (SLOTS - 1);

function keptText(buf: Bytes, start: number, end: number): string {
  const n = end - start;
  if (n > MAX_KEPT) return utf8(buf, start, end);
  const slot = slotOf(buf, start, end);
  const c = kept[slot];
  if (c.length === n) {
    let i = 0;
    while (i < n && c.charCodeAt(i) === buf[start + i]) i++;
    if (i === n) return c;
  }
  const text = utf8(buf, start, end);
  if (text.length === n) kept[slot] = text; // ASCII only: other texts have fewer chars than bytes, or U+FFFD
  return text;
}

/** A decoding position: varints and strings read forward from `pos`. */
class Cursor {
  pos = 0;
  constructor(
    readonly buf: Bytes,
    readonly len: number,
  ) {}

  /** An unsigned 32-bit varint (longer varints are read to their end and cut to 32 bits). */
  uint32(): number {
    const buf = this.buf;
    let b = buf[this.pos++];
    if ((b & 0x80) === 0) {
      if (this.pos > this.len) throw eof();
      return b;
    }
    let result = b & 0x7f;
    b = buf[this.pos++];
    result |= (b & 0x7f) << 7;
    if ((b & 0x80) === 0) return this.checked(result);
    b = buf[this.pos++];
    result |= (b & 0x7f) << 14;
    if ((b & 0x80) === 0) return this.checked(result);
    b = buf[this.pos++];
    result |= (b & 0x7f) << 21;
    if ((b & 0x80) === 0) return this.checked(result);
    b = buf[this.pos++];
    result |= (b & 0x0f) << 28;
    for (let read = 5; (b & 0x80) !== 0 && read < 10; read++) b = buf[this.pos++];
    if ((b & 0x80) !== 0) throw new Error('invalid varint');
    return this.checked(result >>> 0);
  }

  private checked(value: number): number {
    if (this.pos > this.len) throw eof();
    return value;
  }

  string(): string {
    const n = this.skipText();
    return n === 0 ? '' : utf8(this.buf, this.pos - n, this.pos);
  }

  /** A string field whose values repeat (see keptText). */
  text(): string {
    const n = this.skipText();
    return n === 0 ? '' : keptText(this.buf, this.pos - n, this.pos);
  }

  /** Moves past a length-delimited field; returns its length. */
  private skipText(): number {
    const n = this.uint32();
    if ((this.pos += n) > this.len) throw eof();
    return n;
  }

  /** Skips a field this decoder does not read, as the generated decoder does (a group's end tag is not matched to its start). */
  skip(wireType: number): void {
    const r = new BinaryReader(this.buf);
    r.pos = this.pos;
    r.skip(wireType);
    this.pos = r.pos;
  }
}

/** A map entry (key = 1, value = 2) into `map`. */
function entryInto(c: Cursor, map: Record<string, string>): void {
  const n = c.uint32();
  const end = c.pos + n;
  let key = '';
  let value = '';
  while (c.pos < end) {
    const tag = c.uint32();
    if (tag === 10) key = c.text();
    else if (tag === 18) value = c.text();
    else {
      if ((tag & 7) === 4 || tag === 0) break;
      c.skip(tag & 7);
    }
  }
  map[key] = value;
}

function row(c: Cursor): CostRow {
  const n = c.uint32();
  const end = c.pos + n;
  const r: CostRow = {
    billedDate: '',
    externalAccountId: '',
    provider: '',
    product: '',
    region: '',
    usageType: '',
    resourceId: '',
    usageQuantity: '',
    usageUnit: '',
    cost: '',
    currency: '',
    tags: {},
    additionalInfo: {},
  };
  while (c.pos < end) {
    const tag = c.uint32();
    switch (tag) {
      case 10:
        r.billedDate = c.text();
        continue;
      case 18:
        r.externalAccountId = c.text();
        continue;
      case 26:
        r.provider = c.text();
        continue;
      case 34:
        r.product = c.text();
        continue;
      case 42:
        r.region = c.text();
        continue;
      case 50:
        r.usageType = c.text();
        continue;
      case 58:
        r.resourceId = c.string();
        continue;
      case 66:
        r.usageQuantity = c.string();
        continue;
      case 74:
        r.usageUnit = c.text();
        continue;
      case 82:
        r.cost = c.string();
        continue;
      case 90:
        r.currency = c.text();
        continue;
      case 98:
        entryInto(c, r.tags);
        continue;
      case 106:
        entryInto(c, r.additionalInfo);
        continue;
    }
    if ((tag & 7) === 4 || tag === 0) break;
    c.skip(tag & 7);
  }
  return r;
}

/** One GetCostData response message (rows = 1, page = 2, report = 3). */
export function decodeCostDataPage(input: Uint8Array): CostDataPage {
  const buf = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const c = new Cursor(buf, buf.length);
  const page: CostDataPage = { rows: [], page: 0, report: undefined };
  while (c.pos < c.len) {
    const tag = c.uint32();
    if (tag === 10) {
      page.rows.push(row(c));
      continue;
    }
    if (tag === 16) {
      page.page = c.uint32();
      continue;
    }
    if (tag === 26) {
      const n = c.uint32();
      const reader = new BinaryReader(buf);
      reader.pos = c.pos;
      page.report = TaskReport.decode(reader, n);
      c.pos = reader.pos;
      continue;
    }
    if ((tag & 7) === 4 || tag === 0) break;
    c.skip(tag & 7);
  }
  return page;
}
