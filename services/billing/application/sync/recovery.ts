import type { Logger } from '../../../../lib/log/logger';
import { endOpenTasks, type JobRecords } from './job-records';
import { INTERRUPTED_BY_CRASH, STOP_ERRORS } from './job-errors';
import { replicaLeaseId, syncLeaseId, type Leases } from './leases';

export interface RecoveryOptions {
  jobs: JobRecords;
  leases: Leases;
  logger: Logger;
  /** This replica's name. */
  owner: string;
  /** True for jobs this engine is running or has queued. */
  isLocal: (jobId: string) => boolean;
  /** At startup every job this replica's name owns was left by an earlier process. */
  atStartup: boolean;
}

/**
 * Ends the jobs left IN_PROGRESS by a replica that stopped without finishing them: a job is alive
 * while its account lease is live and held for it, or while its owner's heartbeat is live; any
 * other is marked FAILURE (CANCELED when a cancellation was asked) with a message saying so. The
 * ledger writer of such a job was never committed, so the old data is intact.
 */
export async function recoverInterrupted(opts: RecoveryOptions): Promise<number> {
  let healed = 0;
  const heartbeats = new Map<string, boolean>();
  for (const job of await opts.jobs.inProgress()) {
    if (opts.isLocal(job._id)) continue;
    if (!(opts.atStartup && job.owner === opts.owner)) {
      const lease = await opts.leases.live(syncLeaseId(job.data_source_id, job.service_account_id));
      if (lease && lease.job_id === job._id) continue;
      let beating = heartbeats.get(job.owner);
      if (beating === undefined) {
        beating = (await opts.leases.live(replicaLeaseId(job.owner))) !== null;
        heartbeats.set(job.owner, beating);
      }
      if (beating) continue;
    }
    const state = job.cancel_requested ? 'CANCELED' : 'FAILURE';
    const e = job.cancel_requested ? STOP_ERRORS.CANCELED : INTERRUPTED_BY_CRASH(job.owner);
    if (await opts.jobs.finish(job._id, { state, error_code: e.code, error_message: e.message, tasks: endOpenTasks(job.tasks ?? [], state) })) {
      healed++;
      opts.logger.warn({ job_id: job._id, owner: job.owner, state }, 'ended a sync job its replica left unfinished');
    }
  }
  return healed;
}
