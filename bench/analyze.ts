/**
 * analyze: dashboard queries over N daily cost rows in the embedded store, through billing's own
 * ledger and analyze, against DuckDB running the same GROUP BY (with the same attribution: a join
 * with the account -> project table) over the same rows, in the same process and run.
 */
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Granularity, type CostServiceAnalyzeRequest, type CostServiceAnalyzeResponse } from '../gen/tally/billing/v1/cost';
import type { Principal } from '../lib/auth/principal';
import { createLogger } from '../lib/log/logger';
import { Decimal } from '../lib/money';
import { createEmbeddedStore } from '../lib/store/embedded';
import type { Store } from '../lib/store/port';
import { analyze } from '../services/billing/application/analyze';
import { createLedger, ensureLedgerIndexes } from '../services/billing/application/ledger';
import type { CostLedger } from '../services/billing/application/ports';
import { BILLING_COLLECTIONS, OPEN_END } from '../services/billing/domain/records';
import { dayRows, estate, type Estate } from './cost-data';
import { log, machine, MismatchError, now, round, summary, type BenchOptions, type BenchResult } from './support';

interface Query {
  name: string;
  request: CostServiceAnalyzeRequest;
  sql: string;
}

const base = { groupBy: [], filter: [], filterOr: [], sort: [], limit: 0, currency: '' };

function queries(e: Estate): Query[] {
  const project = e.projects[0];
  return [
    {
      name: 'domain 12 months by project, MONTHLY',
      request: { ...base, granularity: Granularity.GRANULARITY_MONTHLY, start: '2024-01-01', end: '2024-12-31', groupBy: ['project_id'] },
      sql: `SELECT a.project_id AS g, strftime(c.billed_date, '%Y-%m') AS period, CAST(SUM(c.cost) AS VARCHAR) AS total
            FROM costs c JOIN accounts a ON a.service_account_id = c.service_account_id
            WHERE c.billed_date BETWEEN DATE '2024-01-01' AND DATE '2024-12-31' GROUP BY 1, 2`,
    },
    {
      name: 'one project 31 days by product, DAILY',
      request: {
        ...base,
        granularity: Granularity.GRANULARITY_DAILY,
        start: '2024-12-01',
        end: '2024-12-31',
        groupBy: ['product'],
        filter: [{ k: 'project_id', v: project, o: '' }],
      } as CostServiceAnalyzeRequest,
      sql: `SELECT c.product AS g, strftime(c.billed_date, '%Y-%m-%d') AS period, CAST(SUM(c.cost) AS VARCHAR) AS total
            FROM costs c JOIN accounts a ON a.service_account_id = c.service_account_id
            WHERE a.project_id = '${project}' AND c.billed_date BETWEEN DATE '2024-12-01' AND DATE '2024-12-31' GROUP BY 1, 2`,
    },
    {
      name: 'domain 12 months by tags.team, MONTHLY',
      request: { ...base, granularity: Granularity.GRANULARITY_MONTHLY, start: '2024-01-01', end: '2024-12-31', groupBy: ['tags.team'] },
      sql: `SELECT c.tag_team AS g, strftime(c.billed_date, '%Y-%m') AS period, CAST(SUM(c.cost) AS VARCHAR) AS total
            FROM costs c JOIN accounts a ON a.service_account_id = c.service_account_id
            WHERE c.billed_date BETWEEN DATE '2024-01-01' AND DATE '2024-12-31' GROUP BY 1, 2`,
    },
  ];
}

/** Writes the mirror records analyze attributes with: settings, groups, projects, accounts, assignments. */
async function writeMirror(store: Store, e: Estate): Promise<void> {
  const d = e.domainId;
  await store.collection(BILLING_COLLECTIONS.settings).insertOne({
    _id: d,
    domain_id: d,
    currency: 'USD',
    attribution_mode: 'FOLLOW_ACCOUNT',
    first_sync_months: 12,
    schedule_hours: 24,
    hyperbilling_enabled: false,
  });
  for (const g of e.groups) await store.collection(BILLING_COLLECTIONS.projectGroups).insertOne({ _id: g, domain_id: d, name: g, parent_group_id: '' });
  for (const p of e.projects) await store.collection(BILLING_COLLECTIONS.projects).insertOne({ _id: p, domain_id: d, name: p, project_group_id: e.groupOf.get(p)! });
  for (const sa of e.accounts) {
    const project = e.projectOf.get(sa)!;
    await store.collection(BILLING_COLLECTIONS.accounts).insertOne({
      _id: sa,
      domain_id: d,
      name: sa,
      provider: 'aws',
      project_id: project,
      external_account_id: sa,
      data: {},
      secret_id: '',
      version: 1,
      synced: {},
      updated_at: new Date(),
    });
    await store
      .collection(BILLING_COLLECTIONS.assignments)
      .insertOne({ _id: `${sa}:2024-01-01`, domain_id: d, service_account_id: sa, project_id: project, from: '2024-01-01', to: OPEN_END });
  }
}

