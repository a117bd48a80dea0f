import { Granularity } from '../../../gen/tally/billing/v1/cost';
import { createMemoryLogger } from '../../../lib/log/logger';
import { createFocusPlugin, PROVIDER_TAG } from '../../../plugins/focus';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accountOfRow, rewriteSample, SAMPLE, SAMPLE_RANGE, sampleRows, sums } from '../../../plugins/focus/testing/sample';
import { serve, type RunningPlugin } from '../../../plugins/sdk';
import { eventually, startSuite, type BillingClients, type Suite } from '../../../test/support/suite';
import type { IdentityClients } from '../../../test/support/identity';

const rows = sampleRows();
const perAccount = sums(rows, accountOfRow);
const perProvider = sums(rows, (r) => r.ProviderName);

/**
 * The real FOCUS sample through the whole back end: the FOCUS plugin served with the SDK and
 * registered as a data source, one `focus` service account per sub-account in identity, a sync
 * of September 2024, and CostService.Analyze totals equal to the file's BilledCost sums.
 */
describe('billing: the FOCUS sample end to end', () => {
  let s: Suite;
  let plugin: RunningPlugin;
  let admin: IdentityClients;
  let bill: BillingClients;
  const saOf: Record<string, string> = {};

  beforeAll(async () => {
    s = await startSuite();
    plugin = await serve(createFocusPlugin(), { name: 'focus', port: 0, logger: createMemoryLogger('focus', 'info').logger, handleSignals: false, shutdownGraceMs: 200 });
    const d = await s.identity.root.domains.create({ name: 'FOCUS' });
    admin = s.identity.as(d.key);
    bill = s.billingAs(d.key);
    await bill.dataSources.register({ name: 'FOCUS exports', pluginEndpoint: `127.0.0.1:${plugin.port}` });
    const projectId = (await admin.projects.create({ name: 'FinOps' })).project.projectId;
    for (const id of Object.keys(perAccount)) {
      const sa = await admin.accounts.create({ name: `focus ${id}`.slice(0, 60), provider: 'focus', projectId, data: { account_id: id }, secretData: { location: SAMPLE } });
      saOf[id] = sa.serviceAccount.serviceAccountId;
    }
  }, 60_000);
  afterAll(async () => {
    await s?.stop();
    await plugin?.shutdown();
  }, 30_000);

  const analyze = (req: object) =>
    bill.costs.analyze({ granularity: Granularity.GRANULARITY_ACCUMULATED, start: SAMPLE_RANGE.start, end: SAMPLE_RANGE.end, ...req });
  const totalsBy = async (key: string) => {
    const res = await analyze({ groupBy: [key] });
    return Object.fromEntries(res.results.map((g: { keys: Record<string, string>; total: string }) => [g.keys[key], g.total]));
  };

  it('syncs September 2024 for every sub-account; totals per provider and per sub-account equal the file to the last decimal', async () => {
    const focus = (await bill.dataSources.list({})).results.find((ds: { providers: string[] }) => ds.providers.includes('focus'));
    const { jobIds } = await bill.dataSources.sync({ dataSourceId: focus.dataSourceId, startDate: SAMPLE_RANGE.start, endDate: SAMPLE_RANGE.end });
    expect(jobIds.length).toBe(Object.keys(perAccount).length);
    const done = await eventually(
      () => Promise.all(jobIds.map((jobId: string) => bill.jobs.get({ jobId }))),
      (js: { job: { state: number } }[]) => js.every((j) => j.job.state !== 1),
      'the FOCUS sync jobs',
      110_000,
    );
    expect(done.filter((j: { job: { state: number } }) => j.job.state !== 2).map((j: { job: unknown }) => j.job)).toEqual([]);

    const bySa = await totalsBy('service_account_id');
    expect(Object.fromEntries(Object.entries(saOf).map(([id, sa]) => [id, bySa[sa]]))).toEqual(perAccount);
    expect(await totalsBy(`tags.${PROVIDER_TAG}`)).toEqual(perProvider);
    expect(await totalsBy('provider')).toEqual({ focus: sums(rows, () => 'all').all });
  }, 150_000);

  it("skipped bad rows are counted in the job, with where they were; without skip the job fails naming file:line:column", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'focus-e2e-'));
    try {
      const BIG = '11353890204';
      // Two of BIG's own line items (record i of the file, the header being record 0, is on line i + 1).
      const bad = new Set(rows.flatMap((r, i) => (accountOfRow(r) === BIG ? [i + 1] : [])).slice(0, 2));
      const [l1, l2] = [...bad].map((i) => i + 1);
      const file = join(dir, 'export.csv');
      writeFileSync(
        file,
        rewriteSample((rs) => {
          const col = rs[0].indexOf('BilledCost');
          return rs.map((r, i) => (bad.has(i) ? r.map((v, c) => (c === col ? '12,5' : v)) : r));
        }),
      );
      const kept = rows.filter((_, i) => !bad.has(i + 1));
      const expected = sums(kept, accountOfRow)[BIG];

      const d = await s.identity.root.domains.create({ name: 'FOCUS bad rows' });
      const b = s.billingAs(d.key);
      const projectId = (await s.identity.as(d.key).projects.create({ name: 'FinOps' })).project.projectId;
      await s.identity.as(d.key).accounts.create({ name: 'focus big', provider: 'focus', projectId, data: { account_id: BIG }, secretData: { location: file } });
      const run = async (options: object, keep: boolean) => {
        const ds = (await b.dataSources.register({ name: `FOCUS ${JSON.stringify(options)}`, pluginEndpoint: `127.0.0.1:${plugin.port}`, options })).dataSource;
        const { jobIds } = await b.dataSources.sync({ dataSourceId: ds.dataSourceId, startDate: SAMPLE_RANGE.start, endDate: SAMPLE_RANGE.end });
        const [job] = await eventually(
          () => Promise.all(jobIds.map(async (jobId: string) => (await b.jobs.get({ jobId })).job)),
          (js: { state: number }[]) => js.every((j) => j.state !== 1),
          'the FOCUS sync job',
          60_000,
        );
        if (!keep) await b.dataSources.deregister({ dataSourceId: ds.dataSourceId });
        return job;
      };

      const failed = await run({}, false);
      expect(failed).toMatchObject({ state: 3, errorCode: 'PLUGIN.INVALID_ARGUMENT', skippedRecords: '0' });
      expect(failed.errorMessage).toMatch(new RegExp(`^export\\.csv:${l1}:BilledCost: "12,5" is not a decimal number`));

      const skipped = await run({ on_bad_rows: 'skip' }, true);
      expect(skipped).toMatchObject({ state: 2, skippedRecords: '2', errorCode: '' });
      expect(skipped.tasks[0]).toMatchObject({ skippedRecords: '2' });
      expect(skipped.tasks[0].notes.slice(0, 2)).toEqual([
        `skipped export.csv:${l1}:BilledCost: "12,5" is not a decimal number`,
        `skipped export.csv:${l2}:BilledCost: "12,5" is not a decimal number`,
      ]);
      expect(skipped.tasks[0].notes[2]).toMatch(/^interpreted export\.csv \(FOCUS 1\.0\): /);
      const res = await b.costs.analyze({ granularity: Granularity.GRANULARITY_ACCUMULATED, start: SAMPLE_RANGE.start, end: SAMPLE_RANGE.end });
      expect(expected).not.toBe(perAccount[BIG]);
      expect(res.results[0].total).toBe(expected);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
