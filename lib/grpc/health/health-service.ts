/** What a service can report about itself. */
export type ServingStatus = 'SERVING' | 'NOT_SERVING';

/** What the Health protocol answers; SERVICE_UNKNOWN is sent only by Watch. */
export type WireStatus = 'UNKNOWN' | ServingStatus | 'SERVICE_UNKNOWN';

interface Watcher {
  service: string;
  last: WireStatus | undefined;
  send(status: WireStatus): void;
  end(): void;
}

/**
 * The serving status of each service of a process; the empty name "" is the server as a whole.
 * Watchers hear each change once. After shutdown() every status is NOT_SERVING, later updates are
 * ignored (so a dependency check cannot flip a draining server back) and watches are ended.
 */
/**
 * A health entry that stays SERVING until shutdown, whatever the dependencies: Kubernetes'
 * liveness probe asks for it, so a store or NATS outage makes a pod unready, not restarted.
 */
export const LIVENESS_SERVICE = 'liveness';

export class HealthService {
  private readonly statuses = new Map<string, ServingStatus>();
  private readonly watchers = new Set<Watcher>();
  private shutDown = false;

  constructor(initial: Record<string, ServingStatus> = { '': 'SERVING' }) {
    for (const [service, status] of Object.entries(initial)) this.statuses.set(service, status);
  }

  get isShutDown(): boolean {
    return this.shutDown;
  }

  /** The status of a service, or undefined when it was never set. */
  getStatus(service: string): ServingStatus | undefined {
    return this.statuses.get(service);
  }

  /** Every known service with its status. */
  list(): Record<string, ServingStatus> {
    return Object.fromEntries(this.statuses);
  }

  setStatus(service: string, status: ServingStatus): void {
    if (this.shutDown) return;
    this.statuses.set(service, status);
    this.notify(service);
  }

  /** Sets every service NOT_SERVING, ignores further updates and ends every watch. */
  shutdown(): void {
    if (this.shutDown) return;
    for (const service of this.statuses.keys()) this.statuses.set(service, 'NOT_SERVING');
    for (const service of this.statuses.keys()) this.notify(service);
    this.shutDown = true;
    for (const w of [...this.watchers]) {
      this.watchers.delete(w);
      w.end();
    }
  }

  /**
   * Calls send with the current status at once and again on each change, until the returned
   * function is called or the service shuts down (then end is called).
   */
  watch(service: string, send: (status: WireStatus) => void, end: () => void): () => void {
    const watcher: Watcher = { service, last: undefined, send, end };
    this.deliver(watcher);
    if (this.shutDown) {
      end();
      return () => undefined;
    }
    this.watchers.add(watcher);
    return () => {
      this.watchers.delete(watcher);
    };
  }

  private notify(service: string): void {
    for (const w of this.watchers) if (w.service === service) this.deliver(w);
  }

  private deliver(w: Watcher): void {
    const status = this.statuses.get(w.service) ?? 'SERVICE_UNKNOWN';
    if (status === w.last) return;
    w.last = status;
    w.send(status);
  }
}
