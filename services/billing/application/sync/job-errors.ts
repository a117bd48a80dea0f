import { DomainError, isDomainError } from '../../../../lib/errors/domain-error';
import { redactSecrets } from '../../../../lib/secrets/redact';

/** Why a running job's signal was aborted. */
export type StopReason = 'CANCELED' | 'INTERRUPTED' | 'LEASE_LOST';

export class JobStop extends Error {
  constructor(readonly reason: StopReason) {
    super(`job stopped: ${reason}`);
    this.name = 'JobStop';
  }
}

export const stopReasonOf = (signal: AbortSignal): StopReason | undefined =>
  signal.aborted ? (signal.reason instanceof JobStop ? signal.reason.reason : 'INTERRUPTED') : undefined;

/** What a job record says when the job was stopped rather than failed. */
export const STOP_ERRORS: Record<StopReason, { code: string; message: string }> = {
  CANCELED: { code: 'SYNC.CANCELED', message: 'the job was cancelled; the cost data stored before it is unchanged' },
  INTERRUPTED: {
    code: 'SYNC.INTERRUPTED',
    message: 'billing stopped while the job ran; the cost data stored before it is unchanged and the next sync pulls it again',
  },
  LEASE_LOST: {
    code: 'SYNC.LEASE_LOST',
    message:
      'this billing replica lost its hold on the account (it could not renew its lease in time) and stopped, so that two replicas never write it at once; the next sync pulls it again',
  },
};

export const INTERRUPTED_BY_CRASH = (owner: string) => ({
  code: 'SYNC.INTERRUPTED',
  message: `the billing replica running this job (${owner}) stopped before it finished; the cost data stored before it is unchanged and the next sync pulls it again`,
});

/** A job failure with its stable code and a message a user can act on. */
export const jobFailure = (code: string, message: string) => new DomainError('FAILED_PRECONDITION', code, message);

/**
 * What a failed job's record says: a DomainError keeps its reason and message (censored of the
 * credentials); anything else is an internal error whose detail stays in the logs.
 */
export function describeFailure(err: unknown, jobId: string, secrets: readonly string[]): { code: string; message: string; internal: boolean } {
  if (isDomainError(err)) return { code: err.reason, message: redactSecrets(err.message, secrets), internal: false };
  return {
    code: 'SYNC.INTERNAL',
    message: `an internal error stopped the sync; the cost data stored before it is unchanged (operators: see billing's log for job ${jobId})`,
    internal: true,
  };
}

/** Maps a failure to fetch the credentials from identity to words a user can act on. */
export function credentialsFailure(err: unknown): DomainError {
  const kind = isDomainError(err) ? err.kind : 'UNAVAILABLE';
  if (kind === 'NOT_FOUND')
    return jobFailure('SYNC.CREDENTIALS_NOT_FOUND', "the service account's credentials were not found in identity; add them to the service account again");
  if (kind === 'PERMISSION_DENIED' || kind === 'UNAUTHENTICATED')
    return jobFailure(
      'SYNC.CREDENTIALS_REFUSED',
      "identity refused to give billing the service account's credentials; check billing's system credential (operators)",
    );
  return jobFailure(
    'SYNC.IDENTITY_UNAVAILABLE',
    "identity could not be reached to fetch the service account's credentials; the next sync will try again",
  );
}
