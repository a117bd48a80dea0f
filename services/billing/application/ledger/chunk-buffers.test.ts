import type { CostRowInput } from '../ports';
import { ChunkBuffers, type ChunkText } from './chunk-buffers';
import { compactRows, rowChars, type Slotted } from './chunk-layout';
import type { StoredRow } from './ledger-collections';

/** Adds rows as the writer does: one group (Slotted) per dims and per tag, kept across writes. */
function adder(buffers: ChunkBuffers) {
  const groups = new Map<string, Slotted>();
  const group = (key: string) => {
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { segment: 0, slot: 0 }));
    return g;
  };
  return (date: string, write: number, row: StoredRow): boolean => {
    const [provider, product, region, usageType, resourceId, usageQuantity, usageUnit, cost, currency, tags, info] = row;
    const input: CostRowInput = {
      billed_date: date,
      provider,
      product,
      region,
      usage_type: usageType,
      resource_id: resourceId,
      usage_quantity: usageQuantity,
      usage_unit: usageUnit,
      cost,
      currency,
      tags: {},
      additional_info: {},
    };
    const segment = buffers.segment(date, write, rowChars(input, tags, info));
    const dim = segment.dim(group(`${date}|${provider}|${product}|${region}|${usageType}|${currency}`), provider, product, region, usageType, currency);
    segment.startRow(dim, resourceId, usageQuantity, usageUnit, cost, tags.length / 2);
    for (let j = 0; j < tags.length; j += 2) segment.rowTag(group(`${date}|tag|${tags[j]}|${tags[j + 1]}`), tags[j], tags[j + 1]);
    segment.endRow(info);
    return buffers.added();
  };
}

const stored = (i: number, pad = ''): StoredRow => [
  'aws',
  ['EC2', 'S3'][i % 2],
  ['us-east-1', 'eu-west-1', 'ap-south-1'][i % 3],
  'BoxUsage',
  `i-${i}${pad}`,
  `${i}`,
  'Hrs',
  `${i}.5`,
  i % 5 === 0 ? 'EUR' : 'USD',
  i % 4 === 0 ? [] : ['env', ['prod', 'dev'][i % 2], 'team', `t${i % 3}`],
  i % 3 === 0 ? ['note', `n${i}`] : [],
];
const rowsOf = (chunks: ChunkText[]): StoredRow[] =>
  chunks.flatMap((c) => {
    const rows = compactRows(c.json);
    expect(rows).toHaveLength(c.n);
    return rows;
  });

describe('chunk buffers', () => {
  it('gives back every row of a date, in order, whatever the writes it came in', () => {
    const buffers = new ChunkBuffers(1000);
    const add = adder(buffers);
    const added: StoredRow[] = [];
    let i = 0;
    for (let write = 1; write <= 4; write++) {
      for (let k = 0; k < 9; k++) {
        const row = stored(i++);
        added.push(row);
        expect(add('2024-05-01', write, row)).toBe(false);
        add('2024-05-02', write, stored(k));
      }
      buffers.seal();
    }
    const chunks = buffers.take('2024-05-01');
    expect(chunks).toHaveLength(1);
    expect(rowsOf(chunks)).toEqual(added);
    expect(buffers.dates()).toEqual(['2024-05-02']);
    expect(buffers.take('2024-05-01')).toEqual([]);
  });

  it('writes the texts rows share once per segment', () => {
    const buffers = new ChunkBuffers(1000);
    const add = adder(buffers);
    for (let i = 0; i < 60; i++) add('2024-05-01', 1, stored(i));
    const [chunk] = buffers.take('2024-05-01');
    const [[dims, tags]] = JSON.parse(chunk.json) as [string[], string[], unknown[]][];
    // 2 products x 3 regions x 2 currencies, each combination met, and the tag values met.
    expect(dims).toHaveLength(5 * 12);
    expect(tags).toHaveLength(2 * 5);
    expect(chunk.json.split('BoxUsage')).toHaveLength(13);
  });

  it('says when a date holds chunkRows rows', () => {
    const buffers = new ChunkBuffers(3);
    const add = adder(buffers);
    expect([1, 2, 3].map((i) => add('2024-05-01', 1, stored(i)))).toEqual([false, false, true]);
    expect(rowsOf(buffers.take('2024-05-01'))).toHaveLength(3);
    expect(buffers.size).toBe(0);
  });

  it('names the dates a later write added nothing to', () => {
    const buffers = new ChunkBuffers(100);
    const add = adder(buffers);
    add('2024-05-01', 1, stored(1));
    add('2024-05-02', 1, stored(2));
    add('2024-05-02', 2, stored(3));
    add('2024-05-03', 2, stored(4));
    expect(buffers.datesBefore(2)).toEqual(['2024-05-01']);
    expect(buffers.dates()).toEqual(['2024-05-01', '2024-05-02', '2024-05-03']);
  });

  it('keeps chunks under the size limit, a row too large for it alone in its chunk', () => {
    const maxChars = 6000;
    const buffers = new ChunkBuffers(10_000, maxChars);
    const add = adder(buffers);
    const added: StoredRow[] = [];
    let i = 0;
    for (let write = 1; write <= 6; write++) {
      for (let k = 0; k < 7; k++) {
        const row = stored(i++, write === 4 && k === 3 ? '\u0001'.repeat(1500) : '');
        added.push(row);
        add('2024-05-01', write, row);
      }
      add('2024-05-02', write, stored(write));
      buffers.seal();
    }
    const chunks = buffers.take('2024-05-01');
    expect(chunks.length).toBeGreaterThan(2);
    const large = chunks.filter((c) => c.json.length > maxChars);
    expect(large).toEqual([expect.objectContaining({ n: 1 })]);
    expect(rowsOf(chunks)).toEqual(added);
  });
});
