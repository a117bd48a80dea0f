import { performance } from 'node:perf_hooks';
import { Decimal } from '../../lib/money';
import type { OnBadRows } from './bad-rows';
import { DailyAggregator } from './daily-aggregator';
import { listSources } from './export-sources';
import type { CostColumn } from './focus-columns';
import { readExports, type ReadOptions } from './read-exports';

export interface AggregateFocusFileResult {
  /** Daily rows produced (distinct keys over every account). */
  rows: number;
  /** Line items read and checked. */
  lineItems: number;
  /** The cost column's exact total per currency, over every daily row. */
  totals: Record<string, string>;
  /** Wall time of reading, parsing and aggregating. */
  ms: number;
}

/**
 * Reads a FOCUS export (a file or folder, plain or gzip) and aggregates every account to the
 * daily grain, the work GetCostData does without the transport: the `focus` benchmark's "ours".
 */
export async function aggregateFocusFile(
  path: string,
  options: { costColumn?: CostColumn; onBadRows?: OnBadRows; signal?: AbortSignal } & ReadOptions = {},
): Promise<AggregateFocusFileResult> {
  const started = performance.now();
  const aggregator = new DailyAggregator({ costColumn: options.costColumn ?? 'BilledCost', onBadRows: options.onBadRows ?? 'fail' });
  await readExports(await listSources({ location: path }), aggregator, options.signal ?? new AbortController().signal, options);
  let rows = 0;
  const totals = new Map<string, Decimal>();
  for (const r of aggregator.results()) {
    rows++;
    totals.set(r.currency, (totals.get(r.currency) ?? Decimal.ZERO).add(Decimal.parse(r.cost)));
  }
  const ms = performance.now() - started;
  return { rows, lineItems: aggregator.lineItems, totals: Object.fromEntries([...totals].map(([c, t]) => [c, t.toString()])), ms };
}
