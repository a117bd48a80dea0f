import { createServer, type AddressInfo } from 'node:net';
import { DomainError } from '../../../../lib/errors/domain-error';
import { serve, type RunningPlugin } from '../../../../plugins/sdk';
import { createMemoryLogger } from '../../../../lib/log/logger';
import { BILLING_COLLECTIONS, type AccountRecord, type DataSourceRecord } from '../../domain/records';
import { CANARY } from './testing/fake-identity';
import type { PluginPort } from './plugin-port';
import { scriptedPlugin, type ScriptMode, type ScriptState } from './testing/scripted-plugin';
import { account, dataSource, DOMAIN, fixture, type Fixture } from './testing/sync-fixture';

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

const ds = (id: string, mode: ScriptMode, extra: Record<string, unknown> = {}) => dataSource(id, endpoint, { mode, rows_per_day: 1, ...extra });

async function until(check: () => Promise<boolean> | boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function rejection(p: Promise<unknown>): Promise<DomainError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof DomainError)) throw new Error(`expected a DomainError, got ${String(err)}`);
  return err;
}

test('a first sync pulls 12 months into the ledger, records tasks and rows, and a re-sync pulls the recent window to the same totals', async () => {
  f = await fixture({ dataSources: [ds('ds-a', 'ok')], accounts: [account('sa-1')] });
  const engine = f.engine();
  await engine.accountChanged(DOMAIN, 'sa-1');
  await engine.waitIdle();

  const [first] = await f.jobs();
  expect(first).toMatchObject({ state: 'SUCCESS', trigger: 'FIRST_SYNC', start_date: '2023-06-01', end_date: '2024-06-15', rows: 381, error_code: '' });
  expect(first.tasks).toHaveLength(13);
  expect(first.tasks.every((t) => t.state === 'SUCCESS')).toBe(true);
  expect(first.tasks[0]).toMatchObject({ start_date: '2023-06-01', end_date: '2023-06-30', rows: 30 });
  expect(first.tasks[12]).toMatchObject({ start_date: '2024-06-01', end_date: '2024-06-15', rows: 15 });
  expect(f.ledger.targets[0]).toEqual({
    domainId: DOMAIN,
    dataSourceId: 'ds-a',
    serviceAccountId: 'sa-1',
    jobId: first._id,
    windows: [{ start: '2023-06-01', end: '2024-06-15' }],
  });
  expect(f.ledger.stepsOf(first._id).at(-1)).toBe('commit');
  expect(f.ledger.rows).toHaveLength(381);
  expect(f.ledger.gcCalls).toBe(1);
  expect(f.identity.fetched).toEqual(['secret-sa-1']);
  const acc = await f.store.collection<AccountRecord>(BILLING_COLLECTIONS.accounts).findOne({ _id: 'sa-1' });
  expect(acc?.synced['ds-a']).toBe('2024-06-15T12:00:00.000Z');
  const src = await f.store.collection<DataSourceRecord>(BILLING_COLLECTIONS.dataSources).findOne({ _id: 'ds-a' });
  expect(src?.last_synced_at).toEqual(new Date('2024-06-15T12:00:00Z'));
  const total = f.ledger.total('sa-1');

  await engine.accountChanged(DOMAIN, 'sa-1');
  await engine.waitIdle();
  const second = (await f.jobs())[1];
  expect(second).toMatchObject({ state: 'SUCCESS', trigger: 'ACCOUNT_CHANGED', start_date: '2024-06-01', end_date: '2024-06-15', rows: 15 });
  expect(f.ledger.total('sa-1')).toBe(total);
  expect(f.ledger.rows).toHaveLength(381);
});

