import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DailyAggregator, type AggregateSettings } from './daily-aggregator';
import { listSources, type ExportSource } from './export-sources';
import { MAX_RECORD_BYTES } from './csv-records';
import { PieceCutter } from './file-pieces';
import { readExports, type ReadOptions } from './read-exports';
import { chunkedSource, inThreadWorkers } from './testing/in-thread-channel';
import { rewriteSample } from './testing/sample';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'focus-pieces-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Everything a read gives: the daily rows, the counts, the bad rows, what was interpreted; or its error. */
async function read(location: string | ExportSource, settings: Partial<AggregateSettings>, options: ReadOptions) {
  const aggregator = new DailyAggregator({ costColumn: 'BilledCost', onBadRows: 'fail', ...settings });
  try {
    const sources = typeof location === 'string' ? await listSources({ location }) : [location];
    await readExports(sources, aggregator, new AbortController().signal, options);
  } catch (err) {
    return { error: (err as Error).message };
  }
  const { lineItems, outsideRange, bad } = aggregator;
  return { rows: [...aggregator.results()], lineItems, outsideRange, bad: { count: bad.count, first: bad.first }, interpreted: aggregator.interpreted() };
}

/** The sample, several times over, with descriptions broken over lines (so that cuts fall inside quoted fields) and edits. */
function file(name: string, edit: (r: string[], i: number, header: string[]) => string[] = (r) => r, copies = 4): string {
  const text = rewriteSample((rs) => {
    const [header, ...body] = rs;
    const d = header.indexOf('ChargeDescription');
    const rows = Array.from({ length: copies }, () => body.map((r) => [...r])).flat();
    return [header, ...rows.map((r, i) => edit(i % 3 === 0 ? r.map((v, k) => (k === d ? `${v}\n${'-'.repeat(i % 50)}\r\nend of "${i}"` : v)) : r, i, header))];
  });
  writeFileSync(join(dir, name), text);
  return join(dir, name);
}

/** Row i of file() is on line 2 + i, plus 2 for every row before it with a description over 3 lines. */
const lineOf = (i: number) => 2 + i + 2 * Math.ceil(i / 3);

const set = (column: string, value: string, every: number) => (r: string[], i: number, h: string[]) => {
  if (i % every === every - 1) r[h.indexOf(column)] = value;
  return r;
};

/**
 * Reads in one piece in this thread, in small pieces in this thread, and in small pieces over
 * (in-thread) workers answering out of turn while the file comes in small chunks.
 */
async function expectSameEverywhere(location: string, settings: Partial<AggregateSettings> = {}) {
  const whole = await read(location, settings, { workers: 0 });
  const pieces = await read(location, settings, { workers: 0, pieceBytes: 3000 });
  const workers = inThreadWorkers((n) => (n * 7) % 5);
  const name = location.split('/').pop()!;
  const spread = await read(chunkedSource(name, readFileSync(location), 1000), settings, { workers: 2, pieceBytes: 3000, channel: workers.channel });
  expect(pieces).toEqual(whole);
  expect(spread).toEqual(whole);
  return { whole, stats: workers.stats };
}

