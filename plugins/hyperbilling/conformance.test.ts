import { formatReport, runConformance } from '../sdk';
import { secretOf, startHarness, type Harness } from './testing/harness';

let h: Harness;

beforeAll(async () => {
  // Small pages (fake and plugin) so that paging and a cancel mid-stream are both exercised.
  h = await startHarness({ fake: { pageSize: 100 }, plugin: { pageSize: 50 } });
});
afterAll(() => h.close());

describe('Hyper Billing plugin: SDK conformance kit', () => {
  it('passes every check against the fake API with credentials the fake issued', async () => {
    const report = await runConformance(h.target, {
      credentials: secretOf(h.creds),
      start: '2024-05-20',
      end: '2024-06-10',
      timeoutMs: 5_000,
    });
    const text = formatReport(report);
    expect({ ok: report.ok, text }).toEqual({ ok: true, text: expect.any(String) });
    const byName = Object.fromEntries(report.checks.map((c) => [c.name, c.status]));
    expect(byName).toMatchObject({
      'init.metadata': 'PASS',
      'verify.bad_credentials': 'PASS',
      'verify.credentials': 'PASS',
      'get_tasks.tasks': 'PASS',
      'get_cost_data.rows': 'PASS',
      'get_cost_data.pages': 'PASS',
      'get_cost_data.cancellation': 'PASS',
    });
  });
});