test('a plugin failing mid-stream fails the job with a readable message, aborts the writer and keeps the old data', async () => {
  f = await fixture({ dataSources: [ds('ds-a', 'ok')], accounts: [account('sa-1')] });
  const engine = f.engine();
  await engine.requestSync({ domainId: DOMAIN, dataSourceId: 'ds-a', window: JUNE, trigger: 'MANUAL' });
  await engine.waitIdle();
  const before = f.ledger.total('sa-1');
  expect(before).not.toBe('');

  await f.store.collection(BILLING_COLLECTIONS.dataSources).updateOne({ _id: 'ds-a' }, { $set: { options: { mode: 'fail-mid-stream', rows_per_day: 2 } } });
  const [id] = await engine.requestSync({ domainId: DOMAIN, dataSourceId: 'ds-a', window: JUNE, trigger: 'MANUAL' });
  await engine.waitIdle();
  const job = await f.job(id);
  expect(job).toMatchObject({ state: 'FAILURE', error_code: 'PLUGIN.UNAVAILABLE' });
  expect(job.error_message).toMatch(/^the cost backend could not be reached through the plugin at 127\.0\.0\.1:\d+;.*the backend dropped the connection/);
  expect(job.error_message).not.toMatch(/\bat .*\.ts:\d+/); // no stack
  expect(job.tasks[0].state).toBe('FAILURE');
  expect(f.ledger.stepsOf(id)).toEqual(['begin', 'write', 'write', 'abort']);
  expect(f.ledger.total('sa-1')).toBe(before);
});

/** A loopback endpoint nothing listens on. */
async function closedEndpoint(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const { port } = probe.address() as AddressInfo;
  await new Promise((r) => probe.close(r));
  return `127.0.0.1:${port}`;
}

test("a plugin nobody answers at fails the job with the endpoint, the reason and what to check, without grpc-js's filler", async () => {
  const nowhere = await closedEndpoint();
  f = await fixture({ dataSources: [dataSource('ds-gone', nowhere, {})], accounts: [account('sa-1')] });
  const engine = f.engine();
  const [id] = await engine.requestSync({ domainId: DOMAIN, dataSourceId: 'ds-gone', window: JUNE, trigger: 'MANUAL' });
  await engine.waitIdle();
  const job = await f.job(id);
  expect(job).toMatchObject({ state: 'FAILURE', error_code: 'PLUGIN.UNAVAILABLE' });
  expect(job.error_message).toBe(
    `could not connect to the data source's plugin at ${nowhere} (connect ECONNREFUSED ${nowhere}); ` +
      "check the data source's plugin endpoint and that the plugin is running there, the next sync will try again",
  );
  expect(f.lines.join('\n')).not.toMatch(/Resolution note|No connection established/);
});

test('a malformed row fails the job naming the row and the field', async () => {
  f = await fixture({ dataSources: [ds('ds-a', 'malformed')], accounts: [account('sa-1')] });
  const engine = f.engine();
  const [id] = await engine.requestSync({ domainId: DOMAIN, dataSourceId: 'ds-a', window: JUNE, trigger: 'MANUAL' });
  await engine.waitIdle();
  const job = await f.job(id);
  expect(job).toMatchObject({ state: 'FAILURE', error_code: 'PLUGIN.MALFORMED_ROW', rows: 0 });
  expect(job.error_message).toMatch(/^row 3 of task "ext-sa-1:2024-06-01\.\.2024-06-15": cost "1e-7" uses exponent notation/);
  expect(f.ledger.stepsOf(id)).toEqual(['begin', 'abort']);
});

test("the plugin's task reports land in the job: skipped records per task and in all, with their notes", async () => {
  f = await fixture({ dataSources: [ds('ds-a', 'report')], accounts: [account('sa-1')] });
  const engine = f.engine();
  const [id] = await engine.requestSync({ domainId: DOMAIN, dataSourceId: 'ds-a', window: JUNE, trigger: 'MANUAL' });
  await engine.waitIdle();
  const job = await f.job(id);
  expect(job).toMatchObject({ state: 'SUCCESS', rows: 15, skipped_records: 2 * job.tasks.length });
  expect(job.tasks[0]).toMatchObject({ state: 'SUCCESS', rows: 15, skipped_records: 2, notes: [expect.stringMatching(/^export\.csv:5:2: BilledCost "12,5" is not a decimal/)] });
  expect(f.lines.join('\n')).toMatch(/the plugin skipped unreadable source records/);
});

