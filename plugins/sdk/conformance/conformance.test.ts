import { unauthenticated } from '../../../lib/errors/domain-error';
import { createMemoryLogger } from '../../../lib/log/logger';
import { demoPlugin } from '../../demo/plugin';
import { brokenPlugin, type BrokenKind } from '../../testing/broken-plugins';
import { startRawPlugin } from '../../testing/raw-plugin';
import { serve, type PluginImpl, type RunningPlugin } from '..';
import { formatReport, runConformance, type ConformanceOptions, type ConformanceReport } from '.';

const RANGE = { start: '2024-05-29', end: '2024-06-02' };
const FAST: ConformanceOptions = { ...RANGE, timeoutMs: 1500, cancelBoundMs: 1000 };

const running: RunningPlugin[] = [];
afterAll(async () => {
  await Promise.all(running.map((p) => p.shutdown()));
});

async function start(impl: PluginImpl): Promise<string> {
  const p = await serve(impl, { name: 'under-test', logger: createMemoryLogger('plugin', 'warn').logger, handleSignals: false, shutdownGraceMs: 200 });
  running.push(p);
  return `127.0.0.1:${p.port}`;
}

const check = (r: ConformanceReport, name: string) => {
  const c = r.checks.find((x) => x.name === name);
  if (!c) throw new Error(`no check ${name} in\n${formatReport(r)}`);
  return c;
};

describe('conformance kit', () => {
  it('passes on the demo plugin, every check run', async () => {
    const target = await start(demoPlugin());
    const report = await runConformance(target, { ...FAST, options: { accounts: 2, rows_per_day: 300, page_size: 100 }, credentials: { account_id: 'acme' } });
    const text = formatReport(report);
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => [c.name, c.status])).toEqual([
      ['init.metadata', 'PASS'],
      ['verify.bad_credentials', 'PASS'],
      ['verify.credentials', 'PASS'],
      ['get_tasks.invalid_range', 'PASS'],
      ['get_tasks.tasks', 'PASS'],
      ['get_cost_data.rows', 'PASS'],
      ['get_cost_data.pages', 'PASS'],
      ['get_cost_data.cancellation', 'PASS'],
    ]);
    expect(text).toMatch(/^PASS {2}get_cost_data\.rows +3000 row\(s\) in 30 page\(s\) of 2\/2 task\(s\) are well formed/m);
    expect(text).toMatch(/8 passed, 0 failed, 0 skipped .*: CONFORMS$/);
  });

  it('skips, and says why, what it cannot exercise: one-page tasks, a plugin needing credentials it was not given', async () => {
    const small = await runConformance(await start(demoPlugin()), FAST);
    expect(small.ok).toBe(true);
    expect(check(small, 'get_cost_data.cancellation')).toMatchObject({ status: 'SKIP', reason: expect.stringMatching(/every task fits in one page/) });

    const demo = demoPlugin();
    const needy: PluginImpl = {
      ...demo,
      verify(req, ctx) {
        if (!req.secretData?.account_id) throw unauthenticated('an account_id is required');
        return demo.verify(req, ctx);
      },
    };
    const report = await runConformance(await start(needy), FAST);
    expect(report.ok).toBe(true);
    expect(check(report, 'verify.credentials')).toMatchObject({ status: 'SKIP', reason: expect.stringMatching(/pass --credentials file\.json/) });
    expect(check(report, 'get_cost_data.rows').status).toBe('SKIP');
  });

  it.each<[BrokenKind, string, RegExp]>([
    ['dates-outside-range', 'get_cost_data.rows', /billed_date 2024-06-01 is outside the task's 2024-05-29\.\.2024-05-31/],
    ['exponent-amounts', 'get_cost_data.rows', /row 7: cost: "1e-7" uses exponent notation/],
    ['missing-currency', 'get_cost_data.rows', /row 3: currency "" is not an ISO 4217 code/],
    ['crash-mid-stream', 'get_cost_data.rows', /INTERNAL: internal error \(request/],
    ['bad-credentials-crash', 'verify.bad_credentials', /Verify answered INTERNAL/],
  ])('fails on a plugin with %s, naming %s', async (kind, name, offending) => {
    const target = await start(brokenPlugin(kind));
    const report = await runConformance(target, FAST);
    const c = check(report, name);
    expect(report.ok).toBe(false);
    expect(c.status).toBe('FAIL');
    expect(`${c.reason} ${c.offending}`).toMatch(offending);
    expect(formatReport(report)).toMatch(new RegExp(`^FAIL  ${name.replace('.', '\\.')} `, 'm'));
    expect(formatReport(report)).toMatch(/DOES NOT CONFORM$/);
  });

  it.each([
    [{ rowsPerPage: 11 }, /task "all" page 1 has 11 rows/],
    [{ firstPage: 0 }, /task "all" page 0: expected page 1/],
    [{ report: { onPage: 1, notes: ['line 3 skipped'] } }, /task "all" page 2 came after the page with the report/],
    [{ report: { onPage: 1, notes: Array.from({ length: 21 }, (_, i) => `n${i}`) } }, /task "all" page 1: 21 notes \(at most 20\)/],
  ])('fails on a plugin whose pages break the protocol (%j), naming get_cost_data.pages', async (faults, offending) => {
    const plugin = await startRawPlugin(faults);
    try {
      // A short bound: this plugin also wedges on the cancellation check, which is not what this test is about.
      const report = await runConformance(`127.0.0.1:${plugin.port}`, { ...FAST, timeoutMs: 300 });
      expect(check(report, 'get_cost_data.pages')).toMatchObject({ status: 'FAIL', offending: expect.stringMatching(offending) });
      expect(check(report, 'get_cost_data.rows').status).toBe('PASS');
    } finally {
      plugin.stop();
    }
  });

  it('fails on a plugin that ignores cancellation and wedges', async () => {
    const plugin = await startRawPlugin();
    try {
      const report = await runConformance(`127.0.0.1:${plugin.port}`, { ...FAST, timeoutMs: 700 });
      const c = check(report, 'get_cost_data.cancellation');
      expect(check(report, 'get_cost_data.rows').status).toBe('PASS');
      expect(c.status).toBe('FAIL');
      expect(c.offending).toMatch(/after a cancelled GetCostData, the next one sent no page within 700 ms/);
    } finally {
      plugin.stop();
    }
  });
});
