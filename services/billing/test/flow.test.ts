import { Granularity } from '../../../gen/tally/billing/v1/cost';
import { AttributionMode } from '../../../gen/tally/billing/v1/settings';
import { Decimal } from '../../../lib/money';
import { describeWithNats } from '../../../lib/testenv/nats';
import { eventually, startSuite, type BillingClients, type Suite } from '../../../test/support/suite';
import type { IdentityClients } from '../../../test/support/identity';

const today = new Date().toISOString().slice(0, 10);
const yearAgo = (() => {
  const d = new Date();
  d.setUTCMonth(d.getUTCMonth() - 12, 1);
  return d.toISOString().slice(0, 10);
})();
const sum = (xs: string[]) => xs.reduce((a, x) => a.add(Decimal.parse(x)), Decimal.ZERO).toString();

/**
 * The user's flow of DESIGN section 1 over real gRPC and a real nats-server: a Hyper Billing
 * account registered in identity reaches billing through the event alone, is synced through the
 * Hyper Billing plugin from the fake API, and shows up per project, per group and per domain.
 */
describeWithNats('billing: from a registered account to costs per project, group and domain', (nats) => {
  let s: Suite;
  let admin: IdentityClients;
  let bill: BillingClients;
  let domainId: string;
  const projects: Record<string, string> = {};
  const accounts: Record<string, { id: string; hbAccount: string }> = {};

  const analyze = (req: object) => bill.costs.analyze({ granularity: Granularity.GRANULARITY_ACCUMULATED, start: yearAgo, end: today, ...req });
  const total = async (filter: object[] = []) => (await analyze({ filter })).total as string;
  const jobsDone = (saId: string) =>
    eventually(
      () => bill.jobs.list({ query: { filter: [{ k: 'service_account_id', v: saId }] } }),
      (r: { results: { state: number }[] }) => r.results.length > 0 && r.results.every((j) => j.state !== 1),
      `the sync jobs of ${saId}`,
      60_000,
    );

  async function register(name: string, hbAccount: string, projectId: string) {
    s.fake.addAccount(hbAccount);
    const creds = s.fake.issueCredentials([hbAccount]);
    const sa = (await admin.accounts.create({ name, provider: 'hyperbilling', projectId, secretData: creds })).serviceAccount;
    accounts[name] = { id: sa.serviceAccountId, hbAccount };
    return sa.serviceAccountId as string;
  }

  beforeAll(async () => {
    s = await startSuite({ natsUrl: nats().url });
    const d = await s.identity.root.domains.create({ name: 'Flow' });
    domainId = d.domain.domainId;
    admin = s.identity.as(d.key);
    bill = s.billingAs(d.key);
    const group = (await admin.groups.create({ name: 'Platform' })).projectGroup;
    const sub = (await admin.groups.create({ name: 'Data', parentGroupId: group.projectGroupId })).projectGroup;
    projects.group = group.projectGroupId;
    projects.sub = sub.projectGroupId;
    projects.web = (await admin.projects.create({ name: 'Web', projectGroupId: group.projectGroupId })).project.projectId;
    projects.lake = (await admin.projects.create({ name: 'Lake', projectGroupId: sub.projectGroupId })).project.projectId;
    projects.other = (await admin.projects.create({ name: 'Other' })).project.projectId;
  }, 60_000);
  afterAll(async () => {
    if (process.env.TALLY_TEST_DUMP_LOGS) for (const l of s?.billingLogs ?? []) if (/"level":(40|50)/.test(l)) console.log(l.slice(0, 2000));
    await s?.stop();
  }, 30_000);

  it('creates the Hyper Billing data source for the new domain through the domain event', async () => {
    const list = await eventually(() => bill.dataSources.list({}), (r: { totalCount: number; results: unknown[] }) => r.totalCount === 1, 'the data source');
    expect(list.results[0]).toMatchObject({ providers: ['hyperbilling'], domainId });
  });

  it('syncs a registered account through the event alone and stores its costs', async () => {
    const sa = await register('hb-web', '100000000001', projects.web);
    await jobsDone(sa);
    const jobs = await bill.jobs.list({ query: { filter: [{ k: 'service_account_id', v: sa }] } });
    expect(jobs.results[0]).toMatchObject({ state: 2, trigger: 'FIRST_SYNC', startDate: yearAgo, endDate: today });
    expect(Number(jobs.results[0].rows)).toBeGreaterThan(0);
    const expected = sum(monthsBetween(yearAgo, today).map((m) => s.fake.monthTotal('100000000001', m)));
    expect(await total()).toBe(expected);
  }, 90_000);

  it('sums every billing account into the domain total; each project and group shows its own', async () => {
    const lake = await register('hb-lake', '100000000002', projects.lake);
    const other = await register('hb-other', '100000000003', projects.other);
    await jobsDone(lake);
    await jobsDone(other);
    const per = await analyze({ groupBy: ['service_account_id'] });
    expect(per.results).toHaveLength(3);
    expect(per.total).toBe(sum(per.results.map((g: { total: string }) => g.total)));
    const byProject = await analyze({ groupBy: ['project_id'] });
    const of = (pid: string) => byProject.results.find((g: { keys: Record<string, string> }) => g.keys.project_id === pid)?.total;
    const saTotal = (id: string) => per.results.find((g: { keys: Record<string, string> }) => g.keys.service_account_id === id)!.total;
    expect(of(projects.web)).toBe(saTotal(accounts['hb-web'].id));
    expect(of(projects.lake)).toBe(saTotal(lake));
    expect(of(projects.other)).toBe(saTotal(other));
    expect(await total([{ k: 'project_id', v: projects.web }])).toBe(saTotal(accounts['hb-web'].id));
    // The group covers its subtree (Web directly, Lake through Data); Other is outside.
    expect(await total([{ k: 'project_group_id', v: projects.group }])).toBe(sum([saTotal(accounts['hb-web'].id), saTotal(lake)]));
    expect(await total([{ k: 'project_group_id', v: projects.sub }])).toBe(saTotal(lake));
  }, 120_000);

  it('moves an account: both attribution modes give the right project totals; the domain total is unchanged', async () => {
    // The account joined Web 90 days ago (identity's clock set back), and moves to Other today.
    const realNow = s.identity.app.deps.now;
    s.identity.app.deps.now = () => new Date(Date.now() - 90 * 86_400_000);
    const mover = await register('hb-mover', '100000000004', projects.web).finally(() => (s.identity.app.deps.now = realNow));
    await jobsDone(mover);
    const before = await total();
    const moverTotal = await total([{ k: 'service_account_id', v: mover }]);
    const webBefore = await total([{ k: 'project_id', v: projects.web }]);
    const otherBefore = await total([{ k: 'project_id', v: projects.other }]);
    await admin.accounts.update({ serviceAccountId: mover, projectId: projects.other });
    const minus = (a: string, b: string) => Decimal.parse(a).sub(Decimal.parse(b)).toString();
    const plus = (a: string, b: string) => Decimal.parse(a).add(Decimal.parse(b)).toString();

    // FOLLOW_ACCOUNT (default): the account's whole history follows it to Other.
    await eventually(() => total([{ k: 'project_id', v: projects.web }]), (t) => t === minus(webBefore, moverTotal), 'Web to lose the account');
    expect(await total([{ k: 'project_id', v: projects.other }])).toBe(plus(otherBefore, moverTotal));
    expect(await total()).toBe(before);

    // AS_OF_DATE: each day stays with the project the account belonged to that day; only today
    // (the day of the move) is Other's.
    await bill.settings.update({ attributionMode: AttributionMode.ATTRIBUTION_MODE_AS_OF_DATE });
    const todayOnly = (await analyze({ start: today, filter: [{ k: 'service_account_id', v: mover }] })).total as string;
    expect(await total([{ k: 'project_id', v: projects.other }])).toBe(plus(otherBefore, todayOnly));
    expect(await total([{ k: 'project_id', v: projects.web }])).toBe(minus(webBefore, todayOnly));
    expect(await total()).toBe(before);
    await bill.settings.update({ attributionMode: AttributionMode.ATTRIBUTION_MODE_FOLLOW_ACCOUNT });
  }, 90_000);

  it('deletes an account: its costs leave every view', async () => {
    const before = await total();
    const gone = await total([{ k: 'service_account_id', v: accounts['hb-lake'].id }]);
    await admin.accounts.delete({ serviceAccountId: accounts['hb-lake'].id });
    await eventually(() => total(), (t) => t === Decimal.parse(before).sub(Decimal.parse(gone)).toString(), 'the domain total to drop');
    expect(await total([{ k: 'project_id', v: projects.lake }])).toBe('0');
    expect(await total([{ k: 'project_group_id', v: projects.sub }])).toBe('0');
  }, 60_000);

  it('keeps the old data when a re-sync fails mid-stream or is cancelled; readers never see a half state', async () => {
    const sa = accounts['hb-other'].id;
    const ds = (await bill.dataSources.list({})).results[0].dataSourceId;
    const stable = await total();
    const seen = new Set<string>();
    let polling = true;
    const poller = (async () => {
      while (polling) {
        seen.add(await total());
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const finished = (jobId: string) =>
      eventually(() => bill.jobs.get({ jobId }), (r: { job: { state: number; errorCode: string; errorMessage: string } }) => r.job.state !== 1, `job ${jobId}`, 60_000);

    // Three months, one task each: the API fails for good after the first task's answer, so the
    // job fails midway, after rows were written; it says what happened in words a user can act on.
    const threeMonths = new Date();
    threeMonths.setUTCMonth(threeMonths.getUTCMonth() - 2, 1);
    const window = { startDate: threeMonths.toISOString().slice(0, 10), endDate: today };
    s.fake.faults.add({ kind: 'server_error', status: 503, times: Infinity, skip: 1 });
    const [failing] = (await bill.dataSources.sync({ dataSourceId: ds, serviceAccountIds: [sa], ...window })).jobIds;
    const failed = (await finished(failing)).job;
    s.fake.faults.clear();
    expect(failed.state).toBe(3);
    expect(failed.errorCode).toMatch(/^PLUGIN\./);
    expect(failed.errorMessage).toMatch(/reach|unavailable|try again/i);
    expect(await total()).toBe(stable);

    // A slow API and a cancel: the job ends CANCELED and nothing changes.
    s.fake.faults.add({ kind: 'delay', delayMs: 3000, times: Infinity });
    const [slow] = (await bill.dataSources.sync({ dataSourceId: ds, serviceAccountIds: [sa] })).jobIds;
    await new Promise((r) => setTimeout(r, 300));
    await bill.jobs.cancel({ jobId: slow });
    const cancelled = (await finished(slow)).job;
    s.fake.faults.clear();
    expect(cancelled.state).toBe(4);
    expect(await total()).toBe(stable);

    // A good re-sync replaces the window with the same data: the same total, before and after.
    const [good] = (await bill.dataSources.sync({ dataSourceId: ds, serviceAccountIds: [sa] })).jobIds;
    expect((await finished(good)).job.state).toBe(2);
    polling = false;
    await poller;
    expect(await total()).toBe(stable);
    expect([...seen]).toEqual([stable]);
  }, 120_000);

  it('names the account a provider does not know in the failed job, and nothing of its key', async () => {
    // Valid credentials of a client, for an account id the API has never heard of.
    s.fake.addAccount('100000000076');
    const credentials = { ...s.fake.issueCredentials(['100000000076']), account_id: '100000000077' };
    const sa = (await admin.accounts.create({ name: 'unknown to the API', provider: 'hyperbilling', projectId: projects.web, secretData: credentials })).serviceAccount.serviceAccountId;
    const job = await eventually(
      () => bill.jobs.list({ query: { filter: [{ k: 'service_account_id', v: sa }] } }),
      (r: { results: { state: number }[] }) => r.results.length > 0 && r.results.every((j) => j.state !== 1),
      'the first sync of an account the API does not know',
      60_000,
    );
    const failed = job.results[0] as { state: number; errorCode: string; errorMessage: string };
    expect(failed.state).toBe(3);
    expect(failed.errorMessage).toContain('does not know account 100000000077');
    for (const line of credentials.private_key.split('\n').filter((l: string) => l.length >= 16)) expect(failed.errorMessage).not.toContain(line);
    expect(failed.errorMessage).not.toContain(credentials.client_email);
    // The failure is logged by the sync engine, which names its component once.
    const logged = s.billingLogs.filter((l) => l.includes('100000000077'));
    expect(logged.length).toBeGreaterThan(0);
    for (const line of logged) expect(line.match(/"component":/g)).toEqual(['"component":']);
    await admin.accounts.delete({ serviceAccountId: sa });
  }, 90_000);

  it('heals an event lost on purpose through reconciliation', async () => {
    await s.identity.app.relay.stop();
    const sa = (
      await admin.accounts.create({
        name: 'lost',
        provider: 'hyperbilling',
        projectId: projects.web,
        secretData: (s.fake.addAccount('100000000009'), s.fake.issueCredentials(['100000000009'])),
      })
    ).serviceAccount.serviceAccountId;
    expect(await s.identity.app.store.collection('outbox').deleteMany({})).toBeGreaterThan(0);
    s.identity.app.relay.start();
    const report = await s.billing.reconciler.runNow();
    expect(report.accountsAdded).toBe(1);
    await jobsDone(sa);
    expect(await total([{ k: 'service_account_id', v: sa }])).not.toBe('0');
  }, 60_000);

  it('rejects invalid analyze requests with INVALID_ARGUMENT naming the field', async () => {
    const cases: [object, string][] = [
      [{ start: today, end: yearAgo }, 'end'],
      [{ groupBy: ['colour'] }, 'group_by[0]'],
      [{ filter: [{ k: 'product', v: 'x', o: 'resembles' }] }, 'filter[0].o'],
      [{ filter: [{ k: 'secret', v: 'x' }] }, 'filter[0].k'],
      [{ start: '2020-02-30' }, 'start'],
      [{ granularity: Granularity.GRANULARITY_DAILY, start: '2015-01-01' }, 'end'],
    ];
    for (const [req, field] of cases) {
      const err = await analyze(req).then(
        () => null,
        (e: { code: number; metadata: { get(k: string): unknown[] } }) => ({ code: e.code, field: e.metadata.get('tally-error-field')[0] }),
      );
      expect({ req, err }).toEqual({ req, err: { code: 3, field } });
    }
  });

  it("never shows another domain's costs", async () => {
    const d2 = await s.identity.root.domains.create({ name: 'Elsewhere' });
    const other = s.billingAs(d2.key);
    const res = await other.costs.analyze({ granularity: Granularity.GRANULARITY_ACCUMULATED, start: yearAgo, end: today });
    expect(res.total).toBe('0');
    const foreign = await other.costs.analyze({
      granularity: Granularity.GRANULARITY_ACCUMULATED,
      start: yearAgo,
      end: today,
      filter: [{ k: 'service_account_id', v: accounts['hb-other'].id }],
    });
    expect(foreign.total).toBe('0');
  });
});

function monthsBetween(start: string, end: string): string[] {
  const out: string[] = [];
  let y = Number(start.slice(0, 4));
  let m = Number(start.slice(5, 7));
  const ey = Number(end.slice(0, 4));
  const em = Number(end.slice(5, 7));
  while (y < ey || (y === ey && m <= em)) {
    out.push(`${y}${String(m).padStart(2, '0')}`);
    m++;
    if (m > 12) {
      m = 1;
      y++;
    }
  }
  return out;
}