test('a report before the last page fails the job as malformed plugin data, and the old data stays', async () => {
  f = await fixture({ dataSources: [ds('ds-a', 'ok')], accounts: [account('sa-1')] });
  const early: PluginPort = {
    ...f.plugins,
    async *getCostData(endpointOf, call, signal) {
      yield { rows: [], report: { skippedRecords: '1', notes: [] } };
      yield* f.plugins.getCostData(endpointOf, call, signal);
    },
  };
  const engine = f.engine({ plugins: early });
  const [id] = await engine.requestSync({ domainId: DOMAIN, dataSourceId: 'ds-a', window: JUNE, trigger: 'MANUAL' });
  await engine.waitIdle();
  const job = await f.job(id);
  expect(job).toMatchObject({ state: 'FAILURE', error_code: 'PLUGIN.MALFORMED_REPORT' });
  expect(job.error_message).toMatch(/sent pages after its report in task "ext-sa-1:2024-06-01\.\.2024-06-15"; the report must come last/);
  expect(f.ledger.stepsOf(id)).toEqual(['begin', 'abort']);
});

test('cancel ends a hanging job CANCELED promptly, cancels the plugin stream and aborts the writer', async () => {
  f = await fixture({ dataSources: [ds('ds-a', 'hang')], accounts: [account('sa-1')] });
  const engine = f.engine();
  const cancelledBefore = state.cancelled;
  const [id] = await engine.requestSync({ domainId: DOMAIN, dataSourceId: 'ds-a', window: JUNE, trigger: 'MANUAL' });
  await until(() => state.hanging > 0 && f.ledger.stepsOf(id).includes('write'));

  expect((await rejection(engine.cancel('domain-other', id))).kind).toBe('NOT_FOUND');
  const t0 = Date.now();
  await engine.cancel(DOMAIN, id);
  await engine.waitIdle();
  expect(Date.now() - t0).toBeLessThan(1_000);
  const job = await f.job(id);
  expect(job).toMatchObject({ state: 'CANCELED', error_code: 'SYNC.CANCELED', cancel_requested: true });
  expect(job.tasks[0].state).toBe('CANCELED');
  expect(f.ledger.stepsOf(id)).toEqual(['begin', 'write', 'abort']);
  await until(() => state.cancelled === cancelledBefore + 1);

  const again = await rejection(engine.cancel(DOMAIN, id));
  expect(again).toMatchObject({ kind: 'FAILED_PRECONDITION', reason: 'JOB.ALREADY_FINISHED' });
});