const csvField = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** Loads the rows through the ledger (one committed generation per account) and into a CSV for DuckDB. */
async function load(ledger: CostLedger, e: Estate, csvPath: string): Promise<{ ledgerMs: number; csvMs: number }> {
  const csv = createWriteStream(csvPath);
  const put = (text: string) => (csv.write(text) ? Promise.resolve() : new Promise<void>((r) => csv.once('drain', () => r())));
  await put('service_account_id,billed_date,provider,product,region,usage_type,resource_id,cost,currency,tag_team,tag_env\n');
  let ledgerMs = 0;
  let csvMs = 0;
  const BATCH = 10_000;
  const started = now();
  for (let a = 0; a < e.accounts.length; a++) {
    const sa = e.accounts[a];
    let t = now();
    const writer = await ledger.begin({
      domainId: e.domainId,
      dataSourceId: e.dataSourceId,
      serviceAccountId: sa,
      jobId: `job-bench-${a}`,
      windows: [{ start: e.days[0], end: e.days[e.days.length - 1] }],
    });
    ledgerMs += now() - t;
    let batch = [];
    for (let d = 0; d < e.days.length; d++) {
      const rows = dayRows(e, a, d);
      t = now();
      let text = '';
      for (const r of rows)
        text += `${sa},${r.billed_date},${r.provider},${r.product},${r.region},${r.usage_type},${r.resource_id},${r.cost},${r.currency},${csvField(r.tags.team)},${csvField(r.tags.env)}\n`;
      await put(text);
      csvMs += now() - t;
      batch.push(...rows);
      if (batch.length >= BATCH || d === e.days.length - 1) {
        t = now();
        await writer.write(batch);
        ledgerMs += now() - t;
        batch = [];
      }
    }
    t = now();
    await writer.commit();
    ledgerMs += now() - t;
    if ((a + 1) % Math.max(1, Math.floor(e.accounts.length / 10)) === 0)
      log(`analyze: loaded ${a + 1}/${e.accounts.length} accounts (${Math.round(((a + 1) * e.rows) / e.accounts.length).toLocaleString()} rows, ${Math.round((now() - started) / 1000)} s)`);
  }
  await new Promise<void>((resolve, reject) => csv.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return { ledgerMs, csvMs };
}

/**
 * Commits one account's day again with the same rows, through the ledger as a re-sync does: the
 * data (and every answer) stays the same, but the domain's ledger epoch moves on, so the next
 * query finds nothing cached, as the first dashboard query after every sync does.
 */
async function recommitDay(ledger: CostLedger, e: Estate, accountIndex: number, dayIndex: number): Promise<void> {
  const day = e.days[dayIndex];
  const writer = await ledger.begin({
    domainId: e.domainId,
    dataSourceId: e.dataSourceId,
    serviceAccountId: e.accounts[accountIndex],
    jobId: `job-bench-resync-${accountIndex}-${dayIndex}`,
    windows: [{ start: day, end: day }],
  });
  await writer.write(dayRows(e, accountIndex, dayIndex));
  await writer.commit();
}

/** group -> period -> total, both sides canonical decimals; zero cells left out. */
type Cells = Map<string, string>;

function oursCells(res: CostServiceAnalyzeResponse): Cells {
  const cells: Cells = new Map();
  for (const g of res.results) {
    const key = Object.values(g.keys)[0] ?? '';
    for (const p of g.series) {
      const v = Decimal.parse(p.cost);
      if (!v.isZero()) cells.set(`${key}|${p.period}`, v.toString());
    }
  }
  return cells;
}

function duckCells(rows: unknown[][]): Cells {
  const cells: Cells = new Map();
  for (const [g, period, total] of rows) {
    const v = Decimal.parse(String(total));
    if (!v.isZero()) cells.set(`${String(g)}|${String(period)}`, v.toString());
  }
  return cells;
}

function compare(name: string, ours: Cells, ref: Cells): void {
  const problems: string[] = [];
  for (const [k, v] of ref) if (ours.get(k) !== v) problems.push(`${k}: ours ${ours.get(k) ?? 'missing'}, duckdb ${v}`);
  for (const [k, v] of ours) if (!ref.has(k)) problems.push(`${k}: ours ${v}, duckdb missing`);
  if (problems.length > 0) throw new MismatchError(`analyze "${name}": ${problems.length} cells differ from DuckDB, e.g. ${problems.slice(0, 5).join('; ')}`);
}

export async function run(opts: BenchOptions): Promise<BenchResult> {
  const wanted = opts.size ?? (opts.full ? 10_000_000 : 1_000_000);
  const e = estate(wanted);
  const iterations = 30;
  /** Per query: re-syncs, each followed by one timed query (the first after a commit). */
  const afterCommits = 5;
  const notes: string[] = [];
  if (!opts.full && opts.size === undefined) notes.push('Default size 1M rows; DESIGN asks for 10M: run `npm run bench -- analyze --full` (loading 10M rows takes long on a 2-core machine).');
  log(`analyze: ${e.rows.toLocaleString()} rows (${e.accounts.length} accounts x ${e.days.length} days x ${e.rowsPerDay} rows), ${e.projects.length} projects`);

  const dir = mkdtempSync(join(tmpdir(), 'tally-bench-analyze-'));
  try {
    const store = await createEmbeddedStore();
    await ensureLedgerIndexes(store);
    await writeMirror(store, e);
    const csvPath = join(dir, 'costs.csv');
    const ledger = createLedger(store, createLogger({ name: 'bench-ledger', level: 'warn' }));
    const t0 = now();
    const loaded = await load(ledger, e, csvPath);
    const loadMs = now() - t0;
    const loadedRssMiB = Math.round(process.memoryUsage().rss / 2 ** 20);
    log(`analyze: ledger ${Math.round(loaded.ledgerMs)} ms (${Math.round(e.rows / (loaded.ledgerMs / 1000)).toLocaleString()} rows/s), csv ${Math.round(loaded.csvMs)} ms, rss ${loadedRssMiB} MiB`);

    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { DuckDBInstance } = require('@duckdb/node-api') as typeof import('@duckdb/node-api');
    const db = await DuckDBInstance.create(':memory:');
    const duck = await db.connect();
    const t1 = now();
    await duck.run(`CREATE TABLE costs AS SELECT * FROM read_csv('${csvPath}', header = true, columns = {
      'service_account_id': 'VARCHAR', 'billed_date': 'DATE', 'provider': 'VARCHAR', 'product': 'VARCHAR', 'region': 'VARCHAR',
      'usage_type': 'VARCHAR', 'resource_id': 'VARCHAR', 'cost': 'DECIMAL(38,9)', 'currency': 'VARCHAR', 'tag_team': 'VARCHAR', 'tag_env': 'VARCHAR'})`);
    await duck.run('CREATE TABLE accounts (service_account_id VARCHAR, project_id VARCHAR)');
    const values = e.accounts.map((sa) => `('${sa}', '${e.projectOf.get(sa)}')`).join(',');
    await duck.run(`INSERT INTO accounts VALUES ${values}`);
    const duckLoadMs = now() - t1;
    const count = Number((await duck.runAndReadAll('SELECT count(*) FROM costs')).getRows()[0][0]);
    if (count !== e.rows) throw new MismatchError(`DuckDB holds ${count} rows, expected ${e.rows}`);
    const threads = String((await duck.runAndReadAll("SELECT current_setting('threads')")).getRows()[0][0]);
    log(`analyze: DuckDB loaded in ${Math.round(duckLoadMs)} ms (threads=${threads})`);

    const principal: Principal = { subject: 'bench', domainId: e.domainId, role: 'DOMAIN_ADMIN', projectIds: [] };
    const perQuery = [];
    for (const q of queries(e)) {
      // Correctness first: same cells, same exact totals.
      const ours = await analyze({ store }, principal, q.request);
      const ref = (await duck.runAndReadAll(q.sql)).getRows();
      compare(q.name, oursCells(ours), duckCells(ref));
      if (ours.results.length === 0) throw new MismatchError(`analyze "${q.name}": no groups at all`);
      const refTotal = ref.reduce((s, r) => s.add(Decimal.parse(String(r[2]))), Decimal.ZERO);
      if (!Decimal.parse(ours.total).equals(refTotal)) throw new MismatchError(`analyze "${q.name}": total ${ours.total} vs DuckDB ${refTotal.toString()}`);

      const oursMs: number[] = [];
      const duckMs: number[] = [];
      for (let i = 0; i < 3; i++) {
        await analyze({ store }, principal, q.request);
        await duck.runAndReadAll(q.sql);
      }
      for (let i = 0; i < iterations; i++) {
        let t = now();
        await analyze({ store }, principal, q.request);
        oursMs.push(now() - t);
        t = now();
        await duck.runAndReadAll(q.sql);
        duckMs.push(now() - t);
      }
      // The first query after a commit: nothing cached (same answer: the commit re-stores the same rows).
      const firstMs: number[] = [];
      for (let i = 0; i < afterCommits; i++) {
        await recommitDay(ledger, e, (perQuery.length * afterCommits + i) % e.accounts.length, e.days.length - 1 - i);
        const t = now();
        const first = await analyze({ store }, principal, q.request);
        firstMs.push(now() - t);
        if (first.total !== ours.total) throw new MismatchError(`analyze "${q.name}": total ${first.total} after an identical re-sync, ${ours.total} before`);
      }
      const o = summary(oursMs);
      const r = summary(duckMs);
      const f = summary(firstMs);
      perQuery.push({ query: q.name, groups: ours.results.length, total: ours.total, ours: o, duckdb: r, speedup: round(r.p50 / o.p50, 2), oursFirstAfterCommit: f });
      log(
        `analyze: ${q.name}: ours p50 ${o.p50} ms p95 ${o.p95} ms (first after a commit: p50 ${f.p50} ms, max ${f.max} ms); duckdb p50 ${r.p50} ms p95 ${r.p95} ms; x${round(r.p50 / o.p50, 2)}; totals equal (${ours.total})`,
      );
    }
    duck.closeSync();
    db.closeSync();

    const worstSpeedup = Math.min(...perQuery.map((q) => q.speedup));
    const worstOurs = Math.max(...perQuery.map((q) => q.ours.p50));
    const oursMedian = round(perQuery.reduce((s, q) => s + q.ours.p50, 0) / perQuery.length, 3);
    const refMedian = round(perQuery.reduce((s, q) => s + q.duckdb.p50, 0) / perQuery.length, 3);
    const at10M = e.rows >= 10_000_000;
    if (!at10M) notes.push(`Measured at ${e.rows.toLocaleString()} rows; the targets are stated for 10M rows.`);
    notes.push('ours/reference: the mean over the three queries of each side\'s p50 (ms); speedup: the worst query\'s duckdb_p50 / ours_p50.');
    notes.push('DuckDB gets the tags as plain columns (tag_team), a favour to the reference; both sides add DECIMAL exactly and the cells were compared before timing.');
    notes.push(
      `Analyze caches what it read per ledger epoch, which every commit moves on: the first query after a commit reads again the buckets the commit touched (the account's and the domain's months and years; ${perQuery.map((q) => `${q.query}: p50 ${q.oursFirstAfterCommit.p50} ms`).join('; ')}; ${afterCommits} re-syncs of one day each, raw.queries[].oursFirstAfterCommit).`,
    );
    const checks = [
      { what: 'worst query speedup (duckdb p50 / ours p50)', value: worstSpeedup, goal: '>= 10', met: worstSpeedup >= 10 },
      { what: 'worst query ours p50 (ms)', value: worstOurs, goal: '< 20', met: worstOurs < 20 },
    ];
    return {
      benchmark: 'analyze',
      date: new Date().toISOString(),
      machine: machine(),
      size: e.rows,
      ours: oursMedian,
      reference: refMedian,
      speedup: worstSpeedup,
      target: 10,
      unit: 'ms (p50)',
      met: checks.every((c) => c.met),
      checks,
      notes,
      raw: {
        estate: { accounts: e.accounts.length, projects: e.projects.length, days: e.days.length, rowsPerAccountDay: e.rowsPerDay },
        iterations,
        duckdbThreads: threads,
        loadMs: round(loadMs, 0),
        /** Resident memory once loaded, and the process's peak (store, CSV writer and DuckDB). */
        loadedRssMiB,
        peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
        ledgerWriteMs: round(loaded.ledgerMs, 0),
        ledgerRowsPerSecond: Math.round(e.rows / (loaded.ledgerMs / 1000)),
        duckdbLoadMs: round(duckLoadMs, 0),
        queries: perQuery,
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
