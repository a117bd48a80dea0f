import { connectPlugin } from '../client';
import { isIsoDate } from '../dates';
import { checkCancellation } from './check-cancellation';
import { checkCostData } from './check-cost-data';
import { checkMetadata } from './check-metadata';
import { skip, type Verdict } from './check-result';
import { checkInvalidRange, checkTasks } from './check-tasks';
import { checkBadCredentials, checkCredentials } from './check-verify';
import { resolveSettings, type ConformanceOptions } from './options';
import type { CheckResult, ConformanceReport } from './report';
import { elapsedMs } from './timing';

/**
 * Runs every check against the plugin at `target` (host:port), in the order billing calls it:
 * Init, Verify, GetTasks, GetCostData, cancellation. Never throws for a plugin's misbehaviour:
 * that is what the report is for.
 */
export async function runConformance(target: string, options: ConformanceOptions = {}): Promise<ConformanceReport> {
  for (const [name, value] of [['start', options.start], ['end', options.end]] as const) {
    if (value !== undefined && !isIsoDate(value)) throw new Error(`${name} must be a date YYYY-MM-DD, got ${JSON.stringify(value)}`);
  }
  if (options.start && options.end && options.start > options.end) throw new Error(`start ${options.start} is after end ${options.end}`);
  const started = process.hrtime.bigint();
  const client = connectPlugin(target);
  const checks: CheckResult[] = [];
  /** Runs a check, times it and records its verdict; answers whatever else the check found. */
  const record = async <T>(name: string, run: () => Promise<{ verdict: Verdict } & T>): Promise<T> => {
    const t0 = process.hrtime.bigint();
    const { verdict, ...found } = await run();
    checks.push({ name, ...verdict, ms: elapsedMs(t0) });
    return found as unknown as T;
  };
  const verdictOf = (p: Promise<Verdict>) => p.then((verdict) => ({ verdict }));
  const skipped = (names: string[], reason: string) => names.forEach((name) => checks.push({ name, ...skip(reason), ms: 0 }));

  try {
    const { metadata } = await record('init.metadata', () => checkMetadata(client, resolveSettings(options, undefined)));
    const s = resolveSettings(options, metadata?.providers[0]);
    await record('verify.bad_credentials', () => verdictOf(checkBadCredentials(client, s)));
    const { usable } = await record('verify.credentials', () => checkCredentials(client, s, options.credentials !== undefined));
    const dataChecks = ['get_tasks.invalid_range', 'get_tasks.tasks', 'get_cost_data.rows', 'get_cost_data.pages', 'get_cost_data.cancellation'];
    if (!usable) {
      skipped(dataChecks, 'no usable credentials (see verify.credentials)');
    } else {
      await record('get_tasks.invalid_range', () => verdictOf(checkInvalidRange(client, s)));
      const { tasks, windows } = await record('get_tasks.tasks', () => checkTasks(client, s));
      if (!tasks.length) {
        skipped(dataChecks.slice(2), 'no well-formed tasks (see get_tasks.tasks)');
      } else {
        const t0 = process.hrtime.bigint();
        const data = await checkCostData(client, s, metadata, tasks, windows);
        const ms = elapsedMs(t0);
        checks.push({ name: 'get_cost_data.rows', ...data.rows, ms }, { name: 'get_cost_data.pages', ...data.pages, ms });
        await record('get_cost_data.cancellation', () => verdictOf(checkCancellation(client, s, data.busiest)));
      }
    }
  } finally {
    client.close();
  }
  return { target, ok: !checks.some((c) => c.status === 'FAIL'), checks, ms: elapsedMs(started) };
}
