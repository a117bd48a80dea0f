/**
 * `make run` as a user walks it: scripts/run-local.ts started the way the Makefile does (node,
 * from the repository root) on a fresh data dir and free ports; the printed lines, the credentials
 * file, costs through the gateway's HTTP/JSON API, registering an offered credential, Ctrl-C, and a
 * restart on the same data (same key, the demo cloud still syncs, the file offers only what is
 * still unregistered).
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, eventually, freePorts, portFree, post, run, TS_HOOK, type Credential, type Job, type Running } from './harness';


const START_MS = 45_000;
const STOP_MS = 15_000;
const SYNC_MS = 30_000;

const LINES = [/^console: http:\/\/127\.0\.0\.1:(\d+)\/$/, /^api key: (tally_\S+)$/, /^hyperbilling credentials: (\/.+)$/];

describe('make run (scripts/run-local.ts)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tally-run-local-'));
  let ports: number[];
  let env: NodeJS.ProcessEnv;
  let current: Running | null = null;
  const started: Running[] = [];
  const first: { key?: string; registered?: Credential; serviceAccountId?: string } = {};

  beforeAll(async () => {
    ports = await freePorts(4);
    const [http, grpc, identity, billing] = ports;
    env = cleanEnv({
      TALLY_DATA_DIR: dataDir,
      TALLY_GATEWAY_HTTP_PORT: String(http),
      TALLY_GATEWAY_GRPC_PORT: String(grpc),
      TALLY_IDENTITY_PORT: String(identity),
      TALLY_BILLING_PORT: String(billing),
    });
  });

  afterAll(async () => {
    // Whatever a failed test left running: asked to stop, then killed.
    for (const r of started) await r.stop('SIGINT', STOP_MS).catch(() => r.kill());
    rmSync(dataDir, { recursive: true, force: true });
  }, STOP_MS + 5000);

  async function start(): Promise<{ base: string; key: string; file: string }> {
    if (current) await current.stop('SIGINT', STOP_MS).catch(() => current?.kill()); // left by a failed test
    current = run(process.execPath, ['-r', TS_HOOK, 'scripts/run-local.ts'], env);
    started.push(current);
    const [consoleLine, keyLine, fileLine] = await current.waitForLines(LINES, START_MS);
    expect(Number(consoleLine[1])).toBe(ports[0]);
    return { base: `http://127.0.0.1:${consoleLine[1]}`, key: keyLine[1], file: fileLine[1] };
  }

  async function stop(): Promise<void> {
    const code = await current!.stop('SIGINT', STOP_MS);
    expect(code).toBe(0);
    current = null;
    for (const port of ports) expect(await portFree(port)).toBe(true);
  }

  function offered(file: string): Credential[] {
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const list = JSON.parse(readFileSync(file, 'utf8')) as Credential[];
    expect(Array.isArray(list)).toBe(true);
    expect(list.length).toBeGreaterThanOrEqual(2);
    for (const c of list) {
      // Exactly what the Hyper Billing credential schema takes (additionalProperties: false).
      expect(Object.keys(c).sort()).toEqual(['account_id', 'client_email', 'private_key']);
      expect(c.private_key).toMatch(/^-----BEGIN (RSA )?PRIVATE KEY-----/);
    }
    return list;
  }

  async function registeredAccountIds(base: string, key: string): Promise<string[]> {
    const { status, json } = await post(base, '/identity/service-account/list', { query: { filter: [{ k: 'provider', v: 'hyperbilling' }] } }, key);
    expect(status).toBe(200);
    return (json.results as { data: { account_id: string } }[]).map((sa) => sa.data.account_id);
  }

  async function syncToEnd(base: string, key: string, dataSourceId: string, serviceAccountIds: string[] = []): Promise<Job[]> {
    const { status, json } = await post(base, '/billing/data-source/sync', { data_source_id: dataSourceId, service_account_ids: serviceAccountIds }, key);
    expect(status).toBe(200);
    const ids = json.job_ids as string[];
    expect(ids.length).toBeGreaterThan(0);
    return Promise.all(
      ids.map((id) =>
        eventually(
          async () => (await post(base, '/billing/job/get', { job_id: id }, key)).json.job as Job,
          (j) => j.state !== 'JOB_STATE_IN_PROGRESS',
          `job ${id} to end`,
          SYNC_MS,
        ),
      ),
    );
  }

  it('starts on a fresh data dir, offers unregistered credentials, serves costs, and stops on SIGINT', async () => {
    const { base, key, file } = await start();
    expect(file).toBe(join(dataDir, 'hyperbilling-credentials.json'));
    first.key = key;

    const list = offered(file);
    const registered = await registeredAccountIds(base, key);
    expect(registered.length).toBe(2); // the two seeded accounts
    expect(list.filter((c) => registered.includes(c.account_id))).toEqual([]);

    // The seeded accounts' first syncs land: the year's costs by provider, through the gateway.
    const year = new Date().getUTCFullYear();
    const analyzed = await eventually(
      () => post(base, '/billing/cost/analyze', { granularity: 'GRANULARITY_YEARLY', start: `${year - 1}-01-01`, end: `${year}-12-31`, group_by: ['provider'] }, key),
      (r) => r.status === 200 && ['demo', 'hyperbilling'].every((p) => (r.json.results as { keys: { provider: string } }[]).some((g) => g.keys.provider === p)),
      'costs of both providers',
      SYNC_MS,
    );
    expect(Number(analyzed.json.total)).toBeGreaterThan(0);

    // Register the first offered credential, as the README shows.
    const projects = await post(base, '/identity/project/list', {}, key);
    const projectId = (projects.json.results as { project_id: string }[])[0].project_id;
    const created = await post(base, '/identity/service-account/create', { name: 'HB 3', provider: 'hyperbilling', project_id: projectId, secret_data: list[0] }, key);
    expect(created.status).toBe(200);
    first.registered = list[0];
    first.serviceAccountId = (created.json.service_account as { service_account_id: string }).service_account_id;

    await stop();
  }, START_MS + 2 * SYNC_MS + STOP_MS);

  it('restarts on the same data: same key, the demo cloud syncs, the registered credential is no longer offered', async () => {
    if (!first.key) throw new Error('the first start failed');
    const { base, key, file } = await start();
    expect(key).toBe(first.key);

    const list = offered(file);
    expect(list.map((c) => c.account_id)).not.toContain(first.registered!.account_id);
    expect(list.map((c) => c.client_email)).not.toContain(first.registered!.client_email);
    const registered = await registeredAccountIds(base, key);
    expect(registered).toContain(first.registered!.account_id);
    expect(list.filter((c) => registered.includes(c.account_id))).toEqual([]);

    const sources = (await post(base, '/billing/data-source/list', {}, key)).json.results as { data_source_id: string; providers: string[] }[];
    const demo = sources.find((ds) => ds.providers.includes('demo'))!;
    const hyperbilling = sources.find((ds) => ds.providers.includes('hyperbilling'))!;
    // The demo plugin listens on a new port after the restart; its data source follows it.
    const demoJobs = await syncToEnd(base, key, demo.data_source_id);
    expect(demoJobs.map((j) => [j.state, j.error_message ?? ''])).toEqual(demoJobs.map(() => ['JOB_STATE_SUCCESS', '']));
    // The account registered before the restart still signs in at the fake provider.
    const [hbJob] = await syncToEnd(base, key, hyperbilling.data_source_id, [first.serviceAccountId!]);
    expect([hbJob.state, hbJob.error_message ?? '']).toEqual(['JOB_STATE_SUCCESS', '']);

    await stop();
  }, START_MS + 2 * SYNC_MS + STOP_MS);
});
