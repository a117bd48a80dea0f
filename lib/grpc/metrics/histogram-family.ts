import type { FamilyOptions, Labels, Series } from './metric-family';
import { MetricFamily } from './metric-family';

/** One histogram series: observe() finds the bucket and adds, nothing else. */
export class HistogramSeries implements Series {
  /** Per upper bound (not cumulative), as prom-client keeps them; +Inf is count. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  live = false;

  constructor(
    readonly labels: Readonly<Labels<string>>,
    private readonly bounds: readonly number[],
    private readonly touched: (s: HistogramSeries) => void,
  ) {
    this.counts = new Float64Array(bounds.length);
  }

  observe(value: number): void {
    if (!Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${value}`);
    if (!this.live) this.touched(this);
    const b = this.bounds;
    for (let i = 0; i < b.length; i++) {
      if (value <= b[i]) {
        this.counts[i]++;
        break;
      }
    }
    this.sum += value;
    this.count++;
  }

  /** Observes the seconds since `startMs`, a performance.now() reading. */
  observeSince(startMs: number): void {
    this.observe((performance.now() - startMs) / 1000);
  }

  clear(): void {
    this.counts.fill(0);
    this.sum = 0;
    this.count = 0;
    this.live = false;
  }
}

/** One value as prom-client's Histogram.getForPromString() lists it. */
interface PromStringValue {
  labels: Labels<string>;
  sharedLabels: Readonly<Labels<string>>;
  value: number;
  metricName: string;
  exemplar: null | undefined;
}

/** A Prometheus histogram family whose series are HistogramSeries (see MetricFamily). */
export class HistogramFamily<L extends string> extends MetricFamily<L, HistogramSeries> {
  readonly type = 'histogram';
  readonly buckets: readonly number[];

  constructor(o: FamilyOptions<L> & { buckets: readonly number[] }) {
    if (o.labelNames.includes('le' as L)) throw new Error('le is a reserved label keyword');
    for (let i = 1; i < o.buckets.length; i++) if (!(o.buckets[i] > o.buckets[i - 1])) throw new Error(`metric ${o.name}: buckets must go up`);
    super(o);
    this.buckets = Object.freeze([...o.buckets]);
  }

  protected create(labels: Readonly<Labels<L>>, touched: (s: HistogramSeries) => void): HistogramSeries {
    return new HistogramSeries(labels, this.buckets, touched);
  }

  /** What prom-client's Histogram.getForPromString() answers (the registry's text format reads this). */
  getForPromString(): Promise<{ name: string; help: string; type: 'histogram'; values: PromStringValue[]; aggregator: 'sum' }> {
    const bucket = `${this.name}_bucket`;
    const values: PromStringValue[] = [];
    for (const s of this.live) {
      let acc = 0;
      for (let i = 0; i < this.buckets.length; i++) {
        acc += s.counts[i];
        values.push({ labels: { le: this.buckets[i] }, sharedLabels: s.labels, value: acc, metricName: bucket, exemplar: null });
      }
      values.push(
        { labels: { le: '+Inf' }, sharedLabels: s.labels, value: s.count, metricName: bucket, exemplar: null },
        { labels: {}, sharedLabels: s.labels, value: s.sum, metricName: `${this.name}_sum`, exemplar: undefined },
        { labels: {}, sharedLabels: s.labels, value: s.count, metricName: `${this.name}_count`, exemplar: undefined },
      );
    }
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator });
  }

  /** What prom-client's Histogram.get() answers: the same values with the series' labels spread in. */
  async get(): Promise<{ name: string; help: string; type: 'histogram'; values: Omit<PromStringValue, 'sharedLabels'>[]; aggregator: 'sum' }> {
    const data = await this.getForPromString();
    return { ...data, values: data.values.map(({ sharedLabels, labels, ...rest }) => ({ ...rest, labels: { ...labels, ...sharedLabels } })) };
  }
}
