import { MetricFamily, type Labels, type Series } from './metric-family';

/** One counter series: `inc()` is a field update. */
export class CounterSeries implements Series {
  value = 0;
  live = false;

  constructor(
    readonly labels: Readonly<Labels<string>>,
    private readonly touched: (s: CounterSeries) => void,
  ) {}

  inc(by = 1): void {
    if (by !== 1 && !(by >= 0 && Number.isFinite(by))) throw new TypeError(`a counter only goes up by a finite amount, not ${by}`);
    if (!this.live) this.touched(this);
    this.value += by;
  }

  clear(): void {
    this.value = 0;
    this.live = false;
  }
}

/** A Prometheus counter family whose series are CounterSeries (see MetricFamily). */
export class CounterFamily<L extends string> extends MetricFamily<L, CounterSeries> {
  readonly type = 'counter';

  protected create(labels: Readonly<Labels<L>>, touched: (s: CounterSeries) => void): CounterSeries {
    return new CounterSeries(labels, touched);
  }

  /** What prom-client's Counter.get() answers, from the series. */
  get(): Promise<{ help: string; name: string; type: 'counter'; values: { value: number; labels: Readonly<Labels<string>> }[]; aggregator: 'sum' }> {
    return Promise.resolve({
      help: this.help,
      name: this.name,
      type: this.type,
      values: this.live.map((s) => ({ value: s.value, labels: s.labels })),
      aggregator: this.aggregator,
    });
  }
}
