import { status } from '@grpc/grpc-js';
import type { PluginClient } from '../client';
import type { CostDataPage, Task } from '../types';
import { costDataRequest } from './check-cost-data';
import { fail, pass, skip, type Verdict } from './check-result';
import { codeName, describeError, isCode } from './grpc-error';
import type { Settings } from './options';
import { elapsedMs, within } from './timing';

/** Cancelled streams in a row: a plugin stuck on the first shows on the second. */
const ROUNDS = 2;

type Round = { kind: 'cancelled'; ms: number } | { kind: 'ended'; pages: number } | { kind: 'failed'; verdict: Verdict };

/** Reads the first page, cancels, and measures how the call ends. */
async function cancelAfterFirstPage(client: PluginClient, s: Settings, task: Task, round: number): Promise<Round> {
  const abort = new AbortController();
  const it = client.getCostData(costDataRequest(s, task), { signal: abort.signal, deadlineMs: s.timeoutMs * 4 })[Symbol.asyncIterator]();
  const first = await within(it.next(), s.timeoutMs);
  if (!first.settled) {
    abort.abort();
    const why =
      round === 1
        ? `no first page within ${s.timeoutMs} ms`
        : `after a cancelled GetCostData, the next one sent no page within ${s.timeoutMs} ms: the plugin seems stuck on the cancelled call`;
    return { kind: 'failed', verdict: fail('the plugin wedged: a cancelled stream must not hold up later calls', why) };
  }
  if ('error' in first) return { kind: 'failed', verdict: fail('GetCostData failed before its first page', describeError(first.error)) };
  if (first.value.done) return { kind: 'ended', pages: 0 };
  const started = process.hrtime.bigint();
  abort.abort();
  // After a cancel the iteration must end promptly with CANCELLED (pages already received may come first).
  const drain = (async (): Promise<{ pages: number; error?: unknown }> => {
    let pages = 1;
    try {
      for (let r: IteratorResult<CostDataPage> = await it.next(); !r.done; r = await it.next()) pages++;
      return { pages };
    } catch (error) {
      return { pages, error };
    }
  })();
  const end = await within(drain, s.cancelBoundMs);
  if (!end.settled) return { kind: 'failed', verdict: fail(`a cancelled GetCostData must end within ${s.cancelBoundMs} ms`, `still open after ${s.cancelBoundMs} ms`) };
  if (!('value' in end)) return { kind: 'failed', verdict: fail('reading a cancelled stream failed', describeError(end.error)) };
  if (!end.value.error) return { kind: 'ended', pages: end.value.pages };
  if (!isCode(end.value.error, status.CANCELLED)) {
    return { kind: 'failed', verdict: fail('a cancelled GetCostData must end with CANCELLED', `ended with ${codeName(end.value.error)}: ${describeError(end.value.error)}`) };
  }
  return { kind: 'cancelled', ms: elapsedMs(started) };
}

/**
 * Cancels GetCostData after its first page, twice, then calls Init: each cancelled call must end
 * with CANCELLED within the bound and the plugin must keep answering (a plugin that ignores
 * the cancel and blocks on the dead stream, or spins in a loop, fails the second round or the
 * Init). A plugin that keeps working after a cancel without slowing anything down cannot be
 * seen from outside.
 */
export async function checkCancellation(client: PluginClient, s: Settings, busiest: { task: Task; pages: number } | undefined): Promise<Verdict> {
  if (!busiest?.pages) return skip('no task with rows to cancel');
  const { task } = busiest;
  const times: number[] = [];
  let ended = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    const r = await cancelAfterFirstPage(client, s, task, round);
    if (r.kind === 'failed') return r.verdict;
    if (r.kind === 'ended') ended++;
    else times.push(r.ms);
  }
  const init = await within(client.init({ options: s.options, domainId: s.domainId }, { deadlineMs: s.timeoutMs }), s.timeoutMs + 500);
  if (!init.settled || 'error' in init) {
    const why = init.settled && 'error' in init ? describeError(init.error) : `no answer within ${s.timeoutMs} ms`;
    return fail('the plugin stopped answering after cancelled streams', `Init after ${ROUNDS} cancelled GetCostData: ${why}`);
  }
  if (busiest.pages === 1 || !times.length) {
    return skip(`every task fits in one page, so no cancel could land mid-stream (ask for more rows: a longer range or other options); the plugin still answers after ${ROUNDS} cancels`);
  }
  const worst = Math.max(...times);
  return pass(`${times.length} cancelled stream(s) ended with CANCELLED within ${worst.toFixed(1)} ms; later calls still answer${ended ? ` (${ended} ended before the cancel)` : ''}`);
}
