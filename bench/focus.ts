/**
 * `focus`: FOCUS CSV rows parsed and aggregated to the daily grain per second, by the FOCUS
 * plugin's own reader (plugins/focus aggregateFocusFile), against DuckDB's read_csv with the same
 * GROUP BY on the same file, in the same run. The file repeats the real 1,000-row sample from
 * shared/data/focus until it has the requested rows. Target (DESIGN section 12): ratio >= 0.5.
 */
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { Decimal } from '../lib/money';
import { aggregateFocusFile } from '../plugins/focus';
import { defaultWorkers } from '../plugins/focus/piece-pool';
import { log, machine, MismatchError, now, round, type BenchOptions, type BenchResult } from './support';

const SAMPLE = join(process.env.TALLY_SHARED_DIR ?? join(__dirname, '..', '..', '..', 'shared'), 'data', 'focus', 'focus_sample_1.0.csv');

async function writeFile(path: string, rows: number): Promise<void> {
  const text = readFileSync(SAMPLE, 'utf8').replace(/\r\n/g, '\n').trimEnd();
  const [header, ...lines] = text.split('\n');
  const out = createWriteStream(path);
  out.write(`${header}\n`);
  for (let i = 0; i < rows; i++) {
    if (!out.write(`${lines[i % lines.length]}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

const csv = (path: string) => `read_csv('${path.replace(/'/g, "''")}', header = true, nullstr = 'NULL', all_varchar = true)`;

async function duckdb(path: string): Promise<{ ms: number; groups: number; totals: Record<string, string>; threads: string }> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { DuckDBInstance } = require('@duckdb/node-api') as typeof import('@duckdb/node-api');
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  const started = now();
  const reader = await c.runAndReadAll(`
    SELECT CAST(ChargePeriodStart AS DATE) AS day, COALESCE(NULLIF(SubAccountId, ''), BillingAccountId) AS account,
           ServiceName, RegionId, ChargeCategory, BillingCurrency, SUM(CAST(BilledCost AS DECIMAL(38, 18))) AS cost
    FROM ${csv(path)}
    GROUP BY ALL`);
  const ms = now() - started;
  // Not timed: the exact total per currency, to check ours against.
  const totals = (await c.runAndReadAll(`SELECT BillingCurrency, SUM(CAST(BilledCost AS DECIMAL(38, 18)))::VARCHAR FROM ${csv(path)} GROUP BY 1`)).getRows();
  const threads = String((await c.runAndReadAll("SELECT current_setting('threads')")).getRows()[0][0]);
  return { ms, groups: reader.getRows().length, totals: Object.fromEntries(totals.map(([cur, t]) => [String(cur), Decimal.parse(String(t)).toString()])), threads };
}

export async function run(o: BenchOptions): Promise<BenchResult> {
  const rows = o.size ?? (o.full ? 1_000_000 : 300_000);
  const dir = mkdtempSync(join(tmpdir(), 'tally-bench-focus-'));
  const file = join(dir, 'focus.csv');
  try {
    await writeFile(file, rows);
    // Warm the page cache for both readers alike.
    for await (const _ of createReadStream(file)) void _;
    const oursRuns: number[] = [];
    const refRuns: number[] = [];
    let oursGroups = 0;
    let refGroups = 0;
    let refThreads = '';
    for (let i = 0; i < 3; i++) {
      const ours = await aggregateFocusFile(file);
      oursRuns.push(ours.ms);
      oursGroups = ours.rows;
      if (ours.lineItems !== rows) throw new MismatchError(`focus: read ${ours.lineItems} line items of ${rows}`);
      const ref = await duckdb(file);
      refRuns.push(ref.ms);
      refGroups = ref.groups;
      refThreads = ref.threads;
      if (JSON.stringify(ours.totals) !== JSON.stringify(ref.totals)) throw new MismatchError(`focus: BilledCost totals differ: ours ${JSON.stringify(ours.totals)}, DuckDB ${JSON.stringify(ref.totals)}`);
      log(`focus: run ${i + 1}: ours ${round(ours.ms)} ms, duckdb ${round(ref.ms)} ms`);
    }
    const best = (xs: number[]) => Math.min(...xs);
    const oursRate = Math.round(rows / (best(oursRuns) / 1000));
    const refRate = Math.round(rows / (best(refRuns) / 1000));
    const speedup = round(oursRate / refRate);
    return {
      benchmark: 'focus',
      date: new Date().toISOString(),
      machine: machine(),
      size: rows,
      ours: oursRate,
      reference: refRate,
      speedup,
      target: 0.5,
      unit: 'rows/s',
      met: speedup >= 0.5,
      checks: [{ what: 'rows/s ratio (ours / DuckDB read_csv)', value: speedup, goal: '>= 0.5', met: speedup >= 0.5 }],
      notes: [
        'The file repeats the real 1,000-row FOCUS 1.0 sample; best of 3 runs each; the exact BilledCost total per currency must equal DuckDB\'s DECIMAL(38,18) sum.',
        `Threads: ours ${defaultWorkers() + 1} (the main thread and ${defaultWorkers()} piece worker${defaultWorkers() === 1 ? '' : 's'}, kept between runs as in a long-running plugin), DuckDB ${refThreads}.`,
        `Daily groups: ours ${oursGroups}, DuckDB ${refGroups} (DuckDB groups by day, account, service, region, charge category, currency; ours also by tags).`,
      ],
      raw: { oursMs: oursRuns, duckdbMs: refRuns, oursGroups, duckdbGroups: refGroups },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
