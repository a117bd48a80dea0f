import { performance } from 'node:perf_hooks';
import type { OnBadRows } from './bad-rows';
import { DailyAggregator } from './daily-aggregator';
import { listSources } from './export-sources';
import type { CostColumn } from './focus-columns';
import { readExports } from './read-exports';

export interface AggregateFocusFileResult {
  /** Daily rows produced (distinct keys over every account). */
  rows: number;
  /** Line items read and checked. */
  lineItems: number;
  /** Wall time of reading, parsing and aggregating. */
  ms: number;
}

/**
 * Reads a FOCUS export (a file or folder, plain or gzip) and aggregates every account to the
 * daily grain, the work GetCostData does without the transport: the `focus` benchmark's "ours".
 */
export async function aggregateFocusFile(
  path: string,
  options: { costColumn?: CostColumn; onBadRows?: OnBadRows; signal?: AbortSignal } = {},
): Promise<AggregateFocusFileResult> {
  const started = performance.now();
  const aggregator = new DailyAggregator({ costColumn: options.costColumn ?? 'BilledCost', onBadRows: options.onBadRows ?? 'fail' });
  await readExports(await listSources({ location: path }), aggregator, options.signal ?? new AbortController().signal);
  let rows = 0;
  for (const _ of aggregator.results()) rows++;
  return { rows, lineItems: aggregator.lineItems, ms: performance.now() - started };
}
