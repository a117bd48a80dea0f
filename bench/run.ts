/**
 * `npm run bench [-- <name>...] [--size N] [--full]`: runs each benchmark of DESIGN section 12 in
 * its own Node process (a clean heap each), prints a table and writes bench/results/<name>.json.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as analyze from './analyze';
import * as focus from './focus';
import * as gateway from './gateway';
import * as ingest from './ingest';
import * as reassign from './reassign';
import { log, MismatchError, RESULTS_DIR, writeResult, type BenchOptions, type BenchResult } from './support';

const BENCHMARKS: Record<string, { run(o: BenchOptions): Promise<BenchResult> }> = { analyze, ingest, reassign, gateway, focus };

function parseArgs(argv: string[]): { names: string[]; opts: BenchOptions; child: boolean } {
  const names: string[] = [];
  const opts: BenchOptions = { full: false };
  let child = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--full') opts.full = true;
    else if (a === '--child') child = true;
    else if (a === '--size' || a.startsWith('--size=')) {
      const v = a.includes('=') ? a.split('=')[1] : argv[++i];
      const n = Number(String(v).replace(/_/g, '').replace(/k$/i, '000').replace(/m$/i, '000000'));
      if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`--size: "${v}" is not a positive whole number (1000, 100k, 1m)`);
      opts.size = n;
    } else if (a.startsWith('-')) throw new Error(`unknown option ${a}; use: [name...] [--size N] [--full]`);
    else if (!BENCHMARKS[a]) throw new Error(`unknown benchmark "${a}"; known: ${Object.keys(BENCHMARKS).join(', ')}`);
    else names.push(a);
  }
  return { names: names.length > 0 ? names : Object.keys(BENCHMARKS), opts, child };
}

const fmt = (x: number) => (Math.abs(x) >= 1000 ? Math.round(x).toLocaleString('en-US') : String(x));

function table(results: BenchResult[]): string {
  const head = ['benchmark', 'size', 'ours', 'reference', 'unit', 'speedup', 'target', 'met'];
  const rows = results.map((r) => [
    r.benchmark,
    typeof r.size === 'number' ? fmt(r.size) : Object.entries(r.size).map(([k, v]) => `${k}=${fmt(v)}`).join(' '),
    fmt(r.ours),
    fmt(r.reference),
    r.unit,
    String(r.speedup),
    String(r.target),
    r.met ? 'yes' : 'NO',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  const out = [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)];
  for (const r of results) for (const c of r.checks) out.push(`  ${r.benchmark}: ${c.what} = ${c.value} (goal ${c.goal}) ${c.met ? 'met' : 'NOT MET'}`);
  return out.join('\n');
}

async function child(name: string, opts: BenchOptions): Promise<void> {
  const result = await BENCHMARKS[name].run(opts);
  const file = writeResult(result);
  log(`${name}: wrote ${file}`);
}

async function main(): Promise<void> {
  const { names, opts, child: isChild } = parseArgs(process.argv.slice(2));
  if (isChild) {
    await child(names[0], opts);
    return;
  }
  const results: BenchResult[] = [];
  const failed: string[] = [];
  for (const name of names) {
    log(`${name}: starting`);
    const args = [...process.execArgv, '--max-old-space-size=16384', __filename, name, '--child', ...(opts.full ? ['--full'] : []), ...(opts.size ? ['--size', String(opts.size)] : [])];
    const started = Date.now();
    const res = spawnSync(process.execPath, args, { stdio: 'inherit' });
    if (res.status !== 0) {
      failed.push(name);
      log(`${name}: FAILED (exit ${res.status ?? res.signal})`);
      continue;
    }
    results.push(JSON.parse(readFileSync(join(RESULTS_DIR, `${name}.json`), 'utf8')) as BenchResult);
    log(`${name}: done in ${Math.round((Date.now() - started) / 1000)} s`);
  }
  if (results.length > 0) {
    const m = results[0].machine;
    process.stdout.write(`\nMachine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}\n${table(results)}\n`);
  }
  if (failed.length > 0) {
    process.stdout.write(`\nFAILED: ${failed.join(', ')}\n`);
    process.exitCode = 1;
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof MismatchError ? 'MISMATCH: ' : ''}${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
