/** A call waiting for its deadline; `expire` runs once if the deadline passes while it is queued. */
export interface Deadline {
  /** When, on the queue's clock (performance.now() unless given: monotonic, so a step of the system clock neither hastens nor delays a deadline). */
  readonly at: number;
  expire(): void;
  /** The entry's place in the queue's heap; -1 once out of it. Managed by the queue. */
  slot: number;
}

const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Deadlines of calls in flight on one timer: a binary min-heap by deadline, the timer armed for
 * the earliest one. A call that ends in time costs an insert and a removal (a few comparisons for
 * the few calls in flight) instead of a Node timer of its own. The timer is unref'd: the calls'
 * own sockets keep the process alive.
 */
export class DeadlineQueue {
  private readonly heap: Deadline[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** When the armed timer fires (queue clock). */
  private armedAt = Infinity;

  constructor(private readonly now: () => number = () => performance.now()) {}

  get size(): number {
    return this.heap.length;
  }

  add(d: Deadline): void {
    d.slot = this.heap.length;
    this.heap.push(d);
    this.up(d.slot);
    if (d.at < this.armedAt) this.arm(d.at);
  }

  /** Takes a call out (it ended); a call no longer queued is left alone. */
  remove(d: Deadline): void {
    const i = d.slot;
    if (i < 0 || this.heap[i] !== d) return;
    d.slot = -1;
    const last = this.heap.pop()!;
    if (last === d) return;
    this.heap[i] = last;
    last.slot = i;
    this.down(i);
    this.up(last.slot);
    // The armed timer may now fire early; fire() then finds nothing due and re-arms.
  }

  /** Stops the timer; queued calls never expire. */
  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.armedAt = Infinity;
  }

  private arm(at: number): void {
    clearTimeout(this.timer);
    this.armedAt = at;
    // A Node timer cannot wait longer than MAX_TIMER_MS; a later deadline is re-armed on the way.
    this.timer = setTimeout(() => this.fire(), Math.min(MAX_TIMER_MS, Math.max(0, at - this.now())));
    this.timer.unref();
  }

  private fire(): void {
    this.timer = undefined;
    this.armedAt = Infinity;
    const now = this.now();
    const due: Deadline[] = [];
    while (this.heap.length > 0 && this.heap[0].at <= now) {
      const d = this.heap[0];
      this.remove(d);
      due.push(d);
    }
    if (this.heap.length > 0) this.arm(this.heap[0].at);
    for (const d of due) d.expire();
  }

  private up(i: number): void {
    const h = this.heap;
    const d = h[i];
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p].at <= d.at) break;
      h[i] = h[p];
      h[i].slot = i;
      i = p;
    }
    h[i] = d;
    d.slot = i;
  }

  private down(i: number): void {
    const h = this.heap;
    const d = h[i];
    const n = h.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && h[r].at < h[l].at ? r : l;
      if (h[c].at >= d.at) break;
      h[i] = h[c];
      h[i].slot = i;
      i = c;
    }
    h[i] = d;
    d.slot = i;
  }
}
