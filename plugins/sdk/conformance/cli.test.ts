import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoPlugin } from '../../demo/plugin';
import { servePluginForTest, type ServedPlugin } from '../../testing/served-plugin';
import { parseCliArgs, UsageError } from './args';
import { main } from './cli';

const dir = mkdtempSync(join(tmpdir(), 'tally-conformance-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('conformance CLI arguments', () => {
  it('reads the flags and the JSON files', () => {
    const creds = file('creds.json', '{"account_id":"acme"}');
    const opts = file('opts.json', '{"rows_per_day":5}');
    expect(parseCliArgs(['--target', 'localhost:50071', '--credentials', creds, '--options', opts, '--start', '2024-01-01', '--end', '2024-01-31', '--timeout-ms', '500'])).toEqual({
      target: 'localhost:50071',
      json: false,
      options: expect.objectContaining({ credentials: { account_id: 'acme' }, options: { rows_per_day: 5 }, start: '2024-01-01', end: '2024-01-31', timeoutMs: 500 }),
    });
    expect(parseCliArgs(['--help'])).toBeNull();
  });

  it.each<[string[], RegExp]>([
    [[], /--target host:port is required/],
    [['--target', 'localhost'], /--target must be host:port/],
    [['--target', 'h:1', '--start', '2024-02-30'], /--start must be a date YYYY-MM-DD/],
    [['--target', 'h:1', '--start', '2024-02-02', '--end', '2024-02-01'], /--start 2024-02-02 is after --end 2024-02-01/],
    [['--target', 'h:1', '--credentials', '/nonexistent/creds.json'], /--credentials \/nonexistent\/creds\.json: ENOENT/],
    [['--target', 'h:1', '--options', file('list.json', '[1]')], /a JSON object is expected/],
    [['--target', 'h:1', '--options', file('broken.json', '{')], /--options .*broken\.json: .*JSON/],
    [['--target', 'h:1', '--max-rows', '0'], /--max-rows must be a positive integer/],
    [['--target', 'h:1', '--colour'], /Unknown option '--colour'/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(UsageError);
    expect(() => parseCliArgs(argv)).toThrow(message);
  });
});

describe('conformance CLI', () => {
  let served: ServedPlugin;
  beforeAll(async () => {
    served = await servePluginForTest(demoPlugin());
  });
  afterAll(() => served.stop());

  it('prints the report and exits 0 when the plugin conforms', async () => {
    const out: string[] = [];
    const code = await main(['--target', served.target, '--start', '2024-03-30', '--end', '2024-04-02', '--options', file('o.json', '{"rows_per_day":50,"page_size":20}')], (l) => out.push(l));
    expect(out.join('\n')).toMatch(/^PASS {2}get_cost_data\.cancellation +2 cancelled stream\(s\) ended with CANCELLED/m);
    expect(out.join('\n')).toMatch(/8 passed, 0 failed, 0 skipped/);
    expect(code).toBe(0);
  });

  it('exits 1 with a FAIL line when a check fails, and prints JSON on request', async () => {
    const out: string[] = [];
    const code = await main(['--target', served.target, '--json', '--start', '2024-03-30', '--end', '2024-04-02', '--bad-credentials', file('b.json', '{"account_id":"x"}')], (l) => out.push(l));
    expect(code).toBe(1);
    const report = JSON.parse(out.join('\n'));
    expect(report.checks.find((c: { name: string }) => c.name === 'verify.bad_credentials')).toMatchObject({ status: 'FAIL', offending: 'Verify answered OK' });
  });

  it('exits 2 with the usage on a bad command line', async () => {
    const out: string[] = [];
    expect(await main(['--target'], (l) => out.push(l))).toBe(2);
    expect(out.join('\n')).toMatch(/Usage: npm run plugin:conformance/);
  });
});
