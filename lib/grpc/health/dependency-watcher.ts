import type { HealthService } from './health-service';

/** Something the service cannot work without (NATS, the store); check resolves true when up. */
export interface Dependency {
  name: string;
  check: () => Promise<boolean>;
}

export interface DependencyWatcherOptions {
  /** Time between the end of one poll and the start of the next; default 5000 ms. */
  intervalMs?: number;
  /** A check that takes longer counts as down; default intervalMs. */
  timeoutMs?: number;
  /** The health entries to flip; default [''] (the server as a whole). */
  services?: string[];
  /** Called when the set of down dependencies changes (e.g. to log it). */
  onChange?: (down: string[]) => void;
}

export interface DependencyWatcher {
  /** Names of the dependencies down at the last poll. */
  readonly down: readonly string[];
  /** Runs every check now, applies the result and returns the names of those down. */
  poll(): Promise<string[]>;
  stop(): void;
}

async function isUp(dep: Dependency, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([dep.check().then((ok) => ok === true), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Polls the dependencies and keeps the health status NOT_SERVING while any of them is down,
 * SERVING once all are up again. The first poll starts at once; timers do not keep the process
 * alive.
 */
export function dependencyWatcher(
  health: HealthService,
  dependencies: Dependency[],
  options: DependencyWatcherOptions = {},
): DependencyWatcher {
  const intervalMs = options.intervalMs ?? 5000;
  const timeoutMs = options.timeoutMs ?? intervalMs;
  const services = options.services ?? [''];
  let down: string[] = [];
  let applied: boolean | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const poll = async (): Promise<string[]> => {
    const results = await Promise.all(dependencies.map((d) => isUp(d, timeoutMs)));
    const nowDown = dependencies.filter((_, i) => !results[i]).map((d) => d.name);
    if (stopped) return nowDown;
    const changed = nowDown.join('\n') !== down.join('\n');
    down = nowDown;
    const serving = nowDown.length === 0;
    if (serving !== applied) {
      applied = serving;
      for (const s of services) health.setStatus(s, serving ? 'SERVING' : 'NOT_SERVING');
    }
    if (changed) options.onChange?.(nowDown);
    return nowDown;
  };

  const loop = (): void => {
    if (stopped) return;
    void poll().finally(() => {
      if (stopped) return;
      timer = setTimeout(loop, intervalMs);
      timer.unref();
    });
  };
  loop();

  return {
    get down() {
      return down;
    },
    poll,
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
