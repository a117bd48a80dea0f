import { isIsoDate } from '../../../../plugins/sdk';
import type { Logger } from '../../../../lib/log/logger';
import type { Store } from '../../../../lib/store/port';
import { BILLING_COLLECTIONS, type AccountRecord, type DataSourceRecord, type JobState, type JobTaskRecord, type JobTrigger } from '../../domain/records';
import type { CostLedger, CostRowInput, DateWindow, IdentityPort, LedgerWriter } from '../ports';
import { credentialsFailure, describeFailure, jobFailure, JobStop, STOP_ERRORS, stopReasonOf } from './job-errors';
import type { QueueEntry, RunResult } from './job-queue';
import { endOpenTasks, type JobRecords } from './job-records';
import { syncLeaseId, type Leases } from './leases';
import type { PluginAccountCall, PluginPort, PluginTasks, Task } from './plugin-port';
import { redactSecrets, secretStrings } from '../../../../lib/secrets/redact';
import { validateRow, type RowRules } from './row-validation';
import { checkTaskReport, type CheckedReport } from './task-report';
import { clip } from './sync-windows';

/** A job waiting in (or taken from) the queue. */
export interface SyncEntry extends QueueEntry {
  domainId: string;
  dataSourceId: string;
  serviceAccountId: string;
  window: DateWindow;
  trigger: JobTrigger;
  /** When the job first found its account busy on another replica (Date.now()). */
  busySince?: number;
}

export interface JobContext {
  store: Store;
  logger: Logger;
  ledger: CostLedger;
  identity: IdentityPort;
  plugins: PluginPort;
  now: () => Date;
  jobs: JobRecords;
  leases: Leases;
  leaseMs: number;
  /** How long a job waits for an account busy on another replica before it gives up. */
  leaseWaitMs: number;
  /** Deletes superseded rows after a commit (coalesced across jobs). */
  collectGarbage: () => Promise<void>;
}

/** The most tasks one GetTasks may answer. */
export const MAX_TASKS = 10_000;

const range = (w: DateWindow) => `${w.start}..${w.end}`;

/**
 * Runs one job: lease, credentials, Init, Verify, GetTasks, then every task's rows into a ledger
 * writer, committed only when all went well. Any failure or stop aborts the writer, so the data
 * stored before stays as it was. Returns 'retry' when another replica holds the account's lease.
 */
