import type { Collection, Store } from '../../../../lib/store/port';
import { BILLING_COLLECTIONS, type JobRecord, type JobState, type JobTaskRecord, type JobTrigger } from '../../domain/records';
import type { DateWindow } from '../ports';

/** A job's end: its state and, unless it succeeded, why (in words a user can act on). */
export interface JobOutcome {
  state: Exclude<JobState, 'IN_PROGRESS'>;
  error_code: string;
  error_message: string;
  rows?: number;
  tasks?: JobTaskRecord[];
}

/** The jobs collection, as the sync engine uses it. */
export class JobRecords {
  readonly col: Collection<JobRecord>;

  constructor(
    store: Store,
    private readonly now: () => Date,
  ) {
    this.col = store.collection<JobRecord>(BILLING_COLLECTIONS.jobs);
  }

  async create(
    id: string,
    at: { domainId: string; dataSourceId: string; serviceAccountId: string; window: DateWindow; trigger: JobTrigger; owner: string },
  ): Promise<void> {
    await this.col.insertOne({
      _id: id,
      domain_id: at.domainId,
      data_source_id: at.dataSourceId,
      service_account_id: at.serviceAccountId,
      state: 'IN_PROGRESS',
      trigger: at.trigger,
      start_date: at.window.start,
      end_date: at.window.end,
      tasks: [],
      rows: 0,
      error_code: '',
      error_message: '',
      owner: at.owner,
      cancel_requested: false,
      created_at: this.now(),
      started_at: null,
      finished_at: null,
      note: '',
    });
  }

  get(id: string): Promise<JobRecord | null> {
    return this.col.findOne({ _id: id });
  }

  /** Updates a job still in progress; false when it has already ended. */
  async update(id: string, set: Record<string, unknown>): Promise<boolean> {
    return (await this.col.updateOne({ _id: id, state: 'IN_PROGRESS' }, { $set: set })) === 1;
  }

  /** Ends a job still in progress; false when it had already ended (e.g. healed, or cancelled while queued). */
  async finish(id: string, outcome: JobOutcome): Promise<boolean> {
    const set: Record<string, unknown> = {
      state: outcome.state,
      error_code: outcome.error_code,
      error_message: outcome.error_message,
      finished_at: this.now(),
      note: '',
    };
    if (outcome.rows !== undefined) set.rows = outcome.rows;
    if (outcome.tasks !== undefined) set.tasks = outcome.tasks;
    return this.update(id, set);
  }

  inProgress(): Promise<JobRecord[]> {
    return this.col.find({ state: 'IN_PROGRESS' });
  }
}

/** The tasks with those still in progress ended in `state`. */
export const endOpenTasks = (tasks: JobTaskRecord[], state: JobState): JobTaskRecord[] =>
  tasks.map((t) => (t.state === 'IN_PROGRESS' ? { ...t, state } : t));
