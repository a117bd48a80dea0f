import { randomBytes } from 'node:crypto';
import { failedPrecondition, notFound } from '../../../../lib/errors/domain-error';
import { newId } from '../../../../lib/ids/ids';
import type { JobRecord } from '../../domain/records';
import { BILLING_COLLECTIONS, type AccountRecord, type DataSourceRecord } from '../../domain/records';
import type { BillingDeps, SyncPort, SyncRequest } from '../ports';
import { JobStop, STOP_ERRORS } from './job-errors';
import { JobQueue } from './job-queue';
import { JobRecords } from './job-records';
import { Leases, replicaLeaseId, scheduleLeaseId } from './leases';
import type { PluginPort } from './plugin-port';
import { recoverInterrupted } from './recovery';
import { runJob, type JobContext, type SyncEntry } from './run-job';
import { dueDataSources } from './schedule';
import { planSync, type PlannedJob } from './sync-plan';
import { DEFAULT_RECENT_WINDOW_DAYS, hull } from './sync-windows';

export interface SyncEngineOptions extends Omit<BillingDeps, 'sync' | 'hyperbillingEndpoint'> {
  hyperbillingEndpoint?: string;
  plugins: PluginPort;
  /** This replica's name (TALLY_REPLICA_ID): recorded on its jobs and leases. */
  owner: string;
  /** Jobs this process runs at once (TALLY_SYNC_CONCURRENCY). */
  concurrency: number;
  /** Lifetime of a sync lease; renewed every third of it while the job runs. Default 60 s. */
  leaseMs?: number;
  /** The recent window reaches back to the previous month while today's day of the month is at most this. Default 5. */
  recentWindowDays?: number;
  /** How soon a job whose account is busy on another replica tries again. Default 5 s. */
  leaseRetryMs?: number;
  /** How long such a job keeps trying before it fails with SYNC.ACCOUNT_BUSY. Default 1 hour. */
  leaseWaitMs?: number;
  /** How often start()'s timer ends abandoned jobs and queues due schedules. Default 60 s. */
  scheduleIntervalMs?: number;
}

export interface SyncEngine extends SyncPort {
  /** Heals jobs left by a crash, then checks schedules on a timer (unref'd) and keeps this replica's heartbeat. */
  start(): void;
  /** Stops the timers; queued and running jobs end FAILURE SYNC.INTERRUPTED (writers aborted, leases released). */
  stop(): Promise<void>;
  /** Queues recent-window syncs of every enabled data source whose schedule has come round. */
  runDueSchedules(): Promise<void>;
  /** Ends the IN_PROGRESS jobs of replicas that stopped (start() runs it); how many it ended. */
  recoverInterrupted(): Promise<number>;
  /** Resolves when nothing is queued or running (and start()'s recovery is done). */
  waitIdle(): Promise<void>;
}

const DEFAULT_LEASE_MS = 60_000;
const DEFAULT_LEASE_RETRY_MS = 5_000;
const DEFAULT_LEASE_WAIT_MS = 3_600_000;
const DEFAULT_SCHEDULE_INTERVAL_MS = 60_000;
/** How long cancel() waits for a job running here to wind down. */
const CANCEL_WAIT_MS = 5_000;

const keyOf = (dataSourceId: string, serviceAccountId: string) => `${dataSourceId}:${serviceAccountId}`;

/**
 * The sync engine: one job per (data source, account), queued with coalescing, run at most
 * `concurrency` at a time per process, and never on two replicas at once (a lease per account).
 */
