import { LEDGER_COLLECTIONS } from './ledger-collections';
import { ledgerStore, rawTotal, row, sync } from './testing/ledger-fixtures';

const month = (m: string, cost: string) => {
  const out = [];
  const days = new Date(Date.UTC(2024, Number(m) , 0)).getUTCDate();
  for (let d = 1; d <= days; d++) out.push(row(`2024-${m}-${String(d).padStart(2, '0')}`, cost));
  return out;
};

describe('ledger garbage collection', () => {
  it('deletes aborted, superseded and hidden rows and never a visible one', async () => {
    const { store, ledger } = await ledgerStore();
    await sync(ledger, { serviceAccountId: 'sa-1', windows: [{ start: '2024-05-01', end: '2024-06-30' }], rows: [...month('05', '1'), ...month('06', '1')] });
    // A second sync replaces June only: the first generation stays visible for May.
    await sync(ledger, { serviceAccountId: 'sa-1', windows: [{ start: '2024-06-01', end: '2024-06-30' }], rows: month('06', '2') });
    const aborted = await ledger.begin({ domainId: 'domain-1', dataSourceId: 'ds-1', serviceAccountId: 'sa-1', jobId: 'j', windows: [{ start: '2024-05-01', end: '2024-05-31' }] });
    await aborted.write(month('05', '3'));
    await aborted.abort();
    expect(await rawTotal(store)).toEqual({ total: '91', rows: 61 });
    const chunks = store.collection(LEDGER_COLLECTIONS.chunks);
    expect(await chunks.count({})).toBe(61 + 30 + 31);

    expect(await ledger.collectGarbage()).toBe(30 + 31);
    expect(await rawTotal(store)).toEqual({ total: '91', rows: 61 });
    expect(await chunks.count({})).toBe(61);
    expect(await ledger.collectGarbage()).toBe(0);

    // Replacing everything supersedes both generations.
    await sync(ledger, { serviceAccountId: 'sa-1', windows: [{ start: '2024-05-01', end: '2024-06-30' }], rows: [row('2024-05-05', '4')] });
    expect(await ledger.collectGarbage()).toBe(61);
    expect(await rawTotal(store)).toEqual({ total: '4', rows: 1 });
  });

  it('expires a writer that went silent, and its rows with it', async () => {
    let now = new Date('2024-06-01T00:00:00Z');
    const { store, ledger } = await ledgerStore({ now: () => now, staleWriterMs: 60_000, chunkRows: 2 });
    const writer = await ledger.begin({ domainId: 'domain-1', dataSourceId: 'ds-1', serviceAccountId: 'sa-1', jobId: 'j', windows: [{ start: '2024-05-01', end: '2024-05-31' }] });
    await writer.write([row('2024-05-01', '1'), row('2024-05-01', '1'), row('2024-05-02', '1')]);
    expect(await ledger.collectGarbage()).toBe(0);
    now = new Date('2024-06-01T00:02:00Z');
    expect(await ledger.collectGarbage()).toBe(2);
    await expect(writer.commit()).rejects.toMatchObject({ kind: 'ABORTED', reason: 'LEDGER.WRITER_EXPIRED' });
    expect(await rawTotal(store)).toEqual({ total: '0', rows: 0 });
    expect(await store.collection(LEDGER_COLLECTIONS.generations).count({})).toBe(1);
    now = new Date('2024-06-01T00:04:00Z');
    await ledger.collectGarbage();
    expect(await store.collection(LEDGER_COLLECTIONS.generations).count({})).toBe(0);
  });
});
