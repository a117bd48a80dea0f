import { DataSourcePluginServiceGetCostDataResponse as Page } from '../../gen/tally/plugin/billing/v1/plugin';
import { DomainError } from '../../lib/errors/domain-error';
import { encodePages } from './page-encoder';
import type { CostRowInput, CostRowSource } from './types';

const row = (n: number, extra: Partial<CostRowInput> = {}): CostRowInput => ({
  billedDate: '2024-01-01',
  externalAccountId: 'acct',
  provider: 'demo',
  product: `p${n}`,
  usageQuantity: '1',
  cost: '0.1',
  currency: 'USD',
  ...extra,
});

const limits = (pageSize: number, maxPageBytes = 4 * 1024 * 1024, signal = new AbortController().signal) => ({ pageSize, maxPageBytes, signal });

async function decodeAll(source: CostRowSource, l: ReturnType<typeof limits>): Promise<{ bytes: number[]; pages: Page[] }> {
  const bytes: number[] = [];
  const pages: Page[] = [];
  for await (const buf of encodePages(source, l)) {
    bytes.push(buf.length);
    pages.push(Page.decode(buf));
  }
  return { bytes, pages };
}

describe('encodePages', () => {
  it('re-chunks rows and arrays of any size into full pages, numbered from 1, encoded as the protocol says', async () => {
    const source = [row(0), [row(1), row(2), row(3), row(4), row(5), row(6), row(7)], row(8), [], [row(9), row(10)]];
    const { pages } = await decodeAll(source, limits(4));
    expect(pages.map((p) => [p.page, p.rows.map((r) => r.product)])).toEqual([
      [1, ['p0', 'p1', 'p2', 'p3']],
      [2, ['p4', 'p5', 'p6', 'p7']],
      [3, ['p8', 'p9', 'p10']],
    ]);
    expect(pages[0].rows[0]).toEqual({ ...row(0), region: '', usageType: '', resourceId: '', usageUnit: '', tags: {}, additionalInfo: {} });
  });

  it('takes async sources the same way', async () => {
    async function* source() {
      for (let i = 0; i < 5; i++) yield i % 2 ? [row(i)] : row(i);
    }
    const { pages } = await decodeAll(source(), limits(2));
    expect(pages.map((p) => p.rows.length)).toEqual([2, 2, 1]);
  });

  it('cuts pages by encoded size so none exceeds the message limit', async () => {
    const tags = { blob: 'y'.repeat(900) };
    const { bytes, pages } = await decodeAll([Array.from({ length: 100 }, (_, i) => row(i, { tags }))], limits(10_000, 10_000));
    expect(Math.max(...bytes)).toBeLessThanOrEqual(10_000);
    expect(Math.max(...bytes)).toBeGreaterThan(9_000);
    expect(pages.flatMap((p) => p.rows).map((r) => r.product)).toEqual(Array.from({ length: 100 }, (_, i) => `p${i}`));
    expect(pages.map((p) => p.page)).toEqual(pages.map((_, i) => i + 1));
  });

  it('refuses a single row larger than the message limit with RESOURCE_EXHAUSTED', async () => {
    const err = await decodeAll([row(1, { tags: { blob: 'z'.repeat(5000) } })], limits(10, 4096)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect(err).toMatchObject({ kind: 'RESOURCE_EXHAUSTED', reason: 'PLUGIN.ROW_TOO_LARGE' });
  });

  it('stops pulling when the signal aborts and closes the source', async () => {
    const abort = new AbortController();
    let pulled = 0;
    let closed = false;
    function* endless() {
      try {
        for (;;) {
          pulled++;
          yield row(pulled);
        }
      } finally {
        closed = true;
      }
    }
    const pages = encodePages(endless(), limits(10, 1 << 20, abort.signal));
    expect((await pages.next()).done).toBe(false);
    abort.abort();
    expect((await pages.next()).done).toBe(true);
    expect(pulled).toBe(10);
    expect(closed).toBe(true);
  });

  it('does not wait for a source stuck mid-await once the signal aborts', async () => {
    const abort = new AbortController();
    let returned = false;
    const stuck: AsyncIterable<CostRowInput> = {
      [Symbol.asyncIterator]: () => ({
        next: () => new Promise<IteratorResult<CostRowInput>>(() => undefined),
        return: async () => {
          returned = true;
          return { done: true, value: undefined };
        },
      }),
    };
    const pending = encodePages(stuck, limits(10, 1 << 20, abort.signal)).next();
    setTimeout(() => abort.abort(), 10);
    expect((await pending).done).toBe(true);
    expect(returned).toBe(true);
  });
});
