import { generateKeyPairSync } from 'node:crypto';
import { sumDecimals } from '../../lib/money';
import { startFakeHyperBilling, type FakeHyperBilling } from './fake-server';
import type { IssuedCredentials } from './clients';
import { signJwt, type JwtClaims } from './jwt';
import type { SummaryItemJson } from './summary';

const MONTH = '202403';

let fake: FakeHyperBilling;
let creds: IssuedCredentials;

beforeAll(async () => {
  fake = await startFakeHyperBilling({ seed: 'fake-test', today: '2024-06-15' });
  creds = fake.issueCredentials(['111111111111']);
});
afterAll(() => fake.close());
afterEach(() => fake.faults.clear());

const host = () => new URL(fake.url).host;

function token(over: JwtClaims = {}, key: string = creds.private_key, email = creds.client_email): string {
  const now = Math.floor(Date.now() / 1000);
  return signJwt({ iss: email, sub: email, email, aud: host(), iat: now, exp: now + 600, ...over }, key);
}

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json?: { results: SummaryItemJson[]; next_page_token: string | null; total_count: number; error?: { message: string } };
}

async function get(params: Record<string, string | string[]>, jwt: string | null = token()): Promise<Answer> {
  const url = new URL('/summary', fake.url);
  for (const [k, v] of Object.entries(params)) for (const one of [v].flat()) url.searchParams.append(k, one);
  const res = await fetch(url, {
    headers: jwt === null ? {} : { authorization: `Bearer ${jwt}` },
    signal: AbortSignal.timeout(5000),
  });
  const text = await res.text();
  let json: Answer['json'];
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

const daily = (extra: Record<string, string> = {}) => ({ account_id: creds.account_id, months: MONTH, kinds: 'daily_cost', ...extra });

const finals = (items: SummaryItemJson[]) => items.flatMap((i) => i.data.flatMap((p) => p.data.flatMap((e) => e.costs.map((c) => c.final_cost))));

describe('fake Hyper Billing: the summary answer', () => {
  it('gives daily cost per service and region whose sum is the known month total, exactly', async () => {
    const a = await get(daily());
    expect(a.status).toBe(200);
    const items = a.json!.results;
    expect(items.every((i) => i.kind === 'daily_cost' && i.month === MONTH)).toBe(true);
    const entries = items.flatMap((i) => i.data.flatMap((p) => p.data));
    expect(entries.length).toBeGreaterThan(100);
    for (const e of entries) {
      expect(e.date).toMatch(/^2024-03-\d\d$/);
      expect(e.service_name).toBeTruthy();
      expect(e.region_id).toBeTruthy();
      expect(e.costs[0].currency).toBe('USD');
      expect(e.costs[0].final_cost).toMatch(/^-?\d+\.\d{6}$/);
    }
    expect(entries.some((e) => e.costs[0].credit !== '0.000000')).toBe(true);
    expect(sumDecimals(finals(items)).toString()).toBe(fake.monthTotal(creds.account_id, MONTH));
    expect(items[0].data[0].project_id).toBe(creds.account_id);
    expect(fake.requests.at(-1)).toMatchObject({ status: 200, client_email: creds.client_email });
  });

  it('gives monthly, per-service and per-region kinds that add up to the same total', async () => {
    const a = await get({ account_id: creds.account_id, months: ['202402', '202403'], kinds: ['monthly_cost', 'cost_by_service', 'cost_by_region'] });
    expect(a.status).toBe(200);
    for (const kind of ['monthly_cost', 'cost_by_service', 'cost_by_region']) {
      const items = a.json!.results.filter((i) => i.kind === kind && i.month === MONTH);
      expect(sumDecimals(finals(items)).toString()).toBe(fake.monthTotal(creds.account_id, MONTH));
    }
  });

  it('is deterministic per seed, and has no cost after today', async () => {
    const other = await startFakeHyperBilling({ seed: 'fake-test', today: '2024-06-15' });
    const third = await startFakeHyperBilling({ seed: 'another', today: '2024-06-15' });
    try {
      other.addAccount(creds.account_id);
      third.addAccount(creds.account_id);
      expect(other.monthTotal(creds.account_id, MONTH)).toBe(fake.monthTotal(creds.account_id, MONTH));
      expect(third.monthTotal(creds.account_id, MONTH)).not.toBe(fake.monthTotal(creds.account_id, MONTH));
      expect(fake.dailyCosts(creds.account_id, '202406').every((r) => r.date <= '2024-06-15')).toBe(true);
      expect(fake.monthTotal(creds.account_id, '202407')).toBe('0');
    } finally {
      await Promise.all([other.close(), third.close()]);
    }
  });

  it('pages long answers with next_page_token, and refuses a token from another query', async () => {
    const whole = await get(daily());
    const seen: string[] = [];
    let pageToken: string | null = null;
    let pages = 0;
    do {
      const a: Answer = await get(daily({ page_size: '40', ...(pageToken ? { page_token: pageToken } : {}) }));
      expect(a.status).toBe(200);
      seen.push(...finals(a.json!.results));
      pageToken = a.json!.next_page_token;
      pages++;
    } while (pageToken && pages < 100);
    expect(pages).toBe(Math.ceil(whole.json!.total_count / 40));
    expect(seen).toEqual(finals(whole.json!.results));

    const first = await get(daily({ page_size: '40' }));
    const wrong = await get({ ...daily({ page_size: '40', page_token: first.json!.next_page_token! }), months: '202402' });
    expect(wrong.status).toBe(400);
  });

  it('answers a monthly-grain account per month, and a KRW account in KRW with USD equivalents', async () => {
    fake.addAccount({ account_id: 'monthly-1', grain: 'monthly' });
    fake.addAccount({ account_id: 'krw-1', currency: 'KRW', platform: 'google_cloud' });
    const c = fake.issueCredentials(['monthly-1', 'krw-1']);
    const jwt = token({}, c.private_key, c.client_email);
    const m = await get({ account_id: 'monthly-1', months: MONTH, kinds: 'daily_cost' }, jwt);
    const entries = m.json!.results.flatMap((i) => i.data.flatMap((p) => p.data));
    expect(entries.every((e) => e.date === undefined && e.service_name && e.region_id)).toBe(true);
    expect(sumDecimals(finals(m.json!.results)).toString()).toBe(fake.monthTotal('monthly-1', MONTH));

    const k = await get({ account_id: 'krw-1', platform: 'google_cloud', months: MONTH, kinds: 'monthly_cost' }, jwt);
    const rec = k.json!.results[0].data[0].data[0].costs[0];
    expect(rec.currency).toBe('KRW');
    expect(rec.final_cost_in_usd).not.toBe(rec.final_cost);
    const wrongPlatform = await get({ account_id: 'krw-1', platform: 'aws', months: MONTH, kinds: 'monthly_cost' }, jwt);
    expect(wrongPlatform.status).toBe(400);
  });

  it('refuses bad parameters with 400 and a message', async () => {
    const cases: Record<string, string | string[]>[] = [
      { account_id: creds.account_id, months: ['202402', '202403'], kinds: 'daily_cost' },
      { account_id: creds.account_id, months: '2024-03', kinds: 'daily_cost' },
      { account_id: creds.account_id, months: MONTH, kinds: 'usage_detail' },
      { account_id: creds.account_id, kinds: 'daily_cost' },
      { months: MONTH, kinds: 'daily_cost' },
      daily({ page_size: '0' }),
    ];
    for (const params of cases) {
      const a = await get(params);
      expect(a.status).toBe(400);
      expect(a.json!.error!.message).toBeTruthy();
    }
  });
});

describe('fake Hyper Billing: authentication and access', () => {
  it('rejects a JWT signed with another key', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const a = await get(daily(), token({}, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()));
    expect(a.status).toBe(401);
    expect(a.json!.error!.message).toMatch(/signature/);
  });

  it('rejects an expired JWT, one that lives too long, and one with the wrong audience', async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await get(daily(), token({ iat: now - 3600, exp: now - 600 }));
    expect(expired.status).toBe(401);
    expect(expired.json!.error!.message).toMatch(/expired/);
    expect((await get(daily(), token({ exp: now + 86400 }))).status).toBe(401);
    expect((await get(daily(), token({ aud: 'api.example.com' }))).status).toBe(401);
  });

  it('rejects a missing token, an unknown client, mismatched claims and alg none', async () => {
    expect((await get(daily(), null)).status).toBe(401);
    const unknown = await get(daily(), token({}, creds.private_key, 'nobody@example.com'));
    expect(unknown.status).toBe(401);
    expect(unknown.json!.error!.message).toMatch(/unknown client/);
    expect((await get(daily(), token({ sub: 'someone@else' }))).status).toBe(401);
    const parts = token().split('.');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${parts[1]}.`;
    expect((await get(daily(), none)).status).toBe(401);
  });

  it('answers 404 for an unknown account and 403 for an account of another client', async () => {
    expect((await get(daily({ account_id: '999999999999' }))).status).toBe(404);
    const other = fake.issueCredentials(['222222222222']);
    expect((await get(daily({ account_id: other.account_id }))).status).toBe(403);
  });
});

describe('fake Hyper Billing: faults', () => {
  it('rate limits with Retry-After for the next N requests, then answers', async () => {
    fake.faults.rateLimit(7, 2);
    const a = await get(daily());
    expect(a.status).toBe(429);
    expect(a.headers.get('retry-after')).toBe('7');
    expect((await get(daily())).status).toBe(429);
    expect((await get(daily())).status).toBe(200);
  });

  it('answers 500/503, persistently when asked', async () => {
    fake.faults.serverError(503, Infinity);
    for (let i = 0; i < 3; i++) expect((await get(daily())).status).toBe(503);
    fake.faults.clear();
    fake.faults.serverError(500);
    expect((await get(daily())).status).toBe(500);
    expect((await get(daily())).status).toBe(200);
  });

  it('sends malformed JSON and truncated pages, skipping requests when asked', async () => {
    fake.faults.malformed().truncated(1, 1);
    const bad = await get(daily());
    expect(bad.status).toBe(200);
    expect(bad.json).toBeUndefined();
    const cut = await get(daily());
    expect(cut.status).toBe(200);
    expect(cut.json).toBeUndefined();
    expect(cut.text.startsWith('{"results":')).toBe(true);
    expect((await get(daily())).json?.results.length).toBeGreaterThan(0);
  });

  it('drops the connection mid-body', async () => {
    fake.faults.disconnect();
    await expect(get(daily())).rejects.toThrow();
    expect((await get(daily())).status).toBe(200);
  });

  it('answers slowly, and a client that gives up does not keep the server busy', async () => {
    fake.faults.slow(150);
    const started = Date.now();
    expect((await get(daily())).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);

    fake.faults.slow(10_000);
    const url = new URL('/summary', fake.url);
    for (const [k, v] of Object.entries(daily())) url.searchParams.set(k, v);
    await expect(fetch(url, { headers: { authorization: `Bearer ${token()}` }, signal: AbortSignal.timeout(100) })).rejects.toThrow();
    expect((await get(daily())).status).toBe(200);
  });
});
