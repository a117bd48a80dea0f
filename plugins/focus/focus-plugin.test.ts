import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Decimal } from '../../lib/money';
import { formatReport, runConformance, type CostRow, type PluginClient } from '../sdk';
import { servePluginForTest, type ServedPlugin } from '../testing/served-plugin';
import { createFocusPlugin, PROVIDER_TAG } from './plugin';
import { accountOfRow, parseCsvText, SAMPLE, SAMPLE_RANGE, sampleRows, sums } from './testing/sample';

const rows = sampleRows();
const perAccount = sums(rows, accountOfRow);
const accounts = Object.keys(perAccount);
const BIG = '11353890204';
const TOKEN = 'focus-test-bearer-token-0123456789';

let served: ServedPlugin;
let client: PluginClient;
let dir: string;
let http: Server;
let url: string;
let requests: { auth: string | undefined }[];

beforeAll(async () => {
  served = await servePluginForTest(createFocusPlugin({ pageSize: 100 }));
  client = served.client;
  dir = mkdtempSync(join(tmpdir(), 'focus-plugin-'));
  requests = [];
  const body = readFileSync(SAMPLE);
  const gz = gzipSync(body);
  http = createServer((req, res) => {
    requests.push({ auth: req.headers.authorization });
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return res.writeHead(401).end();
    if (req.url === '/exports/focus.csv') return res.writeHead(200, { 'content-type': 'text/csv' }).end(body);
    if (req.url === '/exports/focus.csv.gz') return res.writeHead(200, { 'content-type': 'application/gzip' }).end(gz);
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await served?.stop();
  await new Promise((r) => http?.close(r));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const account = (id: string) => ({ serviceAccountId: `sa-${id}`, externalAccountId: id, provider: 'focus', data: { account_id: id } });

async function costRows(secretData: Record<string, unknown>, id: string, options: Record<string, unknown> = {}, range: { start: string; end: string } = SAMPLE_RANGE): Promise<CostRow[]> {
  const tasks = await client.getTasks({ secretData, options, account: account(id), startDate: range.start, endDate: range.end });
  const out: CostRow[] = [];
  for (const task of tasks.tasks) for await (const page of client.getCostData({ secretData, options, account: account(id), task })) out.push(...page.rows);
  return out;
}
const total = (rs: CostRow[]) => rs.reduce((a, r) => a.add(Decimal.parse(r.cost)), Decimal.ZERO).toString();
/** Every sub-account's total from a location: the file's BilledCost sums, to the last decimal. */
async function totalsOf(secretData: Record<string, unknown>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const id of accounts) out[id] = total(await costRows(secretData, id));
  return out;
}

describe('FOCUS plugin over gRPC: the real sample', () => {
  it('answers each sub-account its own rows at the daily grain; totals equal the file to the last decimal', async () => {
    expect(accounts.length).toBeGreaterThan(50);
    expect(await totalsOf({ location: SAMPLE })).toEqual(perAccount);
  });

  it('aggregates line items by day, service, region and charge category; keeps tags and FOCUS ProviderName as a tag', async () => {
    const got = await costRows({ location: SAMPLE }, BIG);
    const mine = rows.filter((r) => accountOfRow(r) === BIG);
    expect(got.length).toBeLessThan(mine.length);
    const keys = got.map((r) => JSON.stringify([r.billedDate, r.product, r.region, r.usageType, r.tags]));
    expect(new Set(keys).size).toBe(keys.length);
    for (const r of got) {
      expect(r).toMatchObject({ externalAccountId: BIG, provider: 'focus', currency: 'USD' });
      expect(r.billedDate >= SAMPLE_RANGE.start && r.billedDate <= SAMPLE_RANGE.end).toBe(true);
      expect(r.tags[PROVIDER_TAG]).toBe('AWS');
      expect(r.additionalInfo.focus_cost_column).toBe('BilledCost');
    }
    const lineItems = got.reduce((n, r) => n + Number(r.additionalInfo.focus_line_items), 0);
    expect(lineItems).toBe(mine.length);
    const tagged = mine.find((r) => r.Tags !== 'NULL')!;
    const flat = JSON.parse(tagged.Tags) as Record<string, string>;
    expect(got.some((r) => Object.entries(flat).every(([k, v]) => r.tags[k] === v))).toBe(true);
    // Per-day sums equal the file's.
    const perDay = sums(mine, (r) => r.ChargePeriodStart.slice(0, 10));
    const gotPerDay: Record<string, Decimal> = {};
    for (const r of got) gotPerDay[r.billedDate] = (gotPerDay[r.billedDate] ?? Decimal.ZERO).add(Decimal.parse(r.cost));
    expect(Object.fromEntries(Object.entries(gotPerDay).map(([k, v]) => [k, v.toString()]))).toEqual(perDay);
  });

  it('reports what it interpreted in the task report on the last page, and no skipped rows', async () => {
    const secretData = { location: SAMPLE };
    const [task] = (await client.getTasks({ secretData, account: account(BIG), startDate: SAMPLE_RANGE.start, endDate: SAMPLE_RANGE.end })).tasks;
    const pages = [];
    for await (const page of client.getCostData({ secretData, account: account(BIG), task })) pages.push(page);
    expect(pages.slice(0, -1).every((p) => p.report === undefined)).toBe(true);
    const report = pages.at(-1)!.report!;
    expect(report.skippedRecords).toBe('0');
    expect(report.notes).toEqual([expect.stringMatching(/^interpreted focus_sample_1\.0\.csv \(FOCUS 1\.0\): \d+ timestamps as "YYYY-MM-DD HH:MM:SS" \(no T, no zone\) read as UTC; /)]);
  });

  it('maps rows without SubAccountId by BillingAccountId (Oracle rows with NULL)', async () => {
    const oracle = rows.filter((r) => r.ProviderName === 'Oracle');
    const ids = [...new Set(oracle.map(accountOfRow))];
    for (const id of ids) expect(total(await costRows({ location: SAMPLE }, id))).toBe(perAccount[id]);
  });

  it('chooses the cost column and the charge categories by option; only the task range counts', async () => {
    const mine = rows.filter((r) => accountOfRow(r) === BIG);
    expect(total(await costRows({ location: SAMPLE }, BIG, { cost_column: 'EffectiveCost' }))).toBe(sums(mine, () => 'x', 'EffectiveCost').x);
    expect(total(await costRows({ location: SAMPLE }, BIG, { cost_column: 'ListCost' }))).toBe(sums(mine, () => 'x', 'ListCost').x);
    const usage = await costRows({ location: SAMPLE }, BIG, { charge_categories: ['Usage'] });
    expect(usage.every((r) => r.usageType === 'Usage')).toBe(true);
    expect(total(usage)).toBe(sums(mine.filter((r) => r.ChargeCategory === 'Usage'), () => 'x').x);
    const week = await costRows({ location: SAMPLE }, BIG, {}, { start: '2024-09-01', end: '2024-09-07' });
    expect(total(week)).toBe(sums(mine.filter((r) => r.ChargePeriodStart.slice(0, 10) <= '2024-09-07'), () => 'x').x);
    await expect(client.init({ options: { cost_column: 'Cost' } })).rejects.toMatchObject({ code: 3 });
  });

  it('reads a folder of several files, plain and gzip, in sub-folders', async () => {
    const [header, ...records] = parseCsvText(readFileSync(SAMPLE, 'utf8'));
    const folder = join(dir, 'folder');
    const csv = (rs: string[][]) => [header, ...rs].map((r) => r.map((v) => `"${v.replace(/"/g, '""')}"`).join(',')).join('\n') + '\n';
    mkdirSync(join(folder, '2024-09'), { recursive: true });
    writeFileSync(join(folder, 'part-1.csv'), csv(records.slice(0, 300)));
    writeFileSync(join(folder, '2024-09', 'part-2.csv.gz'), gzipSync(csv(records.slice(300, 700))));
    writeFileSync(join(folder, 'part-3.csv'), csv(records.slice(700)));
    writeFileSync(join(folder, 'README.txt'), 'not an export');
    expect(await totalsOf({ location: folder })).toEqual(perAccount);
  });

  it('reads a gzip file', async () => {
    const gz = join(dir, 'sample.csv.gz');
    writeFileSync(gz, gzipSync(readFileSync(SAMPLE)));
    expect(await totalsOf({ location: gz })).toEqual(perAccount);
  });

  it('reads a served URL with a bearer token, plain and gzip; a wrong token is UNAUTHENTICATED', async () => {
    expect(total(await costRows({ location: `${url}/exports/focus.csv`, bearer_token: TOKEN }, BIG))).toBe(perAccount[BIG]);
    expect(total(await costRows({ location: `${url}/exports/focus.csv.gz`, bearer_token: TOKEN }, BIG))).toBe(perAccount[BIG]);
    expect(requests.at(-1)!.auth).toBe(`Bearer ${TOKEN}`);
    const secretData = { location: `${url}/exports/focus.csv`, bearer_token: 'wrong-token-wrong-token' };
    await expect(client.verify({ secretData, account: account(BIG) })).rejects.toMatchObject({ code: 16 });
    await expect(client.verify({ secretData: { location: `${url}/exports/none.csv`, bearer_token: TOKEN }, account: account(BIG) })).rejects.toMatchObject({ code: 3 });
  });

  it('Verify: a missing location or unknown key is INVALID_ARGUMENT; a good one answers', async () => {
    await client.verify({ secretData: { location: SAMPLE }, account: account(BIG) });
    await expect(client.verify({ secretData: {}, account: account(BIG) })).rejects.toMatchObject({ code: 3 });
    await expect(client.verify({ secretData: { location: join(dir, 'nothing-here.csv') }, account: account(BIG) })).rejects.toMatchObject({ code: 3 });
    await expect(client.verify({ secretData: { location: SAMPLE, api_key: 'x' }, account: account(BIG) })).rejects.toMatchObject({ code: 3 });
  });

  it('passes the SDK conformance kit with the sample', async () => {
    // Small pages, so that the kit's cancel lands mid-stream.
    const small = await servePluginForTest(createFocusPlugin({ pageSize: 10 }));
    const report = await runConformance(small.target, {
      credentials: { location: SAMPLE },
      account: { externalAccountId: BIG, provider: 'focus', data: { account_id: BIG } },
      start: SAMPLE_RANGE.start,
      end: SAMPLE_RANGE.end,
      timeoutMs: 5_000,
    }).finally(() => small.stop());
    expect({ ok: report.ok, text: formatReport(report) }).toEqual({ ok: true, text: expect.any(String) });
    expect(report.checks.filter((c) => c.status !== 'PASS').map((c) => [c.name, c.status, c.reason])).toEqual([]);
  });
});
