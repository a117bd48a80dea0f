import { createMemoryLogger } from '../../lib/log/logger';
import { demoPlugin } from '../../plugins/demo/plugin';
import { serve, type RunningPlugin } from '../../plugins/sdk';
import { startTestGateway, type GatewayHarness } from '../support/gateway-harness';
import { eventually, startSuite, type Suite } from '../support/suite';
import { tally } from './cli-harness';

const today = new Date().toISOString().slice(0, 10);
const window = ['--start', today, '--end', today];
type Job = { job_id: string; service_account_id: string; data_source_id: string; state: string; trigger: string };

/**
 * `tally sync` in a domain with two data sources, as `make run` seeds it: the built-in Hyper
 * Billing one and a custom demo one (registered second, so it lists first).
 */
describe('tally CLI: sync with several data sources', () => {
  let s: Suite;
  let gw: GatewayHarness;
  let demo: RunningPlugin;
  let env: Record<string, string>;
  let key: string;
  const ids: Record<string, string> = {};

  const api = async (path: string, body: unknown) => {
    const r = await gw.post(path, body, key);
    if (r.status !== 200) throw new Error(`${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const manualJobs = async (): Promise<Job[]> => (await api('/billing/job/list', {})).results.filter((j: Job) => j.trigger === 'MANUAL');
  const jobsOf = async (jobIds: string[]) => (await manualJobs()).filter((j) => jobIds.includes(j.job_id));

  beforeAll(async () => {
    s = await startSuite();
    gw = await startTestGateway(s);
    demo = await serve(demoPlugin(), { name: 'demo', port: 0, logger: createMemoryLogger('demo', 'warn').logger, handleSignals: false, shutdownGraceMs: 200 });
    key = (await s.identity.root.domains.create({ name: 'Demo' })).key;
    env = { TALLY_ENDPOINT: gw.httpUrl, TALLY_API_KEY: key };
    const project = (await api('/identity/project/create', { name: 'Web' })).project.project_id;
    await api('/identity/provider/create', {
      provider: 'demo',
      name: 'Demo cloud',
      is_billing: true,
      account_schema: { type: 'object', required: ['account_id'], properties: { account_id: { type: 'string' } } },
    });
    ids.demoDs = (await api('/billing/data-source/register', { name: 'Demo plugin', plugin_endpoint: `127.0.0.1:${demo.port}`, options: { rows_per_day: 1 } })).data_source.data_source_id;
    const sources = (await api('/billing/data-source/list', {})).results as { data_source_id: string; providers: string[] }[];
    ids.hbDs = sources.find((d) => d.providers.includes('hyperbilling'))!.data_source_id;
    // The defect only shows when the other data source lists first.
    expect(sources[0].data_source_id).toBe(ids.demoDs);
    for (const [name, account] of [['hb1', '700000000001'], ['hb2', '700000000002']]) {
      s.fake.addAccount(account);
      const secret = s.fake.issueCredentials([account]);
      ids[name] = (await api('/identity/service-account/create', { name, provider: 'hyperbilling', project_id: project, secret_data: secret })).service_account.service_account_id;
    }
    ids.demo = (await api('/identity/service-account/create', { name: 'demo', provider: 'demo', project_id: project, data: { account_id: 'demo-a' }, secret_data: { account_id: 'demo-a' } }))
      .service_account.service_account_id;
  }, 60_000);
  afterAll(async () => {
    // Let the jobs started here finish before the back end stops under them.
    if (gw) await eventually(() => api('/billing/job/list', {}), (r) => r.results.every((j: Job) => !/PENDING|IN_PROGRESS/.test(j.state)), 'jobs to finish', 60_000).catch(() => undefined);
    await gw?.stop();
    await demo?.shutdown();
    await s?.stop();
  }, 90_000);

  it('--account sends each account only to the data source serving its provider', async () => {
    const one = await tally(['sync', '--account', ids.hb1, ...window], env);
    expect(one).toMatchObject({ code: 0, stderr: '' });
    const oneIds = one.stdout.trim().split('\n');
    expect(oneIds).toHaveLength(1);
    expect(await jobsOf(oneIds)).toEqual([expect.objectContaining({ service_account_id: ids.hb1, data_source_id: ids.hbDs })]);

    const mixed = await tally(['sync', '--account', ids.demo, '--account', ids.hb2, ...window, '--json'], env);
    expect(mixed).toMatchObject({ code: 0, stderr: '' });
    const jobIds = JSON.parse(mixed.stdout).job_ids as string[];
    expect(jobIds).toHaveLength(2);
    const started = await jobsOf(jobIds);
    expect(started.map((j) => `${j.service_account_id}@${j.data_source_id}`).sort()).toEqual([`${ids.demo}@${ids.demoDs}`, `${ids.hb2}@${ids.hbDs}`].sort());
  });

  it('--account of an unknown account or one no enabled data source serves fails naming it, and starts nothing', async () => {
    const before = (await manualJobs()).length;
    const unknown = await tally(['sync', '--account', ids.hb1, '--account', 'sa-0000000000000000'], env);
    expect(unknown).toMatchObject({ code: 1, stdout: '' });
    expect(unknown.stderr).toMatch(/^tally: service account sa-0000000000000000: .*not found \(NOT_FOUND/);
    expect(unknown.stderr).toContain('nothing was synced');

    await api('/billing/data-source/disable', { data_source_id: ids.demoDs });
    try {
      const unserved = await tally(['sync', '--account', ids.demo, '--account', ids.hb1], env);
      expect(unserved).toMatchObject({ code: 1, stdout: '' });
      expect(unserved.stderr).toContain(`tally: service account ${ids.demo} (demo) cannot be synced: ${ids.demoDs} (Demo plugin) serves it but is disabled`);
      // --data-source narrows the choice: Hyper Billing accounts are not the demo plugin's.
      const narrowed = await tally(['sync', '--data-source', ids.demoDs, '--account', ids.hb1], env);
      expect(narrowed).toMatchObject({ code: 1, stderr: expect.stringContaining(`service account ${ids.hb1} (hyperbilling) cannot be synced: no named data source serves hyperbilling accounts`) });
    } finally {
      await api('/billing/data-source/enable', { data_source_id: ids.demoDs });
    }
    expect((await manualJobs()).length).toBe(before);
  });

  it('without --account, syncs every enabled data source and says which disabled ones it skipped', async () => {
    await api('/billing/data-source/disable', { data_source_id: ids.demoDs });
    try {
      const r = await tally(['sync', ...window], env);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe(`skipped data source ${ids.demoDs} (Demo plugin): it is disabled\n`);
      const started = await jobsOf(r.stdout.trim().split('\n'));
      expect(started.map((j) => j.service_account_id).sort()).toEqual([ids.hb1, ids.hb2].sort());
      const json = JSON.parse((await tally(['sync', ...window, '--json'], env)).stdout);
      expect(json).toMatchObject({ job_ids: [expect.stringMatching(/^job-/), expect.stringMatching(/^job-/)], skipped_data_source_ids: [ids.demoDs] });
    } finally {
      await api('/billing/data-source/enable', { data_source_id: ids.demoDs });
    }
    const all = await tally(['sync', ...window], env);
    expect(all).toMatchObject({ code: 0, stderr: '' });
    expect(all.stdout.trim().split('\n')).toHaveLength(3);
  });

  it('when one data source fails, the others still start; every failure is printed and the exit code is 1', async () => {
    await api('/billing/data-source/disable', { data_source_id: ids.demoDs });
    try {
      const r = await tally(['sync', '--data-source', ids.demoDs, '--data-source', 'ds-nope', '--data-source', ids.hbDs, ...window], env);
      expect(r.code).toBe(1);
      expect(r.stdout.trim().split('\n')).toHaveLength(2);
      expect((await jobsOf(r.stdout.trim().split('\n'))).map((j) => j.data_source_id)).toEqual([ids.hbDs, ids.hbDs]);
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines).toEqual([
        expect.stringMatching(new RegExp(`^tally: data source ${ids.demoDs} did not sync: .*disabled.*\\(FAILED_PRECONDITION, DATA_SOURCE\\.DISABLED\\)`)),
        expect.stringMatching(/^tally: data source ds-nope did not sync: .*not found.*\(NOT_FOUND/),
        'tally: 2 of 3 data sources failed to sync',
      ]);
    } finally {
      await api('/billing/data-source/enable', { data_source_id: ids.demoDs });
    }
  });
});
