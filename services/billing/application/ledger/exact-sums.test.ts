import { Decimal } from '../../../../lib/money';
import type { CostRowInput } from '../ports';
import { decimalLimbs, LimbTotal, limbsToDecimal, parseLimbs } from './amount-limbs';
import { LEDGER_COLLECTIONS } from './ledger-collections';
import { STORED_ROLLUPS } from './rollup-families';
import { allTotals, ledgerStore, rollupTotal, row } from './testing/ledger-fixtures';

/** A deterministic shuffle (xorshift), so a failure can be replayed. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    const j = Math.abs(s) % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

describe('exact amounts', () => {
  it('splits amounts into limbs and back without loss', () => {
    for (const text of ['0', '0.0000008', '-0.0000008', '123456789012345.123456789012345678', '-999999999999999.999999999999999999', '1.5', '000.100']) {
      const limbs = parseLimbs(text);
      expect(limbs).not.toBeNull();
      const back = limbsToDecimal(limbs!.a0, limbs!.a1, limbs!.a2, limbs!.a3);
      expect(back.toString()).toBe(Decimal.parse(text).toString());
      expect(decimalLimbs(back)).toEqual(limbs);
    }
    expect(parseLimbs('1e-7')).toBeNull();
    expect(parseLimbs('0.0000000000000000001')).toBeNull();
    expect(parseLimbs('1000000000000000')).toBeNull();
  });

  it('keeps a running total exact across carries and signs', () => {
    const t = new LimbTotal();
    let exact = Decimal.ZERO;
    const values = ['999999999.999999999999999999', '-0.000000000000000001', '123.45', '-500000000000000', '0.1', '0.2'];
    for (let i = 0; i < 20_000; i++) {
      const v = values[i % values.length];
      t.addLimbs(parseLimbs(v)!);
      exact = exact.add(Decimal.parse(v));
    }
    expect(t.toDecimal().toString()).toBe(exact.toString());
  });

  it('sums a million rows of 0.0000008 to exactly 0.8 in every view', async () => {
    const { store, ledger } = await ledgerStore();
    const started = Date.now();
    const writer = await ledger.begin({ domainId: 'domain-1', dataSourceId: 'ds-1', serviceAccountId: 'sa-1', jobId: 'j', windows: [{ start: '2024-05-01', end: '2024-05-31' }] });
    const products = ['EC2', 'S3', 'RDS', 'Lambda'];
    const batch: CostRowInput[] = [];
    for (let i = 0; i < 50_000; i++) {
      batch.push(row(`2024-05-${String(1 + (i % 31)).padStart(2, '0')}`, '0.0000008', { product: products[i % 4], tags: { env: i % 2 ? 'prod' : 'dev' } }));
    }
    for (let b = 0; b < 20; b++) await writer.write(batch);
    const written = Date.now();
    await writer.commit();
    const committed = Date.now();
    for (const { family, grain } of STORED_ROLLUPS) expect(await rollupTotal(store, family, grain)).toBe('0.8');
    const [stored] = await store.collection(LEDGER_COLLECTIONS.chunks).group({}, { keys: [], accumulators: { n: { op: 'sum', field: 'n' } } });
    expect(stored.n).toBe(1_000_000);
    console.log(`1,000,000 rows: written in ${written - started} ms, committed in ${committed - written} ms, rollups checked in ${Date.now() - committed} ms`);
  }, 60_000);

  it('gives the same totals whatever the order of the rows, negative credits included', async () => {
    const rows: CostRowInput[] = [];
    for (let i = 0; i < 3000; i++) {
      const cost = ['0.1', '0.2', '0.3', '-0.6', '1234.000000000000000001', '-0.000000000000000001', '0.07'][i % 7];
      rows.push(row(`2024-05-${String(1 + (i % 28)).padStart(2, '0')}`, cost, { product: `P${i % 5}`, region: `r${i % 3}` }));
    }
    const exact = rows.reduce((t, r) => t.add(Decimal.parse(r.cost)), Decimal.ZERO).toString();
    const seen = new Set<string>();
    for (const seed of [1, 7, 42]) {
      const { store, ledger } = await ledgerStore();
      const writer = await ledger.begin({ domainId: 'domain-1', dataSourceId: 'ds-1', serviceAccountId: 'sa-1', jobId: 'j', windows: [{ start: '2024-05-01', end: '2024-05-31' }] });
      const order = shuffled(rows, seed);
      for (let i = 0; i < order.length; i += 333) await writer.write(order.slice(i, i + 333));
      await writer.commit();
      for (const t of await allTotals(store)) seen.add(t);
    }
    expect([...seen]).toEqual([exact]);
    // 428 cycles of 1234.07, then 0.1 + 0.2 + 0.3 - 0.6.
    expect(exact).toBe('528181.96');
  });
});