export async function runJob(ctx: JobContext, entry: SyncEntry, queueSignal: AbortSignal): Promise<RunResult> {
  const { jobs, leases, leaseMs } = ctx;
  const log = ctx.logger.child({ job_id: entry.jobId, data_source_id: entry.dataSourceId, service_account_id: entry.serviceAccountId });
  const job = await jobs.get(entry.jobId);
  if (!job || job.state !== 'IN_PROGRESS') return 'done';
  if (job.cancel_requested) {
    await jobs.finish(entry.jobId, { state: 'CANCELED', ...errorFields(STOP_ERRORS.CANCELED) });
    return 'done';
  }

  const leaseId = syncLeaseId(entry.dataSourceId, entry.serviceAccountId);
  if (!(await leases.take(leaseId, leaseMs, entry.jobId))) {
    const firstWait = entry.busySince === undefined;
    entry.busySince ??= Date.now();
    if (Date.now() - entry.busySince >= ctx.leaseWaitMs) {
      await jobs.finish(entry.jobId, {
        state: 'FAILURE',
        error_code: 'SYNC.ACCOUNT_BUSY',
        error_message: `another billing replica kept syncing this account for over ${Math.round(ctx.leaseWaitMs / 60_000)} min; this job gave up, the next sync will run again`,
      });
      return 'done';
    }
    if (firstWait) await jobs.update(entry.jobId, { note: 'waiting: another billing replica is syncing this account' });
    log.debug('account busy on another replica; the job waits');
    return 'retry';
  }

  const controller = new AbortController();
  const onQueueAbort = () => controller.abort(queueSignal.reason);
  queueSignal.addEventListener('abort', onQueueAbort, { once: true });
  if (queueSignal.aborted) onQueueAbort();
  const stopRenewing = keepLease(ctx, leaseId, entry.jobId, controller, log);
  const started = Date.now();
  let tasks: JobTaskRecord[] = [];
  let rows = 0;
  let secrets: string[] = [];
  let writer: LedgerWriter | undefined;
  let committed = false;
  try {
    if (!(await jobs.update(entry.jobId, { started_at: ctx.now(), start_date: entry.window.start, end_date: entry.window.end, note: '' })))
      return 'done';
    log.info({ trigger: entry.trigger, start_date: entry.window.start, end_date: entry.window.end }, 'sync job started');
    const signal = controller.signal;
    const stopped = () => {
      if (signal.aborted) throw signal.reason;
    };

    const { ds, account } = await loadSubjects(ctx, entry);
    let secretData: Record<string, unknown>;
    try {
      secretData = await ctx.identity.getSecretData(entry.domainId, account.secret_id, signal);
    } catch (err) {
      stopped();
      throw credentialsFailure(err);
    }
    secrets = secretStrings(secretData);
    stopped();

    const endpoint = ds.plugin_endpoint;
    const info = await ctx.plugins.init(endpoint, ds.options, entry.domainId, signal);
    if (!info.providers.includes(account.provider))
      throw jobFailure(
        'PLUGIN.PROVIDER_NOT_SERVED',
        `the plugin at ${endpoint} serves ${info.providers.join(', ')}, not ${account.provider} accounts; point the data source at a plugin for ${account.provider}`,
      );
    const call: PluginAccountCall = {
      domainId: entry.domainId,
      options: ds.options,
      secretData,
      account: { serviceAccountId: account._id, externalAccountId: account.external_account_id, provider: account.provider, data: account.data },
    };
    await ctx.plugins.verify(endpoint, call, signal);
    stopped();
    const planned = await ctx.plugins.getTasks(endpoint, { ...call, startDate: entry.window.start, endDate: entry.window.end }, signal);
    stopped();
    checkTasks(planned.tasks, entry.window, endpoint);
    const windows = replacedWindows(planned, account.external_account_id, entry.window, endpoint);
    tasks = planned.tasks.map((t) => ({ task_id: t.taskId, start_date: t.startDate, end_date: t.endDate, state: 'IN_PROGRESS' as JobState, rows: 0 }));
    await jobs.update(entry.jobId, { tasks });

    writer = await ctx.ledger.begin({
      domainId: entry.domainId,
      dataSourceId: entry.dataSourceId,
      serviceAccountId: entry.serviceAccountId,
      jobId: entry.jobId,
      windows,
    });
    for (const [i, task] of planned.tasks.entries()) {
      const rules: RowRules = {
        taskId: task.taskId,
        task: { start: task.startDate, end: task.endDate },
        job: entry.window,
        replaced: windows,
        externalAccountId: account.external_account_id,
        provider: account.provider,
        currency: info.currency,
      };
      let n = 0;
      let report: CheckedReport | undefined;
      for await (const page of ctx.plugins.getCostData(endpoint, { ...call, task }, signal)) {
        stopped();
        if (report) throw jobFailure('PLUGIN.MALFORMED_REPORT', `the plugin at ${endpoint} sent pages after its report in task ${JSON.stringify(task.taskId.slice(0, 60))}; the report must come last`);
        const batch: CostRowInput[] = page.rows.map((row) => validateRow(row, ++n, rules));
        if (batch.length > 0) await writer.write(batch);
        if (page.report) report = checkTaskReport(page.report, task.taskId);
        stopped();
      }
      stopped();
      rows += n;
      tasks[i] = { ...tasks[i], state: 'SUCCESS', rows: n, ...(report ? { skipped_records: report.skippedRecords, notes: report.notes } : {}) };
      if (report?.skippedRecords) log.warn({ task_id: task.taskId, skipped_records: report.skippedRecords }, 'the plugin skipped unreadable source records');
      await jobs.update(entry.jobId, { tasks, rows, skipped_records: skippedIn(tasks) });
    }

    stopped();
    // Last checks before the new rows become visible: still wanted, still this replica's to write.
    if ((await jobs.get(entry.jobId))?.cancel_requested) throw new JobStop('CANCELED');
    await loadSubjects(ctx, entry);
    if (!(await leases.renew(leaseId, leaseMs))) throw new JobStop('LEASE_LOST');
    await writer.commit();
    committed = true;
    await markSynced(ctx, entry);
    await jobs.finish(entry.jobId, { state: 'SUCCESS', error_code: '', error_message: '', rows, tasks });
    log.info({ rows, tasks: tasks.length, ms: Date.now() - started }, 'sync job succeeded');
    await ctx.collectGarbage();
    return 'done';
  } catch (err) {
    if (writer && !committed) await writer.abort().catch((e: unknown) => log.error({ err: cleanError(e, secrets) }, 'could not abort the ledger writer'));
    if (committed) {
      // The new data is visible; only the bookkeeping after it failed.
      log.error({ err: cleanError(err, secrets) }, 'sync job committed but could not record it');
      await jobs.finish(entry.jobId, { state: 'SUCCESS', error_code: '', error_message: '', rows, tasks }).catch(() => undefined);
      return 'done';
    }
    const reason = err instanceof JobStop ? err.reason : stopReasonOf(controller.signal);
    if (reason) {
      const state = reason === 'CANCELED' ? 'CANCELED' : 'FAILURE';
      await jobs.finish(entry.jobId, { state, ...errorFields(STOP_ERRORS[reason]), rows, tasks: endOpenTasks(tasks, state) });
      log.info({ reason, rows, ms: Date.now() - started }, 'sync job stopped');
      return 'done';
    }
    const failure = describeFailure(err, entry.jobId, secrets);
    if (failure.internal) log.error({ err: cleanError(err, secrets) }, 'sync job failed with an internal error');
    else log.warn({ error_code: failure.code, error_message: failure.message }, 'sync job failed');
    await jobs.finish(entry.jobId, { state: 'FAILURE', ...errorFields(failure), rows, tasks: endOpenTasks(tasks, 'FAILURE') });
    return 'done';
  } finally {
    queueSignal.removeEventListener('abort', onQueueAbort);
    stopRenewing();
    await leases.release(leaseId).catch((e: unknown) => log.warn({ err: cleanError(e, secrets) }, 'could not release the sync lease (it expires by itself)'));
  }
}

