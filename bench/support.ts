/** What every benchmark shares: the machine, percentiles, timing, the result file. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

export interface BenchOptions {
  /** --size N: the benchmark's main size (rows, calls...); each has its own default. */
  size?: number;
  /** --full: the sizes DESIGN section 12 names (slow on a small machine). */
  full: boolean;
}

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  platform: string;
}

export interface BenchResult {
  benchmark: string;
  date: string;
  machine: Machine;
  /** The main size the figures are for (rows, calls). */
  size: number | Record<string, number>;
  /** Our headline figure, in `unit`. */
  ours: number;
  /** The reference's headline figure, in `unit`, measured in the same run. */
  reference: number;
  /** Higher is better: reference/ours for latencies, ours/reference for rates. */
  speedup: number;
  /** The goal for `speedup` (DESIGN section 12). */
  target: number;
  unit: string;
  /** Every goal of DESIGN section 12 for this benchmark held. */
  met: boolean;
  /** The goals, one by one. */
  checks: { what: string; value: number; goal: string; met: boolean }[];
  notes: string[];
  /** Every figure measured. */
  raw: Record<string, unknown>;
}

export function machine(): Machine {
  let cpu = cpus()[0]?.model ?? 'unknown';
  try {
    const lscpu = execFileSync('lscpu', { encoding: 'utf8' });
    const model = /^Model name:\s*(.+)$/m.exec(lscpu)?.[1];
    const hv = /^Hypervisor vendor:\s*(.+)$/m.exec(lscpu)?.[1];
    if (model) cpu = hv ? `${model} (${hv} guest)` : model;
  } catch {
    // lscpu is optional
  }
  return {
    cpu,
    cores: cpus().length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

/** Nearest-rank percentile of samples (ms). */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export const round = (x: number, digits = 2): number => Math.round(x * 10 ** digits) / 10 ** digits;

export function summary(samples: readonly number[]): { n: number; p50: number; p95: number; p99: number; min: number; max: number } {
  return {
    n: samples.length,
    p50: round(percentile(samples, 50), 3),
    p95: round(percentile(samples, 95), 3),
    p99: round(percentile(samples, 99), 3),
    min: round(Math.min(...samples), 3),
    max: round(Math.max(...samples), 3),
  };
}

/** Milliseconds since t0 (from now()). */
export const now = (): number => performance.now();

export function log(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}

export const RESULTS_DIR = join(__dirname, '..', '..', 'bench', 'results');

export function writeResult(result: BenchResult): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${result.benchmark}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

/** Fails the benchmark loudly: a fast wrong answer is worthless. */
export class MismatchError extends Error {}
