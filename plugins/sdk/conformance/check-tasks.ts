import { status } from '@grpc/grpc-js';
import type { DataSourcePluginServiceGetTasksResponse } from '../../../gen/tally/plugin/billing/v1/plugin';
import type { PluginClient } from '../client';
import { addDays, isIsoDate, type DateRange } from '../dates';
import type { ReplaceWindow, Task } from '../types';
import { fail, pass, show, type Verdict } from './check-result';
import { codeName, describeError, isCode } from './grpc-error';
import type { Settings } from './options';

const request = (s: Settings, range: DateRange) => ({
  options: s.options,
  secretData: s.credentials,
  account: s.account,
  startDate: range.start,
  endDate: range.end,
  domainId: s.domainId,
});

/** A range whose end is before its start is INVALID_ARGUMENT, not tasks nor a crash. */
export async function checkInvalidRange(client: PluginClient, s: Settings): Promise<Verdict> {
  const backwards = { start: s.range.end, end: addDays(s.range.end, -1) };
  try {
    const res = await client.getTasks(request(s, backwards), { deadlineMs: s.timeoutMs });
    return fail('GetTasks accepted a range whose end is before its start', `start_date ${backwards.start}, end_date ${backwards.end} answered ${res.tasks.length} task(s)`);
  } catch (err) {
    if (isCode(err, status.INVALID_ARGUMENT)) return pass(`end before start refused with ${codeName(err)}`);
    return fail('a range whose end is before its start must be INVALID_ARGUMENT', `GetTasks answered ${describeError(err)}`);
  }
}

function inside(r: DateRange, outer: DateRange): boolean {
  return r.start >= outer.start && r.end <= outer.end;
}

/** The first thing wrong with GetTasks' answer for the range, or undefined. */
export function tasksProblem(res: DataSourcePluginServiceGetTasksResponse, range: DateRange): string | undefined {
  if (!res.tasks.length) return `no task for ${range.start}..${range.end}: a non-empty range needs at least one task`;
  const ids = new Set<string>();
  for (const [i, t] of res.tasks.entries()) {
    const at = `tasks[${i}] ${show(t.taskId, 60)}`;
    if (!t.taskId) return `tasks[${i}].task_id is empty`;
    if (ids.has(t.taskId)) return `${at}: task_id repeats an earlier task`;
    ids.add(t.taskId);
    const bad = rangeProblem({ start: t.startDate, end: t.endDate }, range);
    if (bad) return `${at}: ${bad}`;
  }
  if (!res.windows.length) return 'no replace windows: name the account and dates whose stored rows the tasks replace';
  for (const [i, w] of res.windows.entries()) {
    if (!w.externalAccountId) return `windows[${i}].external_account_id is empty`;
    const bad = rangeProblem({ start: w.startDate, end: w.endDate }, range);
    if (bad) return `windows[${i}] (${w.externalAccountId}): ${bad}`;
  }
  return undefined;
}

function rangeProblem(r: DateRange, range: DateRange): string | undefined {
  if (!isIsoDate(r.start)) return `start_date ${show(r.start)} is not a date YYYY-MM-DD`;
  if (!isIsoDate(r.end)) return `end_date ${show(r.end)} is not a date YYYY-MM-DD`;
  if (r.start > r.end) return `start_date ${r.start} is after end_date ${r.end}`;
  if (!inside(r, range)) return `${r.start}..${r.end} is not inside the requested ${range.start}..${range.end}`;
  return undefined;
}

export async function checkTasks(client: PluginClient, s: Settings): Promise<{ verdict: Verdict; tasks: Task[]; windows: ReplaceWindow[] }> {
  let res: DataSourcePluginServiceGetTasksResponse;
  try {
    res = await client.getTasks(request(s, s.range), { deadlineMs: s.timeoutMs });
  } catch (err) {
    return { verdict: fail(`GetTasks failed for ${s.range.start}..${s.range.end}`, describeError(err)), tasks: [], windows: [] };
  }
  const problem = tasksProblem(res, s.range);
  if (problem) return { verdict: fail('GetTasks answered malformed tasks or windows', problem), tasks: [], windows: [] };
  return {
    verdict: pass(`${res.tasks.length} task(s) and ${res.windows.length} window(s) for ${s.range.start}..${s.range.end}`),
    tasks: res.tasks,
    windows: res.windows,
  };
}