const skippedIn = (tasks: JobTaskRecord[]): number => tasks.reduce((sum, t) => sum + (t.skipped_records ?? 0), 0);

const errorFields = (e: { code: string; message: string }) => ({ error_code: e.code, error_message: e.message });

/** An error fit for a log line: message and stack censored of the credentials, nothing else kept. */
function cleanError(err: unknown, secrets: readonly string[]): { type: string; message: string; stack?: string } {
  if (!(err instanceof Error)) return { type: typeof err, message: redactSecrets(String(err), secrets) };
  return { type: err.name, message: redactSecrets(err.message, secrets), stack: err.stack && redactSecrets(err.stack, secrets) };
}

async function loadSubjects(ctx: JobContext, entry: SyncEntry): Promise<{ ds: DataSourceRecord; account: AccountRecord }> {
  const ds = await ctx.store
    .collection<DataSourceRecord>(BILLING_COLLECTIONS.dataSources)
    .findOne({ _id: entry.dataSourceId, domain_id: entry.domainId });
  if (!ds) throw jobFailure('SYNC.DATA_SOURCE_GONE', `data source ${entry.dataSourceId} was deregistered before the job ran`);
  if (ds.state !== 'ENABLED') throw jobFailure('SYNC.DATA_SOURCE_DISABLED', `data source ${entry.dataSourceId} was disabled before the job ran; enable it and sync again`);
  const account = await ctx.store
    .collection<AccountRecord>(BILLING_COLLECTIONS.accounts)
    .findOne({ _id: entry.serviceAccountId, domain_id: entry.domainId });
  if (!account) throw jobFailure('SYNC.ACCOUNT_GONE', `service account ${entry.serviceAccountId} was deleted before the job ran`);
  if (!ds.providers.includes(account.provider))
    throw jobFailure('SYNC.PROVIDER_NOT_SERVED', `data source ${ds._id} does not serve ${account.provider} accounts (it serves ${ds.providers.join(', ')})`);
  if (!account.secret_id)
    throw jobFailure('SYNC.NO_CREDENTIALS', `service account ${account._id} has no credentials; add them to the service account, then sync again`);
  return { ds, account };
}

