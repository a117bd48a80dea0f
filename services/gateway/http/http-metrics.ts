import { Counter, Histogram, type Registry } from 'prom-client';

/** HTTP/JSON requests by route (the generated path, or "unmatched") and HTTP status. */
export class HttpMetrics {
  readonly handled: Counter<'route' | 'status'>;
  readonly seconds: Histogram<'route'>;

  constructor(registry: Registry) {
    this.handled = new Counter({ name: 'http_requests_total', help: 'HTTP/JSON requests handled', labelNames: ['route', 'status'], registers: [registry] });
    this.seconds = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time to answer an HTTP/JSON request',
      labelNames: ['route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
  }
}
