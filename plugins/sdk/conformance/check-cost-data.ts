import type { PluginClient } from '../client';
import { MAX_REPORT_NOTE_CHARS, MAX_REPORT_NOTES } from '../limits';
import type { PluginMetadata, ReplaceWindow, Task, TaskReport } from '../types';
import { rowProblem, windowsByAccount, type RowRules } from './check-rows';
import { fail, pass, show, skip, type Verdict } from './check-result';
import { describeError } from './grpc-error';
import type { Settings } from './options';

export interface CostDataOutcome {
  rows: Verdict;
  pages: Verdict;
  /** The task that sent the most pages (the best one to cancel mid-stream), and how many. */
  busiest?: { task: Task; pages: number };
}

export const costDataRequest = (s: Settings, task: Task) => ({
  options: s.options,
  secretData: s.credentials,
  account: s.account,
  task,
  domainId: s.domainId,
});

/**
 * Streams each task (up to maxTasks, maxRows rows in all) and checks every row and every page.
 * Rows: dates in the task and the range, exact decimals, currency, required fields, providers,
 * tag keys, replace windows. Pages: at most page_size rows, numbered 1, 2, 3...; a task report
 * only on the last page, within its bounds.
 */
export async function checkCostData(client: PluginClient, s: Settings, metadata: PluginMetadata | undefined, tasks: Task[], windows: ReplaceWindow[]): Promise<CostDataOutcome> {
  const providers = new Set(metadata?.providers ?? []);
  const pageSize = metadata?.pageSize;
  const byAccount = windowsByAccount(windows);
  let rowsSeen = 0;
  let pagesSeen = 0;
  let rowFailure: Verdict | undefined;
  let pageFailure: Verdict | undefined;
  let busiest: { task: Task; pages: number } | undefined;
  let truncated = false;
  const checked = tasks.slice(0, s.maxTasks);

  for (const task of checked) {
    const rules: RowRules = { task: { start: task.startDate, end: task.endDate }, range: s.range, providers, windows: byAccount };
    const abort = new AbortController();
    let expectedPage = 1;
    let reported = false;
    try {
      for await (const page of client.getCostData(costDataRequest(s, task), { signal: abort.signal })) {
        pagesSeen++;
        const at = `task ${show(task.taskId, 60)} page ${page.page}`;
        if (!pageFailure && pageSize && page.rows.length > pageSize) {
          pageFailure = fail(`a page is larger than page_size ${pageSize}`, `${at} has ${page.rows.length} rows`);
        }
        if (!pageFailure && page.page !== expectedPage) {
          pageFailure = fail('pages must be numbered 1, 2, 3... within a task', `${at}: expected page ${expectedPage}`);
        }
        expectedPage++;
        if (!pageFailure && reported) pageFailure = fail('the task report must come on the last page', `${at} came after the page with the report`);
        if (page.report) {
          reported = true;
          const problem = reportProblem(page.report);
          if (problem && !pageFailure) pageFailure = fail('a task report breaks the protocol', `${at}: ${problem}`);
        }
        for (const [i, row] of page.rows.entries()) {
          const problem = rowProblem(row, rules);
          if (problem && !rowFailure) rowFailure = fail('a cost row breaks the protocol', `${at} row ${i}: ${problem}; row ${show(row)}`);
        }
        rowsSeen += page.rows.length;
        if (rowsSeen >= s.maxRows) {
          truncated = true;
          abort.abort();
          break;
        }
      }
    } catch (err) {
      const failure = fail(`GetCostData of task ${show(task.taskId, 60)} failed after ${expectedPage - 1} page(s)`, describeError(err));
      return { rows: rowFailure ?? failure, pages: pageFailure ?? skip('the stream failed before it ended'), busiest };
    }
    if (!busiest || expectedPage - 1 > busiest.pages) busiest = { task, pages: expectedPage - 1 };
    if (truncated) break;
  }

  const scope = `${rowsSeen} row(s) in ${pagesSeen} page(s) of ${checked.length}/${tasks.length} task(s)${truncated ? ` (stopped reading at ${s.maxRows} rows)` : ''}`;
  const rows = rowFailure ?? (rowsSeen ? pass(`${scope} are well formed`) : skip(`no rows for ${s.range.start}..${s.range.end}: nothing to check (try another --start/--end)`));
  const pages = pageFailure ?? (pagesSeen ? pass(`${pagesSeen} page(s) within page_size ${pageSize ?? '(unknown)'}, numbered from 1`) : skip('no pages to check'));
  return { rows, pages, busiest };
}

function reportProblem(report: TaskReport): string | undefined {
  if (!/^\d+$/.test(String(report.skippedRecords))) return `skipped_records ${show(String(report.skippedRecords))} is not a whole number`;
  if (report.notes.length > MAX_REPORT_NOTES) return `${report.notes.length} notes (at most ${MAX_REPORT_NOTES})`;
  const long = report.notes.findIndex((n) => n.length > MAX_REPORT_NOTE_CHARS);
  if (long >= 0) return `notes[${long}] is longer than ${MAX_REPORT_NOTE_CHARS} characters`;
  return undefined;
}