function checkTasks(tasks: Task[], window: DateWindow, endpoint: string): void {
  const bad = (why: string) => jobFailure('PLUGIN.BAD_TASK', `the plugin at ${endpoint} answered GetTasks with ${why}; fix the plugin`);
  if (tasks.length > MAX_TASKS) throw bad(`${tasks.length} tasks (at most ${MAX_TASKS})`);
  for (const t of tasks) {
    const name = JSON.stringify(t.taskId.slice(0, 60));
    if (!isIsoDate(t.startDate) || !isIsoDate(t.endDate) || t.startDate > t.endDate)
      throw bad(`task ${name} whose range ${t.startDate}..${t.endDate} is not two dates YYYY-MM-DD in order`);
    if (!clip({ start: t.startDate, end: t.endDate }, window)) throw bad(`task ${name} (${t.startDate}..${t.endDate}) outside the job's window ${range(window)}`);
  }
}

/**
 * The windows the job replaces: GetTasks' windows for this account (or with no account named),
 * clipped to the job's window so that a sync never erases data it did not re-pull; the job's
 * window when the plugin names none.
 */
function replacedWindows(planned: PluginTasks, externalAccountId: string, window: DateWindow, endpoint: string): DateWindow[] {
  const mine = planned.windows.filter((w) => w.externalAccountId === externalAccountId || w.externalAccountId === '');
  const out: DateWindow[] = [];
  for (const w of mine) {
    if (!isIsoDate(w.startDate) || !isIsoDate(w.endDate) || w.startDate > w.endDate)
      throw jobFailure('PLUGIN.BAD_WINDOW', `the plugin at ${endpoint} answered GetTasks with a replace window ${w.startDate}..${w.endDate} that is not two dates YYYY-MM-DD in order; fix the plugin`);
    const c = clip({ start: w.startDate, end: w.endDate }, window);
    if (c) out.push(c);
  }
  return out.length > 0 ? out : [window];
}

async function markSynced(ctx: JobContext, entry: SyncEntry): Promise<void> {
  const at = ctx.now();
  await ctx.store
    .collection<AccountRecord>(BILLING_COLLECTIONS.accounts)
    .updateOne({ _id: entry.serviceAccountId, domain_id: entry.domainId }, { $set: { [`synced.${entry.dataSourceId}`]: at.toISOString() } });
  await ctx.store
    .collection<DataSourceRecord>(BILLING_COLLECTIONS.dataSources)
    .updateOne({ _id: entry.dataSourceId, domain_id: entry.domainId }, { $set: { last_synced_at: at } });
}

/**
 * Renews the account's lease every leaseMs/3 while the job runs, and watches the job record for a
 * cancellation asked through another replica. Aborts the job when the lease is lost.
 */
function keepLease(ctx: JobContext, leaseId: string, jobId: string, controller: AbortController, log: Logger): () => void {
  let lastRenewed = Date.now();
  let busy = false;
  const tick = async () => {
    if (busy || controller.signal.aborted) return;
    busy = true;
    try {
      if (!(await ctx.leases.renew(leaseId, ctx.leaseMs))) {
        controller.abort(new JobStop('LEASE_LOST'));
        return;
      }
      lastRenewed = Date.now();
      const job = await ctx.jobs.get(jobId);
      if (job?.cancel_requested) controller.abort(new JobStop('CANCELED'));
    } catch (err) {
      log.warn({ err: err instanceof Error ? err.message : String(err) }, 'could not renew the sync lease');
      if (Date.now() - lastRenewed >= ctx.leaseMs) controller.abort(new JobStop('LEASE_LOST'));
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), Math.max(10, Math.floor(ctx.leaseMs / 3)));
  timer.unref();
  return () => clearInterval(timer);
}
