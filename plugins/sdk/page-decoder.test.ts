import { BinaryWriter } from '@bufbuild/protobuf/wire';
import { DataSourcePluginServiceGetCostDataResponse as Page, type CostRow } from '../../gen/tally/plugin/billing/v1/plugin';
import { decodeCostDataPage, slotOf } from './page-decoder';
import { seededRandom } from '../../test/support/seeded-random';


const PIECES = ['a', 'Z', '0', '.', '-', ' ', 'é', '日本', '\u{1F600}', '\uFEFF', '\u0000', 'AmazonEC2', 'us-east-1', '12.5'];

function text(r: () => number): string {
  const roll = r();
  if (roll < 0.15) return '';
  const n = roll < 0.9 ? 1 + Math.floor(r() * 6) : 20 + Math.floor(r() * 60); // some past the ASCII fast path's length
  let s = '';
  for (let i = 0; i < n; i++) s += PIECES[Math.floor(r() * PIECES.length)];
  return s;
}

function map(r: () => number): Record<string, string> {
  const m: Record<string, string> = {};
  const n = Math.floor(r() * 4);
  for (let i = 0; i < n; i++) m[text(r)] = text(r);
  return m;
}

function randomRow(r: () => number): CostRow {
  return {
    billedDate: text(r),
    externalAccountId: text(r),
    provider: text(r),
    product: text(r),
    region: text(r),
    usageType: text(r),
    resourceId: text(r),
    usageQuantity: text(r),
    usageUnit: text(r),
    cost: text(r),
    currency: text(r),
    tags: map(r),
    additionalInfo: map(r),
  };
}

/** A page as the wire has it, with unknown fields (every wire type) and repeated scalars mixed in at times. */
function randomPage(r: () => number): Uint8Array {
  const rows = Array.from({ length: Math.floor(r() * 5) }, () => randomRow(r));
  const report = r() < 0.3 ? { skippedRecords: String(Math.floor(r() * 1e6)), notes: [text(r), text(r)] } : undefined;
  const w = Page.encode({ rows, page: Math.floor(r() * 2 ** 32), report });
  if (r() < 0.3) w.uint32((20 << 3) | 0).uint64(BigInt(Math.floor(r() * 2 ** 50)));
  if (r() < 0.3) w.uint32((21 << 3) | 1).fixed64(7n);
  if (r() < 0.3) w.uint32((22 << 3) | 2).string(text(r));
  if (r() < 0.3) w.uint32((23 << 3) | 5).fixed32(9);
  if (r() < 0.2) w.uint32((2 << 3) | 0).uint32(Math.floor(r() * 1000)); // page again: the last one wins
  if (r() < 0.2) w.uint32((1 << 3) | 2).bytes(rowWithUnknownFields(r));
  return w.finish();
}

function rowWithUnknownFields(r: () => number): Uint8Array {
  const w = new BinaryWriter();
  w.uint32((4 << 3) | 2).string(text(r));
  w.uint32((30 << 3) | 0).uint32(5); // unknown varint
  w.uint32((4 << 3) | 0).uint32(1); // a known field with the wrong wire type: skipped
  w.uint32((12 << 3) | 2).fork().uint32((1 << 3) | 2).string('k').uint32((9 << 3) | 0).uint32(3).join(); // a map entry with an unknown field, no value
  w.uint32((10 << 3) | 2).string('1.5');
  w.uint32((10 << 3) | 2).string('2.5'); // cost again: the last one wins
  return w.finish();
}

