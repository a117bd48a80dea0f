/**
 * `make run-processes` (scripts/run-processes.sh) across a restart with a registered account: the
 * script as it is, copied into a scratch root whose dist/ holds one-line entry points that load
 * the TypeScript sources (so no `make build`, and the real dist/ is never touched), on free ports,
 * a fresh data dir and a NATS server of its own (stream and consumer names are fixed, so a shared
 * NATS would mix this run's events with any other Tally's).
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describeWithNats } from '../../lib/testenv/nats';
import { cleanEnv, eventually, freePorts, portFree, post, ROOT, run, TS_HOOK, type Credential, type Job, type Running } from './harness';


const START_MS = 60_000;
const STOP_MS = 20_000;
const SYNC_MS = 30_000;
const ENTRY_POINTS = ['plugins/hyperbilling/main', 'plugins/fake-hyperbilling/main', 'services/identity/main', 'services/billing/main', 'services/gateway/main'];

describeWithNats(
  'make run-processes (scripts/run-processes.sh)',
  (nats) => {
    const scratch = mkdtempSync(join(tmpdir(), 'tally-run-processes-'));
    const dataDir = join(scratch, 'data');
    let ports: number[];
    let env: NodeJS.ProcessEnv;
    const started: Running[] = [];

    beforeAll(async () => {
      mkdirSync(join(scratch, 'scripts'));
      copyFileSync(join(ROOT, 'scripts', 'run-processes.sh'), join(scratch, 'scripts', 'run-processes.sh'));
      for (const entry of ENTRY_POINTS) {
        const file = join(scratch, 'dist', `${entry}.js`);
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, `require(${JSON.stringify(TS_HOOK)});\nrequire(${JSON.stringify(join(ROOT, `${entry}.ts`))});\n`);
      }
      ports = await freePorts(6);
      const [http, grpc, identity, billing, fake, plugin] = ports;
      env = cleanEnv({
        TALLY_NATS_URL: nats().url,
        TALLY_DATA_DIR: dataDir,
        TALLY_GATEWAY_HTTP_PORT: String(http),
        TALLY_GATEWAY_GRPC_PORT: String(grpc),
        TALLY_IDENTITY_PORT: String(identity),
        TALLY_BILLING_PORT: String(billing),
        TALLY_FAKE_HYPERBILLING_PORT: String(fake),
        TALLY_HYPERBILLING_PLUGIN_PORT: String(plugin),
      });
    });

    afterAll(async () => {
      for (const r of started) await r.stop('SIGINT', STOP_MS).catch(() => r.kill());
      rmSync(scratch, { recursive: true, force: true });
    }, STOP_MS + 5000);

    async function start(): Promise<{ base: string; file: string; running: Running }> {
      const running = run('bash', [join(scratch, 'scripts', 'run-processes.sh')], env, { group: true });
      started.push(running);
      const [fileLine, ready] = await running.waitForLines([/^hyperbilling credentials: (\/\S+)/, /^ready: /], START_MS);
      // Every process answered in order: nothing found a dependency down on the way.
      const before = running.lines.slice(0, running.lines.indexOf(ready.input!));
      expect(before.filter((l) => l.includes('dependency down'))).toEqual([]);
      return { base: `http://127.0.0.1:${ports[0]}`, file: fileLine[1], running };
    }

    async function stop(running: Running): Promise<void> {
      // As Ctrl-C in a terminal: SIGINT to the whole process group.
      expect(await running.stop('SIGINT', STOP_MS)).toBe(0);
      for (const port of ports) expect(await portFree(port)).toBe(true);
    }

    function offered(file: string): Credential[] {
      expect(file).toBe(join(dataDir, 'hyperbilling-credentials.json'));
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const list = JSON.parse(readFileSync(file, 'utf8')) as Credential[];
      expect(Array.isArray(list)).toBe(true);
      expect(list.length).toBeGreaterThanOrEqual(2);
      for (const c of list) expect(Object.keys(c).sort()).toEqual(['account_id', 'client_email', 'private_key']);
      return list;
    }

    const jobOf = (base: string, key: string, serviceAccountId: string, accept: (j: Job) => boolean, what: string) =>
      eventually(
        async () => {
          const { json } = await post(base, '/billing/job/list', { query: { filter: [{ k: 'service_account_id', v: serviceAccountId }] } }, key);
          return (json.results as Job[] | undefined) ?? [];
        },
        (jobs) => jobs.some((j) => accept(j) && j.state !== 'JOB_STATE_IN_PROGRESS'),
        what,
        SYNC_MS,
      ).then((jobs) => jobs.find((j) => accept(j) && j.state !== 'JOB_STATE_IN_PROGRESS')!);

    it('keeps a registered Hyper Billing account syncing across a restart, and stops offering its credential', async () => {
      const one = await start();
      const rootKey = /^TALLY_ROOT_KEY=(\S+)$/m.exec(readFileSync(join(dataDir, 'secrets.env'), 'utf8'))![1];
      const domain = await post(one.base, '/identity/domain/create', { name: 'Acme' }, rootKey);
      expect(domain.status).toBe(200);
      const key = domain.json.key as string;
      const project = await post(one.base, '/identity/project/create', { name: 'Web' }, key);
      const projectId = (project.json.project as { project_id: string }).project_id;

      const [credential] = offered(one.file);
      const created = await post(one.base, '/identity/service-account/create', { name: 'HB 1', provider: 'hyperbilling', project_id: projectId, secret_data: credential }, key);
      expect(created.status).toBe(200);
      const accountId = (created.json.service_account as { service_account_id: string }).service_account_id;
      const firstSync = await jobOf(one.base, key, accountId, () => true, 'the first sync of the registered account');
      expect([firstSync.state, firstSync.error_message ?? '']).toEqual(['JOB_STATE_SUCCESS', '']);
      await stop(one.running);

      const two = await start();
      const list = offered(two.file);
      expect(list.map((c) => c.account_id)).not.toContain(credential.account_id);
      expect(list.map((c) => c.client_email)).not.toContain(credential.client_email);
      const sources = (await post(two.base, '/billing/data-source/list', {}, key)).json.results as { data_source_id: string; providers: string[] }[];
      const hyperbilling = sources.find((ds) => ds.providers.includes('hyperbilling'))!;
      const sync = await post(two.base, '/billing/data-source/sync', { data_source_id: hyperbilling.data_source_id, service_account_ids: [accountId] }, key);
      expect(sync.status).toBe(200);
      const [jobId] = sync.json.job_ids as string[];
      // The fake admitted the client it issued before the restart: no signature error.
      const again = await jobOf(two.base, key, accountId, (j) => j.job_id === jobId, 'the sync after the restart');
      expect([again.state, again.error_message ?? '']).toEqual(['JOB_STATE_SUCCESS', '']);
      await stop(two.running);
    }, 2 * (START_MS + SYNC_MS + STOP_MS));
  },
  { restartable: true },
);
