import { startTestGateway, type GatewayHarness } from '../support/gateway-harness';
import { startSuite, type Suite } from '../support/suite';
import { closedPort, tally } from './cli-harness';

/** What the CLI says when things go wrong, and its exit codes: 1 for the API, 2 for usage. */
describe('tally CLI: errors', () => {
  let s: Suite;
  let gw: GatewayHarness;
  let env: Record<string, string>;
  let otherKey: string;
  let projectId: string;
  let groupId: string;

  beforeAll(async () => {
    s = await startSuite();
    gw = await startTestGateway(s);
    const mine = await s.identity.root.domains.create({ name: 'Acme' });
    otherKey = (await s.identity.root.domains.create({ name: 'Globex' })).key;
    env = { TALLY_ENDPOINT: gw.httpUrl, TALLY_API_KEY: mine.key };
    projectId = (await tally(['project', 'create', 'Web'], env)).stdout.trim();
    groupId = (await tally(['project-group', 'create', 'Platform'], env)).stdout.trim();
  }, 60_000);
  afterAll(async () => {
    await gw?.stop();
    await s?.stop();
  }, 30_000);

  it("a missing project names the field with the gateway's code and message (exit 1)", async () => {
    s.fake.addAccount('800000000001');
    const creds = JSON.stringify(s.fake.issueCredentials(['800000000001']));
    const r = await tally(['service-account', 'create', '--name', 'x', '--provider', 'hyperbilling', '--credentials', '-'], env, creds);
    expect(r).toMatchObject({ code: 1, stdout: '' });
    expect(r.stderr).toMatch(/^tally: project_id is required: .*project.*\(INVALID_ARGUMENT, SERVICE_ACCOUNT\.PROJECT_REQUIRED\)/);
    expect(r.stderr).not.toContain('private_key');
  });

  it('a provider that needs credentials and none given is a usage error saying how to give them', async () => {
    const r = await tally(['service-account', 'create', '--name', 'x', '--provider', 'hyperbilling', '--project', projectId], env, '');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/needs credentials \(account_id, client_email, private_key\): give --credentials <file.json>/);
    const missing = await tally(['service-account', 'create', '--name', 'x', '--provider', 'hyperbilling', '--project', projectId, '--credentials', '/nonexistent.json'], env);
    expect(missing).toMatchObject({ code: 2, stderr: expect.stringContaining('cannot read the credentials file /nonexistent.json: ENOENT') });
    // The whole file make run writes (a list) instead of one of its entries.
    const list = await tally(['service-account', 'create', '--name', 'x', '--provider', 'hyperbilling', '--project', projectId, '--credentials', '-'], env, '[{"account_id":"1"},{"account_id":"2"}]');
    expect(list).toMatchObject({ code: 2, stderr: expect.stringContaining("holds a list of 2 credentials; give one of them, e.g. --credentials <(jq '.[0]' file.json)") });
  });

  it('an unreachable gateway says where it looked and what to start (exit 1)', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const r = await tally(['provider', 'list', '--endpoint', endpoint], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`cannot reach the gateway at ${endpoint}`);
    expect(r.stderr).toContain('is `make run` running?');
  });

  it('a refused API key says so (exit 1); no key at all is a usage error (exit 2)', async () => {
    const r = await tally(['project', 'list'], { ...env, TALLY_API_KEY: 'tally_nobody_wrong' });
    expect(r).toMatchObject({ code: 1, stderr: expect.stringContaining('the API key was refused') });
    const none = await tally(['project', 'list'], { TALLY_ENDPOINT: gw.httpUrl });
    expect(none).toMatchObject({ code: 2, stderr: expect.stringContaining('no API key: give --key or set TALLY_API_KEY') });
  });

  it("another domain's key on this domain's ids is NOT_FOUND (exit 1), and nothing is created", async () => {
    const r = await tally(['project', 'create', 'Intruder', '--group', groupId, '--key', otherKey], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^tally: .*NOT_FOUND/);
    const mv = await tally(['service-account', 'move', 'sa-0000000000000000', '--project', projectId, '--key', otherKey], env);
    expect(mv).toMatchObject({ code: 1, stderr: expect.stringMatching(/NOT_FOUND/) });
    expect((await tally(['project', 'list', '--key', otherKey], env)).stdout).not.toContain('Intruder');
    expect((await tally(['project', 'list'], env)).stdout).not.toContain('Intruder');
  });

  it('usage mistakes print a short help and exit 2; --help exits 0', async () => {
    const cases: [string[], RegExp][] = [
      [['frobnicate'], /unknown command: frobnicate\nusage: tally <command>/],
      [['project'], /unknown command: project\nusage:\n {2}project create <name>/],
      [['project', 'create'], /the project name is required\nusage: tally project create <name>/],
      [['project', 'list', '--colour', 'red'], /unknown option --colour/],
      [['project', 'create', 'a', 'b'], /unexpected argument "b"/],
      [['api-key', 'create', '--name', 'k', '--role', 'god'], /--role must be one of viewer, admin, member/],
      [['api-key', 'create', '--name', 'k', '--role', 'member'], /--project is required for a member key/],
      [['service-account', 'move', 'sa-1'], /--project is required/],
      [['costs', '--by', 'colour'], /--by must be one of project, .* or tags.<key>/],
      [['costs', '--granularity', 'hourly'], /--granularity must be one of daily, monthly, yearly, accumulated/],
      [['costs', '--from', '2026-13-45'], /--from must be a date YYYY-MM-DD/],
      [['sync', '--start'], /--start needs a value/],
      [['service-account', 'create', '--name', 'x', '--provider', 'hyperbilling', '--data', 'novalue', '--credentials', '-'], /--data takes key=value/],
      [['provider', 'list', '--endpoint', 'localhost:8080'], /--endpoint must be an http\(s\) URL/],
    ];
    for (const [argv, message] of cases) {
      const r = await tally(argv, env);
      expect({ argv, code: r.code, stderr: r.stderr }).toEqual({ argv, code: 2, stderr: expect.stringMatching(message) });
    }
    expect(await tally(['--help'], env)).toMatchObject({ code: 0, stdout: expect.stringContaining('service-account create --name') });
    expect(await tally(['costs', '--help'], env)).toMatchObject({ code: 0, stdout: expect.stringMatching(/^usage: tally costs/) });
    expect(await tally([], env)).toMatchObject({ code: 2, stderr: expect.stringContaining('no command given\nusage: tally <command>') });
  });

  it('a mistyped option is named as unknown, with the options the command takes, wherever it stands', async () => {
    const cases: string[][] = [
      ['project', 'list', '--jsn'],
      ['project', 'list', '--jsn', '--json'],
      ['project', 'list', '--jsn', 'x'],
      ['project', 'list', '--jsn='],
      ['--jsn', 'project', 'list'],
    ];
    for (const argv of cases) {
      const r = await tally(argv, env);
      expect({ argv, code: r.code, stderr: r.stderr }).toEqual({
        argv,
        code: 2,
        stderr: expect.stringMatching(/^tally: unknown option --jsn \(did you mean --json\?\)\n/),
      });
    }
    const listed = await tally(['project', 'list', '--jsn'], env);
    expect(listed.stderr).toContain('usage: tally project list\noptions: --endpoint, --key, --json, --help\n');
    const create = await tally(['project', 'create', 'Web', '--grop'], env);
    expect(create).toMatchObject({ code: 2, stderr: expect.stringMatching(/^tally: unknown option --grop \(did you mean --group\?\)\nusage: tally project create <name> \[--group <group id>\]\noptions: --group, /) });
    expect(await tally(['jobs', '--colour'], env)).toMatchObject({ code: 2, stderr: expect.stringMatching(/^tally: unknown option --colour\nusage: tally jobs .*\noptions: --account, --limit, /) });
    // A known option without its value still says so, at the end of the line or before another flag.
    expect(await tally(['sync', '--start', '--json'], env)).toMatchObject({ code: 2, stderr: expect.stringMatching(/^tally: --start needs a value\n/) });
    expect(await tally(['jobs', '--limit'], env)).toMatchObject({ code: 2, stderr: expect.stringMatching(/^tally: --limit needs a value\n/) });
  });

  it('a numeric option that is not a whole number in range is a usage error, never the default', async () => {
    for (const bad of ['abc', '0', '-1', '1.5', '1e2', '', ' ', '1001', '0x10']) {
      const r = await tally(['jobs', `--limit=${bad}`], env);
      expect({ bad, code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({
        bad,
        code: 2,
        stdout: '',
        stderr: expect.stringContaining(`tally: --limit must be a whole number from 1 to 1000 (not ${JSON.stringify(bad)})`),
      });
    }
    expect(await tally(['jobs', '--limit', '-1'], env)).toMatchObject({ code: 2, stderr: expect.stringContaining('--limit must be a whole number') });
    expect(await tally(['jobs', '--limit', '1000', '--json'], env)).toMatchObject({ code: 0, stdout: expect.stringContaining('"results"') });
  });

  it('costs filtered on a project or group the domain does not have is NOT_FOUND naming it (exit 1), not a table of zeros', async () => {
    const cases: [string[], RegExp][] = [
      [['costs', '--project', 'project-0000000000000000'], /^tally: project project-0000000000000000 not found \(NOT_FOUND, PROJECT\.NOT_FOUND\)/],
      [['costs', '--project', projectId, '--key', otherKey], new RegExp(`^tally: project ${projectId} not found \\(NOT_FOUND`)],
      [['costs', '--group', 'pg-0000000000000000', '--by', 'project'], /^tally: project group pg-0000000000000000 not found \(NOT_FOUND, PROJECT_GROUP\.NOT_FOUND\)/],
      [['costs', '--group', groupId, '--granularity', 'accumulated', '--key', otherKey], new RegExp(`^tally: project group ${groupId} not found \\(NOT_FOUND`)],
    ];
    for (const [argv, message] of cases) {
      const r = await tally(argv, env);
      expect({ argv, code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({ argv, code: 1, stdout: '', stderr: expect.stringMatching(message) });
    }
    const fine = await tally(['costs', '--project', projectId, '--group', groupId, '--granularity', 'accumulated'], env);
    expect(fine).toMatchObject({ code: 0, stderr: '' });
  });

  it('usage lines have no odd gaps, in the help and in each command\'s help', async () => {
    const full = await tally(['help'], env);
    expect(full).toEqual(await tally(['--help'], env));
    expect(full.code).toBe(0);
    const help = full.stdout.split('\n');
    const commands = help.slice(help.indexOf('commands:') + 1, help.indexOf('', help.indexOf('commands:')));
    expect(commands.length).toBeGreaterThan(10);
    for (const line of commands) expect({ line, gap: /^ {2}\S.*\s{2,}/.test(line) }).toEqual({ line, gap: false });
    expect(commands).toContain('  domain create <name> — a domain and its first admin API key (needs the root key)');
    expect(await tally(['help', 'frobnicate'], env)).toMatchObject({ code: 2, stderr: expect.stringMatching(/^tally: unknown command: frobnicate\n/) });
    expect(await tally(['help', 'domain', 'create'], env)).toEqual(await tally(['domain', 'create', '--help'], env));
    const domain = await tally(['domain', 'create', '--help'], env);
    expect(domain).toMatchObject({ code: 0, stdout: 'usage: tally domain create <name>\na domain and its first admin API key (needs the root key)\noptions: --endpoint, --key, --json, --help\n' });
  });

  it('with --json an error still goes to stderr in words, leaving stdout empty for scripts', async () => {
    const r = await tally(['project', 'create', 'x', '--group', 'pg-nope', '--json'], env);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^tally: .*NOT_FOUND/);
  });
});
