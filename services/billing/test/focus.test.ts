import { Granularity } from '../../../gen/tally/billing/v1/cost';
import { createMemoryLogger } from '../../../lib/log/logger';
import { createFocusPlugin, PROVIDER_TAG } from '../../../plugins/focus';
import { accountOfRow, SAMPLE, SAMPLE_RANGE, sampleRows, sums } from '../../../plugins/focus/testing/sample';
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
      60_000,
    );
    expect(done.filter((j: { job: { state: number } }) => j.job.state !== 2).map((j: { job: unknown }) => j.job)).toEqual([]);

    const bySa = await totalsBy('service_account_id');
    expect(Object.fromEntries(Object.entries(saOf).map(([id, sa]) => [id, bySa[sa]]))).toEqual(perAccount);
    expect(await totalsBy(`tags.${PROVIDER_TAG}`)).toEqual(perProvider);
    expect(await totalsBy('provider')).toEqual({ focus: sums(rows, () => 'all').all });
  }, 120_000);
});
