import type { Metric, Registry } from 'prom-client';

/** A series' labels: values by label name, as prom-client takes them. */
export type Labels<L extends string> = Partial<Record<L, string | number>>;

/** What a family needs of its series: whether it has been touched since the last reset, and how to forget. */
export interface Series {
  live: boolean;
  clear(): void;
}

export interface FamilyOptions<L extends string> {
  name: string;
  help: string;
  labelNames: readonly L[];
  registry: Registry;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * A metric family (one name, one help, its label names) whose series are plain objects the
 * caller keeps: recording is a field update, with none of prom-client's per-call label hashing.
 * The family registers itself in a prom-client Registry, which reads it through get() on a
 * scrape exactly as it reads prom-client's own Counter and Histogram (same values, labels,
 * series order: the order series were first touched, as prom-client keeps them).
 */
export abstract class MetricFamily<L extends string, S extends Series> {
  /** Mutable: an OpenMetrics registry renames counters as prom-client's own. */
  name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
  readonly aggregator = 'sum';
  abstract readonly type: 'counter' | 'histogram';
  private readonly byKey = new Map<string, S>();
  /** Touched series, in the order of their first touch since the last reset. */
  protected live: S[] = [];
  private readonly sortedNames: readonly L[];

  constructor(o: FamilyOptions<L>) {
    if (!METRIC_NAME.test(o.name)) throw new Error(`invalid metric name ${o.name}`);
    if (!o.help) throw new Error(`metric ${o.name}: help is required`);
    // prom-client shows an unlabelled series before its first touch; these families have none.
    if (o.labelNames.length === 0) throw new Error(`metric ${o.name}: a family needs at least one label name`);
    for (const l of o.labelNames) if (!LABEL_NAME.test(l) || l.startsWith('__')) throw new Error(`metric ${o.name}: invalid label name ${l}`);
    this.name = o.name;
    this.help = o.help;
    this.labelNames = o.labelNames;
    this.sortedNames = [...o.labelNames].sort();
    // The registry duck-types its metrics (name, help, type, aggregator, get, reset); its
    // TypeScript signature only names prom-client's own classes.
    o.registry.registerMetric(this as unknown as Metric);
  }

  /**
   * The series of these labels (the same object every time for the same labels); look it up
   * once and keep it. Unknown label names throw, as prom-client's do.
   */
  series(labels: Labels<L>): S {
    const key = this.keyOf(labels);
    let s = this.byKey.get(key);
    if (!s) this.byKey.set(key, (s = this.create(Object.freeze({ ...labels }), this.touched)));
    return s;
  }

  /** Forgets every value: series disappear from scrapes until touched again (prom-client's reset()). */
  reset(): void {
    for (const s of this.live) s.clear();
    this.live = [];
  }

  /** A new series; it calls `touched` on its first touch since the last reset. */
  protected abstract create(labels: Readonly<Labels<L>>, touched: (s: S) => void): S;

  private readonly touched = (s: S): void => {
    s.live = true;
    this.live.push(s);
  };

  private keyOf(labels: Labels<L>): string {
    let key = '';
    for (const name in labels) if (!this.labelNames.includes(name)) throw new Error(`metric ${this.name}: unknown label ${name}`);
    for (const name of this.sortedNames) {
      const v = labels[name];
      if (v !== undefined) key += `${name}\u0000${v}\u0001`;
    }
    return key;
  }
}
