import { status, type ServiceError } from '@grpc/grpc-js';
import { sumDecimals } from '../../lib/money';
import type { CostRow, Task } from '../sdk';
import { ACCOUNT, TEST_RETRY, secretOf, startHarness, type Harness } from './testing/harness';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ fake: { pageSize: 60 } });
});
afterAll(() => h.close());
beforeEach(() => {
  h.fake.faults.clear();
  h.fake.requests.length = 0;
});

const MARCH: Task = { taskId: `hyperbilling:${ACCOUNT}:202403`, taskOptions: { month: '202403' }, startDate: '2024-03-01', endDate: '2024-03-31' };

async function rowsOf(harness: Harness, deadlineMs = 10_000): Promise<CostRow[]> {
  const rows: CostRow[] = [];
  for await (const page of harness.client.getCostData({ secretData: secretOf(harness.creds), task: MARCH }, { deadlineMs })) rows.push(...page.rows);
  return rows;
}

async function failure(p: Promise<unknown>): Promise<ServiceError> {
  try {
    await p;
  } catch (err) {
    return err as ServiceError;
  }
  throw new Error('the call succeeded');
}

const verify = (harness: Harness, deadlineMs = 10_000) => harness.client.verify({ secretData: secretOf(harness.creds) }, { deadlineMs });
const pagesOfMarch = () => Math.ceil(h.fake.dailyCosts(ACCOUNT, '202403').length / 60);
const expectMarchTotal = (rows: CostRow[]) => expect(sumDecimals(rows.map((r) => r.cost)).toString()).toBe(h.fake.monthTotal(ACCOUNT, '202403'));

describe('Hyper Billing plugin: retries', () => {
  it('waits out a 429 for its Retry-After, then succeeds', async () => {
    h.fake.faults.rateLimit(1, 1);
    await verify(h);
    const [first, second] = h.fake.requests;
    expect([first.status, second.status]).toEqual([429, 200]);
    expect(second.at - first.at).toBeGreaterThanOrEqual(950);
  });

  it('does not wait for a Retry-After longer than it is willing to: UNAVAILABLE at once', async () => {
    h.fake.faults.rateLimit(120, 1);
    const started = Date.now();
    const err = await failure(verify(h));
    expect(err.code).toBe(status.UNAVAILABLE);
    expect(err.details).toMatch(/retry after 120 s/);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('retries a 500 and a 502 and the rows are complete', async () => {
    h.fake.faults.serverError(500).serverError(502);
    const rows = await rowsOf(h);
    expectMarchTotal(rows);
    expect(h.fake.requests.map((r) => r.status).slice(0, 3)).toEqual([500, 502, 200]);
  });

  it('gives up on a persistent 503 after its attempts with UNAVAILABLE, well within the deadline', async () => {
    h.fake.faults.serverError(503, Infinity);
    const started = Date.now();
    const err = await failure(rowsOf(h, 5_000));
    expect(err.code).toBe(status.UNAVAILABLE);
    expect(err.details).toMatch(/503.*gave up after 4 attempts/);
    expect(h.fake.requests).toHaveLength(TEST_RETRY.maxAttempts);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('never retries past the deadline: the call ends at it and no request follows', async () => {
    const slow = await startHarness({ plugin: { retry: { ...TEST_RETRY, maxAttempts: 100, baseDelayMs: 150, maxDelayMs: 150 } } });
    try {
      slow.fake.faults.serverError(503, Infinity);
      const started = Date.now();
      const err = await failure(verify(slow, 500));
      const took = Date.now() - started;
      expect([status.DEADLINE_EXCEEDED, status.UNAVAILABLE]).toContain(err.code);
      expect(took).toBeLessThan(1_200);
      // The server learns of the deadline a moment after the client: give it that moment.
      await new Promise((r) => setTimeout(r, 100));
      const seen = slow.fake.requests.length;
      await new Promise((r) => setTimeout(r, 400));
      expect(slow.fake.requests.length).toBe(seen);
      expect(slow.fake.requests.every((r) => r.at <= started + 650)).toBe(true);
    } finally {
      await slow.close();
    }
  });

  it('ends a call whose answer is slower than its deadline at the deadline', async () => {
    h.fake.faults.slow(5_000, Infinity);
    const started = Date.now();
    const err = await failure(verify(h, 300));
    expect(err.code).toBe(status.DEADLINE_EXCEEDED);
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('times out slow attempts itself and reports UNAVAILABLE when they all time out', async () => {
    const impatient = await startHarness({ plugin: { retry: { ...TEST_RETRY, maxAttempts: 2, requestTimeoutMs: 150 } } });
    try {
      impatient.fake.faults.slow(5_000, Infinity);
      const err = await failure(verify(impatient));
      expect(err.code).toBe(status.UNAVAILABLE);
      expect(err.details).toMatch(/no answer within 150 ms.*gave up after 2 attempts/);
    } finally {
      await impatient.close();
    }
  });

  it('retries an answer that is not JSON, then succeeds', async () => {
    h.fake.faults.malformed();
    expectMarchTotal(await rowsOf(h));
    expect(h.fake.requests[0].fault).toBe('malformed');
  });

  it('retries a page cut mid-JSON (the second page) and the rows are complete', async () => {
    h.fake.faults.truncated(1, 1);
    const rows = await rowsOf(h);
    expectMarchTotal(rows);
    expect(h.fake.requests).toHaveLength(pagesOfMarch() + 1);
    expect(h.fake.requests[1].fault).toBe('truncated');
    expect(h.fake.requests[2].query.page_token).toEqual(h.fake.requests[1].query.page_token);
  });

  it('retries a connection dropped mid-body, then succeeds', async () => {
    h.fake.faults.disconnect();
    expectMarchTotal(await rowsOf(h));
  });

  it('reports malformed answers that persist as UNAVAILABLE with a clear message', async () => {
    h.fake.faults.malformed(Infinity);
    const err = await failure(rowsOf(h));
    expect(err.code).toBe(status.UNAVAILABLE);
    expect(err.details).toMatch(/not valid JSON.*gave up after 4 attempts/);
  });

  it('reports an unreachable API as UNAVAILABLE', async () => {
    const gone = await startHarness();
    await gone.fake.close();
    try {
      const err = await failure(verify(gone));
      expect(err.code).toBe(status.UNAVAILABLE);
      expect(err.details).toMatch(/could not be reached/);
    } finally {
      await gone.stopPlugin();
    }
  });
});
