/**
 * Leases in billing's `leases` collection, shared by every replica:
 *
 * - `sync:<ds>:<sa>`: held while a job syncs that account for that data source, so two replicas
 *   never sync it at once. Taken by an atomic conditional write (insertOne with the _id, or
 *   updateOne of an expired lease), renewed while the job runs, deleted at its end.
 * - `replica:<owner>`: a replica's heartbeat while its engine runs; a job IN_PROGRESS whose
 *   owner has neither a live heartbeat nor its account lease was interrupted by a crash.
 * - `schedule:<ds>`: claims one scheduled run of a data source per period across replicas.
 *
 * A holder is identified by a token unique to the engine instance (not only the replica's
 * name), so a restarted replica with the same name never mistakes an old lease for its own.
 * Expiry uses the wall clock (Date.now), whatever clock the engine uses for dates.
 */
import { DuplicateKeyError, type Collection, type Store } from '../../../../lib/store/port';
import { BILLING_COLLECTIONS, type LeaseRecord } from '../../domain/records';

export interface StoredLease extends LeaseRecord {
  token: string;
  job_id: string;
}

export const syncLeaseId = (dataSourceId: string, serviceAccountId: string) => `sync:${dataSourceId}:${serviceAccountId}`;
export const replicaLeaseId = (owner: string) => `replica:${owner}`;
export const scheduleLeaseId = (dataSourceId: string) => `schedule:${dataSourceId}`;

export class Leases {
  private readonly col: Collection<StoredLease>;

  constructor(
    store: Store,
    private readonly owner: string,
    private readonly token: string,
  ) {
    this.col = store.collection<StoredLease>(BILLING_COLLECTIONS.leases);
  }

  /** Takes the lease for ms when it is free or expired; false when someone else holds it. */
  async take(id: string, ms: number, jobId = ''): Promise<boolean> {
    const now = Date.now();
    const fields = { owner: this.owner, token: this.token, job_id: jobId, expires_at: new Date(now + ms) };
    try {
      await this.col.insertOne({ _id: id, ...fields });
      return true;
    } catch (err) {
      if (!(err instanceof DuplicateKeyError)) throw err;
    }
    return (await this.col.updateOne({ _id: id, expires_at: { $lt: new Date(now) } }, { $set: fields })) === 1;
  }

  /** Extends a lease this engine holds; false when it was lost (expired and taken over, or deleted). */
  async renew(id: string, ms: number): Promise<boolean> {
    return (await this.col.updateOne({ _id: id, token: this.token }, { $set: { expires_at: new Date(Date.now() + ms) } })) === 1;
  }

  /** Writes a lease that only this replica ever holds (its heartbeat), whoever wrote it last. */
  async keep(id: string, ms: number): Promise<void> {
    const fields = { owner: this.owner, token: this.token, job_id: '', expires_at: new Date(Date.now() + ms) };
    if ((await this.col.updateOne({ _id: id }, { $set: fields })) === 1) return;
    try {
      await this.col.insertOne({ _id: id, ...fields });
    } catch (err) {
      if (!(err instanceof DuplicateKeyError)) throw err;
      await this.col.updateOne({ _id: id }, { $set: fields });
    }
  }

  async release(id: string): Promise<void> {
    await this.col.deleteOne({ _id: id, token: this.token });
  }

  /** The lease when it exists and has not expired. */
  async live(id: string): Promise<StoredLease | null> {
    const lease = await this.col.findOne({ _id: id });
    return lease && lease.expires_at.getTime() > Date.now() ? lease : null;
  }
}