/** What the generated decoder answers, or the error it throws. */
function outcome(decode: (b: Uint8Array) => unknown, bytes: Uint8Array): { value?: unknown; error?: string } {
  try {
    return { value: decode(bytes) };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

describe('decodeCostDataPage', () => {
  it('gives exactly what the generated decoder gives on random pages (text in any script, empty and long strings, maps, reports, unknown fields)', () => {
    const r = seededRandom(20261125);
    for (let i = 0; i < 2000; i++) {
      const bytes = randomPage(r);
      const ours = decodeCostDataPage(Buffer.from(bytes));
      expect(ours).toEqual(Page.decode(bytes));
    }
  });

  it('agrees with the generated decoder on damaged input: truncated anywhere, bytes flipped (the same value, or both throw)', () => {
    const r = seededRandom(7);
    let threw = 0;
    for (let i = 0; i < 3000; i++) {
      const whole = randomPage(r);
      const bytes = Buffer.from(whole);
      if (r() < 0.5) {
        const cut = bytes.subarray(0, Math.floor(r() * bytes.length));
        const a = outcome(decodeCostDataPage, cut);
        const b = outcome((x) => Page.decode(x), Uint8Array.from(cut));
        expect(a.error === undefined).toBe(b.error === undefined);
        if (a.error === undefined) expect(a.value).toEqual(b.value);
        else threw++;
      } else {
        for (let k = 0; k < 3 && bytes.length > 0; k++) bytes[Math.floor(r() * bytes.length)] = Math.floor(r() * 256);
        const a = outcome(decodeCostDataPage, bytes);
        const b = outcome((x) => Page.decode(x), Uint8Array.from(bytes));
        expect(a.error === undefined).toBe(b.error === undefined);
        if (a.error === undefined) expect(a.value).toEqual(b.value);
        else threw++;
      }
    }
    // The damage did reach the error paths, many times.
    expect(threw).toBeGreaterThan(300);
  });

  it('never hands out a kept text for other bytes: non-ASCII text is not kept, even where its bytes share a slot', () => {
    // Pairs that share a slot of the table: a 2-character text of U+0080..U+00FF (4 bytes of
    // UTF-8), and the 2 bytes of its char codes alone (not UTF-8). Were the first kept, the
    // second would be answered with it.
    const page = (bytes: Uint8Array) => new BinaryWriter().uint32(10).fork().uint32(34).bytes(bytes).join().finish();
    const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
    let pairs = 0;
    for (let a = 0x80; a < 0x100; a++)
      for (let b = 0x80; b < 0x100; b++) {
        const text = String.fromCharCode(a, b);
        const utf8 = Buffer.from(text);
        const raw = Uint8Array.from([a, b]);
        if (slotOf(utf8, 0, utf8.length) !== slotOf(raw, 0, raw.length)) continue;
        pairs++;
        expect(decodeCostDataPage(page(utf8)).rows[0].product).toBe(text);
        expect(decodeCostDataPage(page(raw)).rows[0].product).toBe(decoder.decode(raw));
      }
    expect(pairs).toBeGreaterThan(0);
  });

  it('throws "premature EOF" on a string that runs past the end, like the generated decoder', () => {
    const bytes = Page.encode({ rows: [{ ...randomRow(seededRandom(1)), product: 'AmazonEC2' }], page: 1, report: undefined }).finish();
    const cut = bytes.subarray(0, bytes.length - 1);
    expect(() => decodeCostDataPage(cut)).toThrow('premature EOF');
    expect(() => Page.decode(cut)).toThrow('premature EOF');
  });

  it('reads a plain Uint8Array as well as a Buffer, and keeps a leading U+FEFF and U+FFFD for invalid UTF-8', () => {
    const w = new BinaryWriter();
    w.uint32(10).fork().uint32(34).bytes(Uint8Array.from([0xef, 0xbb, 0xbf, 0x41])).uint32(42).bytes(Uint8Array.from([0x41, 0xff, 0x42])).join();
    const bytes = w.finish();
    const page = decodeCostDataPage(new Uint8Array(bytes));
    expect(page.rows[0].product).toBe('\uFEFFA');
    expect(page.rows[0].region).toBe('A\uFFFDB');
    expect(page).toEqual(Page.decode(bytes));
  });
});
