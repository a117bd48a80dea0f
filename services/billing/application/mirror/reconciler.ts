import { reconcile, type ReconcileOptions } from './reconcile';
import type { ReconcileDeps } from './reconcile-domain';
import type { ReconcileReport } from './reconcile-report';

export interface Reconciler {
  /** Runs a pass now (or joins the one running) and resolves with its report. */
  runNow(): Promise<ReconcileReport>;
  /** Stops the timer and waits for a running pass. */
  stop(): Promise<void>;
}

/**
 * Reconciles every intervalMs, passes never overlapping; the first pass starts at once. A pass
 * that fails is logged and the timer goes on. intervalMs <= 0 turns the timer off (runNow still works).
 */
export function startReconciler(deps: ReconcileDeps, intervalMs: number, options: ReconcileOptions = {}): Reconciler {
  const log = deps.logger.child({ component: 'reconciler' });
  let running: Promise<ReconcileReport> | null = null;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const pass = (): Promise<ReconcileReport> => {
    if (running) return running;
    const started = Date.now();
    running = reconcile(deps, options)
      .then((report) => {
        log.info({ ...report, took_ms: Date.now() - started }, 'reconciliation pass done');
        return report;
      })
      .finally(() => {
        running = null;
      });
    return running;
  };

  const schedule = (delayMs: number) => {
    if (stopped || intervalMs <= 0) return;
    timer = setTimeout(() => {
      pass()
        .catch((err: unknown) => log.error({ err: (err as Error).message }, 'reconciliation pass failed; next pass tries again'))
        .finally(() => schedule(intervalMs));
    }, delayMs);
    timer.unref();
  };
  schedule(0);

  return {
    runNow: pass,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running?.catch(() => undefined);
    },
  };
}
