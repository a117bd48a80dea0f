import type { Registry } from 'prom-client';
import { CounterFamily, HistogramFamily, type CounterSeries, type HistogramSeries } from '../../../lib/grpc/metrics';

/** HTTP/JSON requests by route (the generated path, or "unmatched") and HTTP status. */
export class HttpMetrics {
  readonly handled: CounterFamily<'route' | 'status'>;
  readonly seconds: HistogramFamily<'route'>;
  private readonly routes = new Map<string, { seconds: HistogramSeries; byStatus: Map<number, CounterSeries> }>();

  constructor(registry: Registry) {
    this.handled = new CounterFamily({ name: 'http_requests_total', help: 'HTTP/JSON requests handled', labelNames: ['route', 'status'], registry });
    this.seconds = new HistogramFamily({
      name: 'http_request_duration_seconds',
      help: 'Time to answer an HTTP/JSON request',
      labelNames: ['route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registry,
    });
  }

  /** Counts one answered request and its time in seconds. */
  record(route: string, status: number, seconds: number): void {
    let r = this.routes.get(route);
    if (!r) this.routes.set(route, (r = { seconds: this.seconds.series({ route }), byStatus: new Map() }));
    let handled = r.byStatus.get(status);
    if (!handled) r.byStatus.set(status, (handled = this.handled.series({ route, status: String(status) })));
    handled.inc();
    r.seconds.observe(seconds);
  }
}
