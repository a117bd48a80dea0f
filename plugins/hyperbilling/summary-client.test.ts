import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DomainError } from '../../lib/errors/domain-error';
import { createMemoryLogger } from '../../lib/log/logger';
import { fetchSummaryPage, type SummaryClientOptions } from './summary-client';
import { TEST_RETRY } from './testing/harness';

/** A bare HTTP server scripted per test, for answers the fake does not give. */
let server: Server;
let answer: (res: ServerResponse, n: number) => void;
let hits = 0;

beforeAll(async () => {
  server = createServer((_req, res) => answer(res, ++hits));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  hits = 0;
});

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const opts = (): SummaryClientOptions => ({
  endpoint: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`),
  credentials: { accountId: 'acc', clientEmail: 'c@hb.example', privateKey },
  retry: TEST_RETRY,
  logger: createMemoryLogger().logger,
  signal: new AbortController().signal,
});
const query = { months: ['202403'], kinds: ['daily_cost'] };
const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

async function error(p: Promise<unknown>): Promise<DomainError> {
  try {
    await p;
  } catch (err) {
    return err as DomainError;
  }
  throw new Error('no error');
}

describe('summary client', () => {
  it('reports JSON it cannot read, after retrying, as INTERNAL naming the field', async () => {
    answer = (res) => json(res, 200, { results: [{ kind: 'daily_cost', data: [{ data: [{ invoice_month: '202403', costs: [{ final_cost: 'NaN', currency: 'USD' }] }] }] }] });
    const e = await error(fetchSummaryPage(opts(), query));
    expect(e).toMatchObject({ kind: 'INTERNAL', reason: 'HYPERBILLING.INVALID_DATA' });
    expect(e.message).toMatch(/costs\[0\]\.final_cost: "NaN" is not a decimal amount.*gave up after 4 attempts/);
    expect(hits).toBe(4);
  });

  it('honours a Retry-After given as an HTTP date', async () => {
    answer = (res, n) =>
      n === 1 ? json(res, 429, { error: { message: 'slow down' } }, { 'retry-after': new Date(Date.now() + 1500).toUTCString() }) : json(res, 200, { results: [] });
    const started = Date.now();
    await expect(fetchSummaryPage(opts(), query)).resolves.toEqual({ entries: [], nextPageToken: undefined });
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
  });

  it('does not follow redirects (the token is for this host) and does not retry them', async () => {
    answer = (res) => {
      res.writeHead(302, { location: 'http://elsewhere.example/summary' });
      res.end();
    };
    const e = await error(fetchSummaryPage(opts(), query));
    expect(e).toMatchObject({ kind: 'UNAVAILABLE', reason: 'HYPERBILLING.REDIRECTED' });
    expect(e.message).toMatch(/^Hyper Billing answered 302 \(a redirect\) at http:\/\/127\.0\.0\.1:\d+\/v1; point the data source's plugin configuration at the API's final URL$/);
    expect(hits).toBe(1);
  });

  it('maps a 400 to INVALID_ARGUMENT with the API message, without retrying', async () => {
    answer = (res) => json(res, 400, { error: { message: 'platform foo is unknown' } });
    const e = await error(fetchSummaryPage(opts(), query));
    expect(e).toMatchObject({ kind: 'INVALID_ARGUMENT', reason: 'HYPERBILLING.BAD_REQUEST' });
    expect(e.message).toMatch(/platform foo is unknown/);
    expect(hits).toBe(1);
  });

  it('calls the summary under the endpoint path with the query parameters', async () => {
    let url = '';
    server.once('request', (req) => (url = req.url ?? ''));
    answer = (res) => json(res, 200, []);
    await fetchSummaryPage(opts(), { ...query, platform: 'aws' }, 'tok');
    expect(url).toBe('/v1/summary?platform=aws&account_id=acc&months=202403&kinds=daily_cost&page_token=tok');
  });
});
