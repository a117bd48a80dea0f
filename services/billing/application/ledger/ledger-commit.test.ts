import { isDomainError } from '../../../../lib/errors/domain-error';
import { allTotals, ledgerStore, rawTotal, rollupTotal, row, sync } from './testing/ledger-fixtures';

const may = { start: '2024-05-01', end: '2024-05-31' };
const target = (windows = [may], serviceAccountId = 'sa-1') => ({ domainId: 'domain-1', dataSourceId: 'ds-1', serviceAccountId, jobId: 'job-1', windows });

async function rejection(p: Promise<unknown>): Promise<{ kind: string; field?: string; message: string }> {
  try {
    await p;
  } catch (err) {
    if (isDomainError(err)) return { kind: err.kind, field: err.field, message: err.message };
    throw err;
  }
  throw new Error('expected a rejection');
}

describe('ledger commit', () => {
  it('keeps a write invisible until commit, then shows all of it in every view at once', async () => {
    const { store, ledger } = await ledgerStore();
    const writer = await ledger.begin(target());
    await writer.write([row('2024-05-01', '10.5'), row('2024-05-31', '0.25', { product: 'S3' })]);
    expect(await allTotals(store)).toEqual(Array(6).fill('0'));
    await expect(writer.commit()).resolves.toEqual({ rows: 2 });
    expect(await allTotals(store)).toEqual(Array(6).fill('10.75'));
  });

  it('leaves the old data intact when a writer aborts, fails a batch, or is never committed', async () => {
    const { store, ledger } = await ledgerStore();
    await sync(ledger, { serviceAccountId: 'sa-1', windows: [may], rows: [row('2024-05-02', '7')] });

    const aborted = await ledger.begin(target());
    await aborted.write([row('2024-05-02', '100'), row('2024-05-03', '5')]);
    await aborted.abort();
    expect(await allTotals(store)).toEqual(Array(6).fill('7'));
    expect((await rejection(aborted.commit())).kind).toBe('FAILED_PRECONDITION');

    const broken = await ledger.begin(target());
    await broken.write([row('2024-05-02', '1')]);
    await expect(broken.write([row('2024-05-02', '1'), row('2024-06-01', '2')])).rejects.toThrow(/outside/);
    await broken.abort();

    const forgotten = await ledger.begin(target());
    await forgotten.write([row('2024-05-04', '9')]);
    expect(await allTotals(store)).toEqual(Array(6).fill('7'));
    expect(await rawTotal(store)).toEqual({ total: '7', rows: 1 });
  });

  it('rejects rows outside every window of the target, naming the row and the date', async () => {
    const { ledger } = await ledgerStore();
    const writer = await ledger.begin(target([may, { start: '2024-07-01', end: '2024-07-31' }]));
    const err = await rejection(writer.write([row('2024-05-01', '1'), row('2024-06-15', '1')]));
    expect(err).toMatchObject({ kind: 'INVALID_ARGUMENT', field: 'rows[1].billed_date' });
    expect(err.message).toContain('2024-06-15');
    expect((await rejection(writer.write([row('2024-02-30', '1')]))).field).toBe('rows[0].billed_date');
    expect((await rejection(writer.write([row('2024-05-01', '1e3')]))).field).toBe('rows[0].cost');
    expect((await rejection(writer.write([row('2024-05-01', '1', { currency: 'usd' })]))).field).toBe('rows[0].currency');
    expect((await rejection(writer.write([row('2024-05-01', '1000000000000000')]))).field).toBe('rows[0].cost');
    // Nothing of a rejected batch was kept; the writer still works.
    await writer.write([row('2024-07-31', '2')]);
    await expect(writer.commit()).resolves.toEqual({ rows: 1 });
  });

  it('checks the target when a write begins', async () => {
    const { ledger } = await ledgerStore();
    expect((await rejection(ledger.begin(target([])))).field).toBe('windows');
    expect((await rejection(ledger.begin(target([{ start: '2024-05-02', end: '2024-05-01' }])))).field).toBe('windows[0].end');
    expect((await rejection(ledger.begin({ ...target(), serviceAccountId: '' }))).field).toBe('serviceAccountId');
  });

  it('replaces only the window: the rest of the old data stays, month rollups are rebuilt', async () => {
    const { store, ledger } = await ledgerStore();
    const q1 = { start: '2024-01-01', end: '2024-03-31' };
    const daily = (start: string, end: string, cost: string) => {
      const out = [];
      for (let d = Date.parse(`${start}T00:00:00Z`); d <= Date.parse(`${end}T00:00:00Z`); d += 86_400_000) out.push(row(new Date(d).toISOString().slice(0, 10), cost));
      return out;
    };
    await sync(ledger, { serviceAccountId: 'sa-1', windows: [q1], rows: daily('2024-01-01', '2024-03-31', '1') });
    expect(await allTotals(store)).toEqual(Array(6).fill('91'));
    // The new data covers Feb 10..Apr 10 at 2 a day; Feb 20 has no row any more.
    const replacement = daily('2024-02-10', '2024-04-10', '2').filter((r) => r.billed_date !== '2024-02-20');
    await sync(ledger, { serviceAccountId: 'sa-1', windows: [{ start: '2024-02-10', end: '2024-04-10' }], rows: replacement });
    // Jan 31 + Feb 1..9 at 1, Feb 10..Apr 10 (61 days, one missing) at 2.
    expect(await allTotals(store)).toEqual(Array(6).fill(String(40 + 60 * 2)));
    expect(await rollupTotal(store, 'provider', 'month', 'domain-1', { month: '2024-02' })).toBe(String(9 + 19 * 2));
    expect(await rollupTotal(store, 'fine', 'month', 'domain-1', { month: '2024-03' })).toBe('62');
    // fine has no day grain: its partial months come from the writer and the rows still shown.
    expect(await rollupTotal(store, 'fine', 'month', 'domain-1', { month: '2024-02' })).toBe(String(9 + 19 * 2));
    expect(await rollupTotal(store, 'fine', 'month', 'domain-1', { month: '2024-01' })).toBe('31');
    expect(await rollupTotal(store, 'product', 'month', 'domain-1', { month: '2024-04' })).toBe('20');
  });

  it('gives identical totals when the same sync runs twice', async () => {
    const { store, ledger } = await ledgerStore();
    const rows = [row('2024-05-01', '0.1'), row('2024-05-01', '0.2', { tags: { env: 'prod' } }), row('2024-05-20', '-0.05')];
    await sync(ledger, { serviceAccountId: 'sa-1', windows: [may], rows });
    const first = [...(await allTotals(store)), await rollupTotal(store, 'tag', 'month')];
    await sync(ledger, { serviceAccountId: 'sa-1', windows: [may], rows });
    expect([...(await allTotals(store)), await rollupTotal(store, 'tag', 'month')]).toEqual(first);
    expect(first[0]).toBe('0.25');
    expect(await ledger.collectGarbage()).toBe(3);
    expect(await rawTotal(store)).toEqual({ total: '0.25', rows: 3 });
  });

  it('refuses a second commit and writes after commit', async () => {
    const { ledger } = await ledgerStore();
    const writer = await ledger.begin(target());
    await writer.write([row('2024-05-01', '1')]);
    await writer.commit();
    expect((await rejection(writer.commit())).kind).toBe('FAILED_PRECONDITION');
    expect((await rejection(writer.write([row('2024-05-01', '1')]))).kind).toBe('FAILED_PRECONDITION');
    await writer.abort(); // a no-op after commit
  });
});
