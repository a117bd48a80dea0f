/**
 * The sync jobs of one process: at most `concurrency` run at once, in the order they came; two
 * jobs with the same key (data source and account) never run at once here; a job whose account
 * is busy elsewhere (another replica holds its lease) waits `retryDelayMs` and queues again.
 */
export interface QueueEntry {
  jobId: string;
  /** `<ds>:<sa>`: one job per key runs at a time; queued entries with the same key coalesce. */
  key: string;
  /** False until the job's record is stored; only ready entries run. */
  ready: boolean;
}

/** 'retry': the account was busy; run the job again later. */
export type RunResult = 'done' | 'retry';

export type JobRunner<E extends QueueEntry> = (entry: E, signal: AbortSignal) => Promise<RunResult>;

export class JobQueue<E extends QueueEntry> {
  private readonly waiting: E[] = [];
  private readonly delayed = new Map<string, { entry: E; timer: NodeJS.Timeout }>();
  private readonly running = new Map<string, { entry: E; controller: AbortController; settled?: Promise<void> }>();
  private readonly runningKeys = new Set<string>();
  private idleWaiters: (() => void)[] = [];
  private stopped = false;

  constructor(
    private readonly concurrency: number,
    private readonly run: JobRunner<E>,
    private readonly retryDelayMs: number,
    private readonly onError: (err: unknown, entry: E) => void,
  ) {
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be a whole number >= 1, got ${concurrency}`);
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  add(entry: E): void {
    if (this.stopped) return;
    this.waiting.push(entry);
    this.pump();
  }

  markReady(jobId: string): boolean {
    const entry = this.waiting.find((e) => e.jobId === jobId);
    if (!entry) return false;
    entry.ready = true;
    this.pump();
    return true;
  }

  /** The entry for key that has not started yet (queued, or waiting for a busy account). */
  queuedFor(key: string): E | undefined {
    return this.waiting.find((e) => e.key === key) ?? [...this.delayed.values()].find((d) => d.entry.key === key)?.entry;
  }

  /** Takes a job that has not started out of the queue. */
  remove(jobId: string): E | undefined {
    const i = this.waiting.findIndex((e) => e.jobId === jobId);
    if (i >= 0) {
      const [entry] = this.waiting.splice(i, 1);
      this.checkIdle();
      return entry;
    }
    const d = this.delayed.get(jobId);
    if (d) {
      clearTimeout(d.timer);
      this.delayed.delete(jobId);
      this.checkIdle();
      return d.entry;
    }
    return undefined;
  }

  /** Aborts a running job's signal with reason; false when it is not running here. */
  abort(jobId: string, reason: unknown): boolean {
    const r = this.running.get(jobId);
    if (!r) return false;
    r.controller.abort(reason);
    return true;
  }

  /** Resolves when the job running here has finished its run; undefined when it is not running here. */
  settled(jobId: string): Promise<void> | undefined {
    return this.running.get(jobId)?.settled;
  }

  has(jobId: string): boolean {
    return this.running.has(jobId) || this.delayed.has(jobId) || this.waiting.some((e) => e.jobId === jobId);
  }

  get runningCount(): number {
    return this.running.size;
  }

  /** Resolves once nothing is queued, waiting or running. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops taking work: running jobs are aborted with reason; the entries that never ran are returned. */
  stop(reason: unknown): E[] {
    this.stopped = true;
    const dropped = [...this.waiting, ...[...this.delayed.values()].map((d) => d.entry)];
    this.waiting.length = 0;
    for (const d of this.delayed.values()) clearTimeout(d.timer);
    this.delayed.clear();
    for (const r of this.running.values()) r.controller.abort(reason);
    this.checkIdle();
    return dropped;
  }

  private isIdle(): boolean {
    return this.waiting.length === 0 && this.delayed.size === 0 && this.running.size === 0;
  }

  private checkIdle(): void {
    if (!this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private pump(): void {
    while (!this.stopped && this.running.size < this.concurrency) {
      const i = this.waiting.findIndex((e) => e.ready && !this.runningKeys.has(e.key));
      if (i < 0) break;
      const [entry] = this.waiting.splice(i, 1);
      this.start(entry);
    }
    this.checkIdle();
  }

  private start(entry: E): void {
    const controller = new AbortController();
    const slot: { entry: E; controller: AbortController; settled?: Promise<void> } = { entry, controller };
    this.running.set(entry.jobId, slot);
    this.runningKeys.add(entry.key);
    slot.settled = this.run(entry, controller.signal)
      .catch((err: unknown): RunResult => {
        this.onError(err, entry);
        return 'done';
      })
      .then((result) => {
        this.running.delete(entry.jobId);
        this.runningKeys.delete(entry.key);
        if (result === 'retry' && !this.stopped && !controller.signal.aborted) {
          const timer = setTimeout(() => {
            this.delayed.delete(entry.jobId);
            this.waiting.push(entry);
            this.pump();
          }, this.retryDelayMs);
          timer.unref();
          this.delayed.set(entry.jobId, { entry, timer });
        }
        this.pump();
      });
  }
}
