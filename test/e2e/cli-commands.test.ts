import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestGateway, type GatewayHarness } from '../support/gateway-harness';
import { eventually, startSuite, type Suite } from '../support/suite';
import { tally } from './cli-harness';

const today = new Date().toISOString().slice(0, 10);
/** A decimal string without trailing fraction zeros: "12.50" and "12.5" are the same amount. */
const exact = (d: string) => (d.includes('.') ? d.replace(/0+$/, '').replace(/\.$/, '') : d);

/** Every command of the admin CLI against a running gateway, as an operator would use them. */
describe('tally CLI: commands against the gateway', () => {
  let s: Suite;
  let gw: GatewayHarness;
  let env: Record<string, string>;
  const ids: Record<string, string> = {};
  const dir = mkdtempSync(join(tmpdir(), 'tally-cli-'));

  /** Runs a command that must succeed; its stdout. */
  const ok = async (argv: string[], stdin?: string | { terminal: string[] }) => {
    const r = await tally(argv, env, stdin);
    expect({ argv, code: r.code, stderr: r.stderr }).toEqual({ argv, code: 0, stderr: expect.not.stringMatching(/tally:/) });
    return r.stdout;
  };
  const credentials = (account: string) => {
    s.fake.addAccount(account);
    return s.fake.issueCredentials([account]);
  };

  beforeAll(async () => {
    s = await startSuite();
    gw = await startTestGateway(s);
  }, 60_000);
  afterAll(async () => {
    await gw?.stop();
    await s?.stop();
  }, 30_000);

  it('domain create (root key) prints the domain id and its admin key, which then works', async () => {
    const out = await tally(['domain', 'create', 'Acme'], { TALLY_ENDPOINT: gw.httpUrl, TALLY_API_KEY: s.identity.config.TALLY_ROOT_KEY });
    expect(out.code).toBe(0);
    ids.domain = /^domain: (domain-\S+) \(Acme\)$/m.exec(out.stdout)![1];
    const key = /^admin api key: (tally_\S+)$/m.exec(out.stdout)![1];
    env = { TALLY_ENDPOINT: gw.httpUrl, TALLY_API_KEY: key };
    expect(await ok(['provider', 'list'])).toContain('hyperbilling');
  });

  it('provider list is a table with aligned columns', async () => {
    const lines = (await ok(['provider', 'list'])).trimEnd().split('\n');
    expect(lines[0]).toMatch(/^PROVIDER\s+NAME\s+BILLING\s+KIND\s+CREDENTIALS$/);
    const hb = lines.find((l) => l.startsWith('hyperbilling'))!;
    expect(hb).toMatch(/Hyper Billing\s+yes\s+built-in\s+account_id, client_email, private_key/);
    expect(hb.indexOf('Hyper Billing')).toBe(lines[0].indexOf('NAME'));
  });

  it('project-group create, project create --group and project list', async () => {
    ids.group = (await ok(['project-group', 'create', 'Platform'])).trim();
    expect(ids.group).toMatch(/^pg-/);
    ids.web = (await ok(['project', 'create', 'Web', '--group', ids.group])).trim();
    ids.other = (await ok(['project', 'create', 'Other'])).trim();
    const list = await ok(['project', 'list']);
    expect(list).toMatch(new RegExp(`${ids.web}\\s+Web\\s+Platform \\(${ids.group}\\)`));
    expect(list).toMatch(new RegExp(`${ids.other}\\s+Other\\s+-`));
  });

  it('api-key create prints a key once, with the role asked for', async () => {
    const out = await ok(['api-key', 'create', '--name', 'ci', '--role', 'viewer']);
    const key = out.split('\n')[1];
    expect(key).toMatch(/^tally_/);
    expect(await tally(['project', 'list', '--key', key], env)).toMatchObject({ code: 0 });
    const denied = await tally(['project', 'create', 'Nope', '--key', key], env);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/not allowed/);
    const member = await ok(['api-key', 'create', '--name', 'web team', '--role', 'member', '--project', ids.web, '--json']);
    expect(JSON.parse(member).api_key).toMatchObject({ role: 'ROLE_PROJECT_MEMBER', project_ids: [ids.web] });
    // A member lists its own projects; the group tree is not its to read, so groups show by id.
    const mine = await tally(['project', 'list', '--key', JSON.parse(member).key], env);
    expect(mine).toMatchObject({ code: 0, stderr: '' });
    expect(mine.stdout).toMatch(new RegExp(`${ids.web}\\s+Web\\s+\\? \\(${ids.group}\\)`));
    expect(mine.stdout).not.toContain(ids.other);
  });

  it('service-account create reads credentials from a file, a pipe or a silent prompt, and never prints them', async () => {
    const file = join(dir, 'hb.json');
    const fromFile = credentials('600000000001');
    writeFileSync(file, JSON.stringify(fromFile));
    const out = await ok(['service-account', 'create', '--name', 'HB file', '--provider', 'hyperbilling', '--project', ids.web, '--credentials', file]);
    ids.a = out.trim();
    expect(ids.a).toMatch(/^sa-/);

    const piped = credentials('600000000002');
    ids.b = (await ok(['service-account', 'create', '--name', 'HB pipe', '--provider', 'hyperbilling', '--project', ids.other, '--credentials', '-'], JSON.stringify(piped))).trim();
    expect(ids.b).toMatch(/^sa-/);

    const typed = credentials('600000000003');
    const prompted = await tally(
      ['service-account', 'create', '--name=HB typed', '--provider=hyperbilling', `--project=${ids.other}`, '--data', 'platform=aws'],
      env,
      { terminal: [typed.account_id, typed.client_email, ...typed.private_key.trim().split('\n')] },
    );
    expect(prompted.code).toBe(0);
    expect(prompted.stderr).toContain('private_key (not echoed): ');
    ids.c = prompted.stdout.trim();
    const keyLine = typed.private_key.split('\n')[2];
    for (const text of [out, prompted.stdout, prompted.stderr]) expect(text).not.toContain(keyLine);

    const list = await ok(['service-account', 'list']);
    expect(list).toMatch(new RegExp(`${ids.a}\\s+HB file\\s+hyperbilling\\s+${ids.web}`));
    expect(list).toMatch(new RegExp(`${ids.c}\\s+HB typed\\s+hyperbilling\\s+${ids.other}`));
    expect(list).not.toContain(keyLine);
  });

  it('sync starts jobs and prints their ids; jobs shows each state', async () => {
    const all = [ids.a, ids.b, ids.c];
    const done = () => eventually(() => tally(['jobs', '--json'], env), (r) => JSON.parse(r.stdout).results.filter((j: { state: string }) => j.state === 'JOB_STATE_SUCCESS').length >= 3, 'first syncs', 60_000);
    await done();
    const jobIds = (await ok(['sync', '--account', ids.a, '--start', `${today.slice(0, 8)}01`, '--end', today])).trim().split('\n');
    expect(jobIds).toHaveLength(1);
    expect(jobIds[0]).toMatch(/^job-/);
    await eventually(() => tally(['jobs', '--account', ids.a, '--json'], env), (r) => JSON.parse(r.stdout).results.every((j: { state: string }) => j.state !== 'JOB_STATE_IN_PROGRESS'), 'the sync', 60_000);
    const table = await ok(['jobs']);
    expect(table.split('\n')[0]).toMatch(/^JOB\s+SERVICE ACCOUNT\s+STATE\s+TRIGGER\s+WINDOW\s+ROWS\s+SKIPPED\s+ERROR$/);
    expect(table).toMatch(new RegExp(`${jobIds[0]}\\s+${ids.a}\\s+SUCCESS\\s+MANUAL\\s+\\S+\\s+\\d+\\s+0\\s*$`, 'm'));
    for (const id of all) expect(table).toContain(id);
    expect((await ok(['jobs', '--limit', '1'])).trimEnd().split('\n')).toHaveLength(2);
  }, 120_000);

  it('costs: a table by project with aligned exact amounts, a TOTAL row equal to the API total, and the currency', async () => {
    const raw = JSON.parse(await ok(['costs', '--by', 'project', '--granularity', 'accumulated', '--json']));
    expect(raw.total).not.toBe('0');
    const lines = (await ok(['costs', '--by', 'project', '--granularity', 'accumulated'])).trimEnd().split('\n');
    expect(lines[0]).toMatch(/^PROJECT_ID\s+PROJECT_NAME\s+\S+\s+TOTAL$/);
    // Each project's name stands next to its id; --json is the analyze answer, ids only.
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${ids.web}\\s+Web\\s+\\d`)));
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${ids.other}\\s+Other\\s+\\d`)));
    expect(JSON.stringify(raw)).not.toContain('"Web"');
    expect(raw.results.map((g: { keys: object }) => Object.keys(g.keys))).toEqual(raw.results.map(() => ['project_id']));
    const totalCell = lines.find((l) => l.startsWith('TOTAL'))!.trim().split(/\s+/).pop()!;
    expect(exact(totalCell)).toBe(exact(raw.total));
    expect(lines[lines.length - 1]).toBe(`amounts in ${raw.currency}`);
    const amountRows = lines.slice(1, -1);
    expect(new Set(amountRows.map((l) => l.length)).size).toBe(1);
    expect(new Set(amountRows.map((l) => l.lastIndexOf('.'))).size).toBe(1);
    for (const g of raw.results) expect(lines.some((l) => l.startsWith(g.keys.project_id))).toBe(true);

    const calls: string[] = [];
    const grouped = await tally(['costs', '--by', 'group', '--by', 'account', '--granularity', 'accumulated'], env, '', calls);
    expect(grouped).toMatchObject({ code: 0, stderr: '' });
    // The names come from one list call per kind of id, never one call per row.
    expect(calls.sort()).toEqual(['/billing/cost/analyze', '/identity/project-group/list', '/identity/service-account/list']);
    const byGroup = grouped.stdout.split('\n');
    expect(byGroup[0]).toMatch(/^PROJECT_GROUP_ID\s+PROJECT_GROUP_NAME\s+SERVICE_ACCOUNT_ID\s+SERVICE_ACCOUNT_NAME\s+\S+\s+TOTAL$/);
    expect(byGroup).toContainEqual(expect.stringMatching(new RegExp(`^${ids.group}\\s+Platform\\s+${ids.a}\\s+HB file\\s+\\d`)));
    expect(byGroup).toContainEqual(expect.stringMatching(new RegExp(`^-\\s+-\\s+${ids.c}\\s+HB typed\\s+\\d`)));

    const monthly = (await ok(['costs', '--granularity', 'monthly', '--from', '2026-01-01', '--to', '2026-03-31'])).split('\n');
    expect(monthly[0]).toMatch(/^\s*2026-01\s+2026-02\s+2026-03\s+TOTAL$/);
    expect(monthly[1]).toMatch(/^\s*\d+\.\d{2,}\s+\d+\.\d{2,}\s+\d+\.\d{2,}\s+\d+\.\d{2,}$/);
  });

  it('service-account move and delete change what costs show', async () => {
    const before = JSON.parse(await ok(['costs', '--by', 'project', '--granularity', 'accumulated', '--json']));
    expect(await ok(['service-account', 'move', ids.a, '--project', ids.other])).toContain(`${ids.a} moved to ${ids.other}`);
    await eventually(
      async () => JSON.parse(await ok(['costs', '--project', ids.web, '--granularity', 'accumulated', '--json'])).total,
      (t) => t === '0',
      'Web to lose the account',
    );
    expect(JSON.parse(await ok(['costs', '--granularity', 'accumulated', '--json'])).total).toBe(before.total);
    expect(await ok(['service-account', 'delete', ids.a])).toContain(`${ids.a} deleted`);
    expect(await ok(['service-account', 'list'])).not.toContain(ids.a);
  });
});