describe('reading a file in pieces, in this thread and in workers, gives what one sequential read gives', () => {
  it('rows, counts and interpretations, with records broken over lines where pieces are cut (speculation undone)', async () => {
    const { whole, stats } = await expectSameEverywhere(file('multiline.csv'));
    expect(whole).toMatchObject({ lineItems: 4000, bad: { count: 0 } });
    // Workers read many pieces, and some had to be read again after a cut inside a quoted field.
    expect(stats.pieces).toBeGreaterThan(100);
    expect(stats.drops).toBeGreaterThan(10);
  });

  it('bad rows skipped, counted and named with their real lines', async () => {
    const location = file('bad.csv', (r, i, h) => set('BilledCost', 'abc', 97)(set('ChargePeriodStart', 'yesterday', 211)(i % 500 === 499 ? r.slice(0, 9) : r, i, h), i, h));
    const { whole } = await expectSameEverywhere(location, { onBadRows: 'skip' });
    const bad = [...Array(4000).keys()].filter((i) => i % 97 === 96 || i % 211 === 210 || i % 500 === 499);
    expect(whole).toMatchObject({ lineItems: 4000 - bad.length, bad: { count: bad.length } });
    expect((whole as { bad: { first: { line: number }[] } }).bad.first.map((p) => p.line)).toEqual(bad.slice(0, 5).map(lineOf));
  });

  it('the first bad row fails the read, named with its real line', async () => {
    const { whole } = await expectSameEverywhere(file('fail.csv', set('BillingCurrency', 'ZZZ', 1500)));
    expect(whole).toEqual({ error: `fail.csv:${lineOf(1499)}:BillingCurrency: "ZZZ" is not an ISO 4217 currency code` });
  });

  it('a quote left open fails the read at the line where its record starts; so does a record too long', async () => {
    const location = join(dir, 'open.csv');
    writeFileSync(location, readFileSync(file('open-base.csv')) + '"AWS,0.1\nmore\n');
    const { whole } = await expectSameEverywhere(location);
    expect(whole).toEqual({ error: expect.stringMatching(/^open\.csv:\d+: the file ends inside a quoted field$/) });
    const long = file('long.csv', (r, i, h) => (i === 9 ? set('ChargeDescription', 'x'.repeat(MAX_RECORD_BYTES), 1)(r, 0, h) : r), 1);
    expect((await expectSameEverywhere(long)).whole).toEqual({ error: `long.csv:${lineOf(9)}: a record longer than ${MAX_RECORD_BYTES} bytes (an unterminated quote?)` });
  });

  it('gzip, and files with lone CR line breaks', async () => {
    const gz = join(dir, 'multiline.csv.gz');
    writeFileSync(gz, gzipSync(readFileSync(file('for-gzip.csv'))));
    const { whole } = await expectSameEverywhere(gz);
    expect(whole).toMatchObject({ lineItems: 4000 });
    const cr = join(dir, 'cr.csv');
    writeFileSync(cr, rewriteSample((rs) => rs).replace(/\r\n/g, '\r'));
    expect((await expectSameEverywhere(cr)).whole).toMatchObject({ lineItems: 1000 });
  });

  it('with real worker threads too: blocks of a file handed over whole, and pieces gathered from small chunks', async () => {
    const location = file('threads.csv', set('BilledCost', '1e-3', 333), 8);
    const whole = await read(location, { onBadRows: 'skip' }, { workers: 0 });
    expect(await read(location, { onBadRows: 'skip' }, { workers: 2, pieceBytes: 64 << 10 })).toEqual(whole);
    expect(await read(chunkedSource('threads.csv', readFileSync(location), 5000), { onBadRows: 'skip' }, { workers: 2, pieceBytes: 20_000 })).toEqual(whole);
    expect(whole).toMatchObject({ lineItems: 8000 - 24, bad: { count: 24 } });
  });
});

describe('PieceCutter', () => {
  const text = (b: Buffer | null) => b?.toString() ?? null;
  it('cuts after the last line break once half a piece is held, and keeps the rest', () => {
    const c = new PieceCutter(20);
    c.push(Buffer.from('a,b\nc,d\ne'));
    expect(text(c.take())).toBeNull();
    c.push(Buffer.from(',f\ng,h'));
    expect(text(c.take())).toBe('a,b\nc,d\ne,f\n');
    c.push(Buffer.from('\r'));
    expect(text(c.take())).toBeNull();
    expect(text(c.rest())).toBe('g,h\r');
  });

  it('cuts after a lone CR (never between CR and LF), and without any line break only past the longest wait', () => {
    const c = new PieceCutter(4, 8);
    c.push(Buffer.from('a\rb\rc'));
    expect(text(c.take())).toBe('a\rb\r');
    c.push(Buffer.from('xxxx\r'));
    expect(text(c.take())).toBeNull();
    c.push(Buffer.from('\nyy'));
    expect(text(c.take())).toBe('cxxxx\r\n');
    c.push(Buffer.from('zzzzz'));
    expect(text(c.take())).toBeNull();
    c.push(Buffer.from('z'));
    expect(text(c.take())).toBe('yyzzzzzz');
    expect(text(c.rest())).toBe('');
  });

  it('takes the middle of a large block alone in its memory as a piece without copying it', () => {
    const c = new PieceCutter(16);
    c.push(Buffer.from('h1\nh2'));
    const block = Buffer.allocUnsafeSlow(19);
    block.write('3\nabcdefgh\nijklm\nno');
    c.push(block);
    expect(text(c.take())).toBe('h1\nh23\n');
    const middle = c.take()!;
    expect([text(middle), middle.buffer === block.buffer]).toEqual(['abcdefgh\nijklm\n', true]);
    expect(text(c.take())).toBeNull();
    expect(text(c.rest())).toBe('no');
  });
});
