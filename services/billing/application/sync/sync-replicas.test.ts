import { createMemoryLogger } from '../../../../lib/log/logger';
import { serve, type RunningPlugin } from '../../../../plugins/sdk';
import { BILLING_COLLECTIONS, type JobRecord, type LeaseRecord } from '../../domain/records';
import { scriptedPlugin, type ScriptState } from './testing/scripted-plugin';
import { account, dataSource, DOMAIN, fixture, NOW, type Fixture } from './testing/sync-fixture';

const JUNE = { start: '2024-06-01', end: '2024-06-15' };
const state: ScriptState = { cancelled: 0, hanging: 0 };
let plugin: RunningPlugin;
let endpoint: string;
let f: Fixture;

beforeAll(async () => {
  plugin = await serve(scriptedPlugin(state), { name: 'scripted', logger: createMemoryLogger('scripted').logger, handleSignals: false, shutdownGraceMs: 200 });
  endpoint = `127.0.0.1:${plugin.port}`;
});
afterAll(() => plugin.shutdown());
afterEach(() => f?.close());

async function until(check: () => Promise<boolean> | boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const staleJob = (id: string, owner: string, sa: string): JobRecord => ({
  _id: id,
  domain_id: DOMAIN,
  data_source_id: 'ds-a',
  service_account_id: sa,
  state: 'IN_PROGRESS',
  trigger: 'SCHEDULE',
  start_date: '2024-06-01',
  end_date: '2024-06-15',
  tasks: [{ task_id: 't1', start_date: '2024-06-01', end_date: '2024-06-15', state: 'IN_PROGRESS', rows: 10 }],
  rows: 10,
  error_code: '',
  error_message: '',
  owner,
  cancel_requested: false,
  created_at: NOW,
  finished_at: null,
});

test('two engines on one store never sync the same account at once; the second waits for the lease, then runs', async () => {
  f = await fixture({ dataSources: [dataSource('ds-a', endpoint, { mode: 'slow', delay_ms: 30, rows_per_day: 2 })], accounts: [account('sa-1'), account('sa-2')] });
  const a = f.engine({ owner: 'replica-a' });
  const b = f.engine({ owner: 'replica-b' });
  const req = { domainId: DOMAIN, dataSourceId: 'ds-a', window: JUNE, trigger: 'MANUAL' as const };
  const [ja] = await a.requestSync({ ...req, serviceAccountIds: ['sa-1'] });
  const fromB = await b.requestSync(req);
  await Promise.all([a.waitIdle(), b.waitIdle()]);
  const jb = (await f.jobs()).find((j) => fromB.includes(j._id) && j.service_account_id === 'sa-1')!._id;

  expect(f.ledger.maxOpenPerAccount).toBe(1);
  for (const id of [ja, ...fromB]) expect(await f.job(id)).toMatchObject({ state: 'SUCCESS', rows: 30, note: '' });
  // The same account: one job's writer ended before the other's began.
  const order = f.ledger.log.filter((l) => /^(begin|commit)/.test(l) && (l.endsWith(ja) || l.endsWith(jb)));
  expect(order).toHaveLength(4);
  expect(order[0].split(' ')[1]).toBe(order[1].split(' ')[1]);
  expect(await f.store.collection<LeaseRecord>(BILLING_COLLECTIONS.leases).count({ _id: { $regex: '^sync:' } })).toBe(0);
});

test('a job interrupted by a crash is marked FAILURE on startup; a live one is left alone; the stale lease does not block the next sync', async () => {
  f = await fixture({ dataSources: [dataSource('ds-a', endpoint, { rows_per_day: 1 })], accounts: [account('sa-1'), account('sa-2')] });
  const jobs = f.store.collection<JobRecord>(BILLING_COLLECTIONS.jobs);
  const leases = f.store.collection<LeaseRecord>(BILLING_COLLECTIONS.leases);
  await jobs.insertOne(staleJob('job-crashed', 'replica-gone', 'sa-1'));
  await leases.insertOne({ _id: 'sync:ds-a:sa-1', owner: 'replica-gone', token: 'x', job_id: 'job-crashed', expires_at: new Date(Date.now() - 1_000) });
  await jobs.insertOne(staleJob('job-live', 'replica-alive', 'sa-2'));
  await leases.insertOne({ _id: 'sync:ds-a:sa-2', owner: 'replica-alive', token: 'y', job_id: 'job-live', expires_at: new Date(Date.now() + 60_000) });

  const engine = f.engine({ owner: 'replica-new' });
  engine.start();
  await engine.waitIdle();
  expect(await f.job('job-crashed')).toMatchObject({
    state: 'FAILURE',
    error_code: 'SYNC.INTERRUPTED',
    error_message: expect.stringContaining('the billing replica running this job (replica-gone) stopped before it finished'),
    tasks: [expect.objectContaining({ state: 'FAILURE' })],
  });
  expect((await f.job('job-live')).state).toBe('IN_PROGRESS');

  const [id] = await engine.requestSync({ domainId: DOMAIN, dataSourceId: 'ds-a', serviceAccountIds: ['sa-1'], window: JUNE, trigger: 'MANUAL' });
  await engine.waitIdle();
  expect(await f.job(id)).toMatchObject({ state: 'SUCCESS', rows: 15 });
});

test('a cancellation asked through another replica reaches the job through the store', async () => {
  f = await fixture({ dataSources: [dataSource('ds-a', endpoint, { mode: 'hang', rows_per_day: 1 })], accounts: [account('sa-1')] });
  const runner = f.engine({ owner: 'replica-a', leaseMs: 300 });
  const other = f.engine({ owner: 'replica-b' });
  const [id] = await runner.requestSync({ domainId: DOMAIN, dataSourceId: 'ds-a', window: JUNE, trigger: 'MANUAL' });
  await until(() => state.hanging > 0);
  await other.cancel(DOMAIN, id);
  await runner.waitIdle();
  expect(await f.job(id)).toMatchObject({ state: 'CANCELED', error_code: 'SYNC.CANCELED' });
  expect(f.ledger.stepsOf(id).at(-1)).toBe('abort');
});
