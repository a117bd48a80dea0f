import { createMemoryLogger } from '../../../../lib/log/logger';
import { Decimal } from '../../../../lib/money';
import type { Store } from '../../../../lib/store/port';
import { serve, type RunningPlugin } from '../../../../plugins/sdk';
import { createLedger, ensureLedgerIndexes, chunkRows, forEachVisibleChunk, readVisibility, unpackRow } from '../ledger';
import { scriptedPlugin, type ScriptState } from './testing/scripted-plugin';
import { account, dataSource, DOMAIN, fixture, type Fixture } from './testing/sync-fixture';

const JUNE = { start: '2024-06-01', end: '2024-06-15' };
const state: ScriptState = { cancelled: 0, hanging: 0 };
let plugin: RunningPlugin;
let f: Fixture;

beforeAll(async () => {
  plugin = await serve(scriptedPlugin(state), { name: 'scripted', logger: createMemoryLogger('scripted').logger, handleSignals: false, shutdownGraceMs: 200 });
});
afterAll(() => plugin.shutdown());
afterEach(() => f?.close());

/** What a reader of the ledger sees: the sum of every visible row's cost in the domain. */
async function visibleTotal(store: Store): Promise<string> {
  let sum = Decimal.ZERO;
  await forEachVisibleChunk(store, await readVisibility(store, DOMAIN), '0000-01-01', '9999-12-31', (chunk) => {
    chunkRows(chunk).forEach((row, i) => (sum = sum.add(Decimal.parse(unpackRow(chunk, row, i).cost))));
  });
  return sum.toString();
}

test('with the real ledger, a sync killed midway or failing mid-stream leaves the old totals; a good re-sync replaces them', async () => {
  const endpoint = `127.0.0.1:${plugin.port}`;
  f = await fixture({
    dataSources: [dataSource('ds-a', endpoint, { rows_per_day: 1 })],
    accounts: [account('sa-1')],
    ledger: async (store) => {
      await ensureLedgerIndexes(store);
      return createLedger(store, createMemoryLogger('ledger').logger);
    },
  });
  const setOptions = (options: Record<string, unknown>) => f.store.collection('data_sources').updateOne({ _id: 'ds-a' }, { $set: { options } });
  const sync = (engine = f.engine()) => engine.requestSync({ domainId: DOMAIN, dataSourceId: 'ds-a', window: JUNE, trigger: 'MANUAL' });

  const first = f.engine();
  const [ok] = await sync(first);
  await first.waitIdle();
  expect(await f.job(ok)).toMatchObject({ state: 'SUCCESS', rows: 15 });
  const old = await visibleTotal(f.store);
  expect(old).not.toBe('0');

  // Killed midway: rows of the new sync are written (a page of 10, twice as many per day), then billing stops.
  await setOptions({ mode: 'hang', rows_per_day: 2 });
  const doomed = f.engine();
  const [killed] = await sync(doomed);
  await until(async () => (await f.job(killed)).tasks.length > 0 && state.hanging > 0);
  expect(await visibleTotal(f.store)).toBe(old);
  await doomed.stop();
  expect(await f.job(killed)).toMatchObject({ state: 'FAILURE', error_code: 'SYNC.INTERRUPTED' });
  expect(await visibleTotal(f.store)).toBe(old);

  await setOptions({ mode: 'fail-mid-stream', rows_per_day: 2 });
  const engine = f.engine();
  const [failed] = await sync(engine);
  await engine.waitIdle();
  expect((await f.job(failed)).error_code).toBe('PLUGIN.UNAVAILABLE');
  expect(await visibleTotal(f.store)).toBe(old);

  await setOptions({ rows_per_day: 2 });
  const [good] = await sync(engine);
  await engine.waitIdle();
  expect(await f.job(good)).toMatchObject({ state: 'SUCCESS', rows: 30 });
  const replaced = await visibleTotal(f.store);
  expect(replaced).not.toBe(old);
  // The same sync again gives the same total.
  await sync(engine);
  await engine.waitIdle();
  expect(await visibleTotal(f.store)).toBe(replaced);
});

async function until(check: () => Promise<boolean>, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
