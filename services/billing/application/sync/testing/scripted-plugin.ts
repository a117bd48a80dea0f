import { unauthenticated, unavailable } from '../../../../../lib/errors/domain-error';
import { demoPlugin } from '../../../../../plugins/demo/plugin';
import type { CostRow, CostRowInput, PluginImpl } from '../../../../../plugins/sdk';

/**
 * How the scripted plugin behaves, chosen by the data source option `mode`:
 * - ok: the demo plugin's rows (pages of 10 rows);
 * - fail-mid-stream: two pages, then the backend connection drops (UNAVAILABLE);
 * - malformed: row 3 of the first task has cost "1e-7";
 * - hang: one page, then nothing until the call is cancelled;
 * - slow: every page waits `delay_ms`;
 * - leak-secret: Verify rejects the credentials with a message that repeats the api_key;
 * - report: the demo rows, and each task reports 2 skipped source records with a note.
 */
export type ScriptMode = 'ok' | 'fail-mid-stream' | 'malformed' | 'hang' | 'slow' | 'leak-secret' | 'report';

export interface ScriptState {
  /** GetCostData calls that saw their signal abort (the caller cancelled). */
  cancelled: number;
  /** GetCostData calls waiting in 'hang'. */
  hanging: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function split(options: Record<string, unknown> | undefined): { mode: ScriptMode; delayMs: number; demo: Record<string, unknown> } {
  const { mode = 'ok', delay_ms = 0, ...demo } = options ?? {};
  return { mode: mode as ScriptMode, delayMs: Number(delay_ms), demo };
}

/** The demo plugin with scripted faults, for the sync engine's tests. */
export function scriptedPlugin(state: ScriptState = { cancelled: 0, hanging: 0 }): PluginImpl {
  const demo = demoPlugin();
  return {
    init: async (req, ctx) => ({ ...(await demo.init({ ...req, options: split(req.options).demo }, ctx)), pageSize: 10 }),
    verify(req, ctx) {
      const { mode, demo: options } = split(req.options);
      if (mode === 'leak-secret') throw unauthenticated(`the backend refused key ${String(req.secretData?.api_key)}`);
      return demo.verify({ ...req, options }, ctx);
    },
    getTasks: (req, ctx) => demo.getTasks({ ...req, options: split(req.options).demo }, ctx),
    async *getCostData(req, ctx) {
      const { mode, delayMs, demo: options } = split(req.options);
      const rows = demo.getCostData({ ...req, options }, ctx) as Iterable<CostRow>;
      let n = 0;
      let page: CostRowInput[] = [];
      for (const row of rows) {
        n++;
        page.push(mode === 'malformed' && n === 3 ? { ...row, cost: '1e-7' } : row);
        if (mode === 'fail-mid-stream' && n === 25) throw unavailable('TEST.BACKEND_DROPPED', 'the backend dropped the connection');
        if (page.length === 10) {
          if (mode === 'slow') await sleep(delayMs);
          yield page;
          page = [];
          if (mode === 'hang') {
            state.hanging++;
            await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
            state.hanging--;
            state.cancelled++;
            return;
          }
        }
      }
      if (page.length > 0) yield page;
      if (mode === 'report') ctx.report({ skippedRecords: 2, notes: [`export.csv:5:2: BilledCost "12,5" is not a decimal (task ${req.task!.taskId})`] });
    },
  };
}
