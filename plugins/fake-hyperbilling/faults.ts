/**
 * Faults a test switches on for the fake's /summary answers. Each fault serves `times` requests
 * (default 1; Infinity for a persistent fault) after letting `skip` requests through (default
 * 0), so "fail twice, then succeed" and "fail on the second page" are one line each. Every
 * request takes at most one fault: the first pending one, in the order they were added.
 */
export type FaultKind =
  /** 429 with a Retry-After header (seconds). */
  | 'rate_limit'
  /** An HTTP error status (500, 502, 503...) with a JSON error body. */
  | 'server_error'
  /** Waits delayMs, then answers normally (unless the client gave up). */
  | 'delay'
  /** 200 with a body that is not JSON. */
  | 'malformed'
  /** 200 with a complete HTTP body whose JSON is cut in the middle. */
  | 'truncated'
  /** Sends the headers and half the body, then drops the connection. */
  | 'disconnect';

export interface FaultSpec {
  kind: FaultKind;
  times?: number;
  skip?: number;
  /** server_error: the status (default 500). */
  status?: number;
  /** rate_limit: the Retry-After value in seconds (default 1). */
  retryAfterSeconds?: number;
  /** delay: milliseconds (default 1000). */
  delayMs?: number;
}

export interface ActiveFault extends Required<Omit<FaultSpec, 'skip' | 'times'>> {
  readonly id: number;
}

interface Pending {
  fault: ActiveFault;
  skip: number;
  times: number;
}

export class FaultInjector {
  private pending: Pending[] = [];
  private nextId = 1;

  /** Adds a fault; returns this for chaining. */
  add(spec: FaultSpec): this {
    const times = spec.times ?? 1;
    const skip = spec.skip ?? 0;
    if (!(times >= 1) || !(skip >= 0)) throw new RangeError('times must be >= 1 and skip >= 0');
    const fault: ActiveFault = {
      id: this.nextId++,
      kind: spec.kind,
      status: spec.status ?? (spec.kind === 'rate_limit' ? 429 : 500),
      retryAfterSeconds: spec.retryAfterSeconds ?? 1,
      delayMs: spec.delayMs ?? 1000,
    };
    this.pending.push({ fault, skip, times });
    return this;
  }

  rateLimit(retryAfterSeconds = 1, times = 1): this {
    return this.add({ kind: 'rate_limit', retryAfterSeconds, times });
  }

  serverError(status = 500, times = 1): this {
    return this.add({ kind: 'server_error', status, times });
  }

  slow(delayMs: number, times = 1): this {
    return this.add({ kind: 'delay', delayMs, times });
  }

  malformed(times = 1): this {
    return this.add({ kind: 'malformed', times });
  }

  truncated(times = 1, skip = 0): this {
    return this.add({ kind: 'truncated', times, skip });
  }

  disconnect(times = 1, skip = 0): this {
    return this.add({ kind: 'disconnect', times, skip });
  }

  /** Removes every pending fault. */
  clear(): void {
    this.pending = [];
  }

  /** How many faults still wait to fire. */
  get size(): number {
    return this.pending.length;
  }

  /** The fault for the next request, if any (used by the server). */
  take(): ActiveFault | undefined {
    let chosen: ActiveFault | undefined;
    for (const p of this.pending) {
      if (p.skip > 0) {
        p.skip--;
        continue;
      }
      if (!chosen) {
        chosen = p.fault;
        p.times--;
      }
    }
    this.pending = this.pending.filter((p) => p.times > 0);
    return chosen;
  }
}