test('rejected credentials fail the job PLUGIN.UNAUTHENTICATED before anything is written', async () => {
  f = await fixture({ dataSources: [ds('ds-a', 'ok')], accounts: [account('sa-1')] });
  f.identity.secrets.set('secret-sa-1', { api_key: 'bad' });
  const engine = f.engine();
  const [id] = await engine.requestSync({ domainId: DOMAIN, dataSourceId: 'ds-a', trigger: 'MANUAL' });
  await engine.waitIdle();
  expect(await f.job(id)).toMatchObject({
    state: 'FAILURE',
    error_code: 'PLUGIN.UNAUTHENTICATED',
    error_message: expect.stringMatching(/^the provider rejected the account's credentials; update them/),
  });
  expect(f.ledger.targets).toHaveLength(0);
});

test('the credential never appears in job records or logs, even when the plugin repeats it', async () => {
  f = await fixture({ dataSources: [ds('ds-ok', 'ok'), ds('ds-leak', 'leak-secret')], accounts: [account('sa-1')] });
  const engine = f.engine();
  await engine.requestSync({ domainId: DOMAIN, dataSourceId: 'ds-ok', window: JUNE, trigger: 'MANUAL' });
  const [leak] = await engine.requestSync({ domainId: DOMAIN, dataSourceId: 'ds-leak', window: JUNE, trigger: 'MANUAL' });
  await engine.waitIdle();
  expect((await f.job(leak)).error_message).toMatch(/rejected the account's credentials.*refused key \[REDACTED\]/);
  const jobs = await f.jobs();
  expect(jobs.map((j) => j.state).sort()).toEqual(['FAILURE', 'SUCCESS']);
  expect(f.lines.length).toBeGreaterThan(2);
  expect(JSON.stringify(jobs)).not.toContain(CANARY);
  expect(f.lines.join('\n')).not.toContain(CANARY);
});

test('at most `concurrency` jobs run at once; queued requests for an account coalesce', async () => {
  const ids = ['sa-1', 'sa-2', 'sa-3', 'sa-4', 'sa-5'];
  f = await fixture({ dataSources: [ds('ds-a', 'slow', { delay_ms: 40 })], accounts: ids.map((id) => account(id)) });
  const engine = f.engine({ concurrency: 2 });
  const jobIds = await engine.requestSync({ domainId: DOMAIN, dataSourceId: 'ds-a', window: JUNE, trigger: 'MANUAL' });
  expect(jobIds).toHaveLength(5);
  // sa-5 is still queued: the request joins its job, widening the window to cover both.
  expect(await engine.requestSync({ domainId: DOMAIN, dataSourceId: 'ds-a', serviceAccountIds: ['sa-5'], window: { start: '2024-05-30', end: '2024-06-02' }, trigger: 'MANUAL' })).toEqual([jobIds[4]]);
  // sa-1 is running: a new job queues behind it.
  const [rerun] = await engine.requestSync({ domainId: DOMAIN, dataSourceId: 'ds-a', serviceAccountIds: ['sa-1'], window: JUNE, trigger: 'MANUAL' });
  expect(jobIds).not.toContain(rerun);
  await engine.waitIdle();

  const jobs = await f.jobs();
  expect(jobs).toHaveLength(6);
  expect(jobs.every((j) => j.state === 'SUCCESS')).toBe(true);
  expect(f.ledger.maxOpen).toBe(2);
  expect(f.ledger.maxOpenPerAccount).toBe(1);
  expect(await f.job(jobIds[4])).toMatchObject({ start_date: '2024-05-30', end_date: '2024-06-15', rows: 17 });
});

test('sync requests are checked: unknown or disabled data source, foreign account, window in the future', async () => {
  f = await fixture({
    dataSources: [ds('ds-a', 'ok'), ds('ds-off', 'ok', {}), { ...ds('ds-x', 'ok'), domain_id: 'domain-other' }],
    accounts: [account('sa-1'), { ...account('sa-9'), domain_id: 'domain-other' }],
  });
  await f.store.collection(BILLING_COLLECTIONS.dataSources).updateOne({ _id: 'ds-off' }, { $set: { state: 'DISABLED' } });
  const engine = f.engine();
  const req = { domainId: DOMAIN, dataSourceId: 'ds-a', trigger: 'MANUAL' as const };
  expect((await rejection(engine.requestSync({ ...req, dataSourceId: 'ds-x' }))).kind).toBe('NOT_FOUND');
  expect(await rejection(engine.requestSync({ ...req, dataSourceId: 'ds-off' }))).toMatchObject({ kind: 'FAILED_PRECONDITION', reason: 'DATA_SOURCE.DISABLED' });
  expect((await rejection(engine.requestSync({ ...req, serviceAccountIds: ['sa-9'] }))).kind).toBe('NOT_FOUND');
  expect(await rejection(engine.requestSync({ ...req, window: { start: '2024-06-01', end: '2024-06-16' } }))).toMatchObject({
    kind: 'INVALID_ARGUMENT',
    message: 'end 2024-06-16 is in the future (today is 2024-06-15 UTC)',
  });
  expect((await rejection(engine.requestSync({ ...req, window: { start: '2024-06-02', end: '2024-06-01' } }))).kind).toBe('INVALID_ARGUMENT');
  expect(await f.jobs()).toHaveLength(0);
});

test('runDueSchedules queues enabled data sources whose period has passed, once per period', async () => {
  const recent = new Date('2024-06-15T06:00:00Z');
  f = await fixture({
    dataSources: [
      ds('ds-due', 'ok', {}),
      { ...ds('ds-fresh', 'ok'), last_synced_at: recent, schedule_hours: 24 },
      { ...ds('ds-off', 'ok'), state: 'DISABLED' },
    ],
    accounts: [account('sa-1', { synced: { 'ds-due': '2024-06-14T00:00:00.000Z' } }), account('sa-2')],
  });
  await f.store.collection(BILLING_COLLECTIONS.dataSources).updateOne({ _id: 'ds-due' }, { $set: { last_synced_at: new Date('2024-06-14T00:00:00Z') } });
  const engine = f.engine();
  await engine.runDueSchedules();
  await engine.runDueSchedules();
  await engine.waitIdle();
  const jobs = await f.jobs();
  expect(jobs.map((j) => [j.data_source_id, j.service_account_id, j.trigger, j.start_date, j.state]).sort()).toEqual([
    ['ds-due', 'sa-1', 'SCHEDULE', '2024-06-01', 'SUCCESS'],
    ['ds-due', 'sa-2', 'FIRST_SYNC', '2023-06-01', 'SUCCESS'],
  ]);
});