export function createSyncEngine(opts: SyncEngineOptions): SyncEngine {
  const { store, now, owner } = opts;
  const logger = opts.logger.child({ component: 'sync' });
  const leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS;
  const recentWindowDays = opts.recentWindowDays ?? DEFAULT_RECENT_WINDOW_DAYS;
  const jobs = new JobRecords(store, now);
  const leases = new Leases(store, owner, `${owner}/${randomBytes(6).toString('hex')}`);

  let gcRun: Promise<void> | undefined;
  let gcAgain = false;
  const collectGarbage = (): Promise<void> => {
    if (gcRun) {
      gcAgain = true;
      return gcRun;
    }
    gcRun = (async () => {
      do {
        gcAgain = false;
        try {
          await opts.ledger.collectGarbage();
        } catch (err) {
          logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'collecting superseded cost rows failed; the next job retries');
        }
      } while (gcAgain);
    })().finally(() => (gcRun = undefined));
    return gcRun;
  };

  const ctx: JobContext = {
    store,
    logger,
    ledger: opts.ledger,
    identity: opts.identity,
    plugins: opts.plugins,
    now,
    jobs,
    leases,
    leaseMs,
    leaseWaitMs: opts.leaseWaitMs ?? DEFAULT_LEASE_WAIT_MS,
    collectGarbage,
  };
  const queue = new JobQueue<SyncEntry>(
    opts.concurrency,
    (entry, signal) => runJob(ctx, entry, signal),
    opts.leaseRetryMs ?? DEFAULT_LEASE_RETRY_MS,
    (err, entry) => logger.error({ job_id: entry.jobId, err: err instanceof Error ? err.message : String(err) }, 'sync job could not be recorded'),
  );

  /** Queues a planned job, or merges it into the one already queued for its account: the job id. */
  async function enqueue(p: PlannedJob): Promise<string> {
    const key = keyOf(p.dataSourceId, p.serviceAccountId);
    const queued = queue.queuedFor(key);
    if (queued) {
      const merged = hull(queued.window, p.window);
      if (merged.start !== queued.window.start || merged.end !== queued.window.end) {
        queued.window = merged;
        await jobs.update(queued.jobId, { start_date: merged.start, end_date: merged.end });
      }
      return queued.jobId;
    }
    const entry: SyncEntry = { jobId: newId('job'), key, ready: false, ...p };
    queue.add(entry);
    try {
      await jobs.create(entry.jobId, { ...p, owner });
    } catch (err) {
      queue.remove(entry.jobId);
      throw err;
    }
    if (!queue.markReady(entry.jobId) && queue.isStopped)
      await jobs.finish(entry.jobId, { state: 'FAILURE', error_code: STOP_ERRORS.INTERRUPTED.code, error_message: STOP_ERRORS.INTERRUPTED.message });
    return entry.jobId;
  }

  async function requestSync(req: SyncRequest): Promise<string[]> {
    if (queue.isStopped) throw failedPrecondition('SYNC.STOPPED', 'billing is shutting down; sync again in a moment');
    const planned = await planSync(store, req, { now, recentWindowDays });
    const ids: string[] = [];
    for (const p of planned) ids.push(await enqueue(p));
    if (ids.length > 0) logger.info({ domain_id: req.domainId, data_source_id: req.dataSourceId, trigger: req.trigger, jobs: ids.length }, 'sync requested');
    return ids;
  }

  async function accountChanged(domainId: string, serviceAccountId: string): Promise<void> {
    const account = await store.collection<AccountRecord>(BILLING_COLLECTIONS.accounts).findOne({ _id: serviceAccountId, domain_id: domainId });
    if (!account) return;
    const sources = await store
      .collection<DataSourceRecord>(BILLING_COLLECTIONS.dataSources)
      .find({ domain_id: domainId, state: 'ENABLED', providers: account.provider });
    for (const ds of sources) {
      await requestSync({
        domainId,
        dataSourceId: ds._id,
        serviceAccountIds: [serviceAccountId],
        trigger: account.synced?.[ds._id] ? 'ACCOUNT_CHANGED' : 'FIRST_SYNC',
      });
    }
  }

  async function cancel(domainId: string, jobId: string): Promise<void> {
    const job = await jobs.col.findOne({ _id: jobId, domain_id: domainId });
    if (!job) throw notFound('job', jobId);
    const finished = (j: JobRecord) =>
      failedPrecondition('JOB.ALREADY_FINISHED', `job ${jobId} already ended (${j.state}); only a job in progress can be cancelled`);
    if (job.state !== 'IN_PROGRESS') throw finished(job);
    if (!(await jobs.update(jobId, { cancel_requested: true }))) {
      throw finished((await jobs.get(jobId)) ?? job);
    }
    if (queue.remove(jobId)) {
      await jobs.finish(jobId, { state: 'CANCELED', error_code: STOP_ERRORS.CANCELED.code, error_message: STOP_ERRORS.CANCELED.message });
    } else if (queue.abort(jobId, new JobStop('CANCELED'))) {
      // Running here: wait (a little) for the writer to be aborted and the job recorded CANCELED.
      await Promise.race([queue.settled(jobId), new Promise((r) => setTimeout(r, CANCEL_WAIT_MS).unref())]);
    }
    // Running on another replica: it sees cancel_requested within a third of its lease, and before it commits.
    logger.info({ job_id: jobId, domain_id: domainId }, 'sync job cancellation requested');
  }

  async function runDueSchedules(): Promise<void> {
    for (const { ds, periodMs } of await dueDataSources(store, now())) {
      try {
        // One replica queues each period's run; the others find the claim taken.
        if (!(await leases.take(scheduleLeaseId(ds._id), periodMs))) continue;
        await requestSync({ domainId: ds.domain_id, dataSourceId: ds._id, trigger: 'SCHEDULE' });
      } catch (err) {
        logger.warn({ data_source_id: ds._id, err: err instanceof Error ? err.message : String(err) }, 'scheduled sync could not be queued');
      }
    }
  }

  const recover = (atStartup: boolean) => recoverInterrupted({ jobs, leases, logger, owner, isLocal: (id) => queue.has(id), atStartup });

  let timers: NodeJS.Timeout[] = [];
  let startup: Promise<unknown> = Promise.resolve();
  const heartbeat = () => leases.keep(replicaLeaseId(owner), leaseMs).catch((err: unknown) => logger.warn({ err: String(err) }, 'heartbeat failed'));

  function start(): void {
    if (timers.length > 0 || queue.isStopped) return;
    startup = (async () => {
      await heartbeat();
      const healed = await recover(true);
      if (healed > 0) logger.warn({ jobs: healed }, 'ended sync jobs interrupted by a stop');
    })().catch((err: unknown) => logger.error({ err: String(err) }, 'recovering interrupted sync jobs failed'));
    const hb = setInterval(() => void heartbeat(), Math.max(10, Math.floor(leaseMs / 3)));
    const tick = setInterval(() => {
      void (async () => {
        await recover(false);
        await runDueSchedules();
      })().catch((err: unknown) => logger.warn({ err: String(err) }, 'schedule check failed'));
    }, opts.scheduleIntervalMs ?? DEFAULT_SCHEDULE_INTERVAL_MS);
    hb.unref();
    tick.unref();
    timers = [hb, tick];
  }

  async function stop(): Promise<void> {
    for (const t of timers) clearInterval(t);
    timers = [];
    const dropped = queue.stop(new JobStop('INTERRUPTED'));
    for (const e of dropped) {
      await jobs
        .finish(e.jobId, { state: 'FAILURE', error_code: STOP_ERRORS.INTERRUPTED.code, error_message: STOP_ERRORS.INTERRUPTED.message })
        .catch(() => undefined);
    }
    await startup;
    await queue.idle();
    await gcRun;
    await leases.release(replicaLeaseId(owner)).catch(() => undefined);
  }

  return {
    requestSync,
    accountChanged,
    cancel,
    runDueSchedules,
    recoverInterrupted: () => recover(false),
    start,
    stop,
    async waitIdle() {
      await startup;
      await queue.idle();
      await gcRun;
    },
  };
}
