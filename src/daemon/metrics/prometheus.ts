/**
 * Prometheus metrics in the text exposition format (0.0.4), served at /hub/metrics as JupyterHub's
 * prometheus_client registry is. Only what hub needs: gauges (set, or read at scrape time) and histograms with
 * fixed buckets and labels. A labelled series exists from its first `labels()` call, so JupyterHub's practice of
 * creating every status label up front (metrics.py) makes the series visible before anything happened.
 */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** prometheus_client's Histogram.DEFAULT_BUCKETS (+Inf is always added). */
export const DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

type Labels = Record<string, string>;

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labelText(labels: Labels, extra?: [string, string]): string {
  const pairs = Object.entries(labels);
  if (extra) pairs.push(extra);
  if (pairs.length === 0) return '';
  return `{${pairs.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`;
}

function num(n: number): string {
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  if (Number.isNaN(n)) return 'NaN';
  // prometheus_client writes floats (1.0); Prometheus parses both.
  return Number.isInteger(n) ? `${n}.0` : String(n);
}

interface Metric {
  render(): Promise<string[]>;
}

function header(name: string, help: string, type: string): string[] {
  return [`# HELP ${name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${name} ${type}`];
}

export class Gauge implements Metric {
  private value = 0;
  /** `collect`: read the value at scrape time instead (counts kept elsewhere, e.g. in the database). */
  constructor(readonly name: string, readonly help: string, private readonly collect?: () => Promise<number> | number) {}

  set(v: number): void {
    this.value = v;
  }

  async render(): Promise<string[]> {
    let v = this.value;
    if (this.collect) {
      try {
        v = await this.collect();
      } catch {
        v = NaN;
      }
    }
    return [...header(this.name, this.help, 'gauge'), `${this.name} ${num(v)}`];
  }
}

class HistogramSeries {
  readonly counts: number[];
  sum = 0;
  count = 0;
  constructor(readonly labels: Labels, buckets: number) {
    this.counts = new Array<number>(buckets).fill(0);
  }
}

export class Histogram implements Metric {
  private readonly buckets: number[];
  private readonly series = new Map<string, HistogramSeries>();

  constructor(readonly name: string, readonly help: string, private readonly labelNames: readonly string[] = [], buckets: readonly number[] = DEFAULT_BUCKETS) {
    this.buckets = [...buckets.filter((b) => b !== Infinity)].sort((a, b) => a - b);
    if (labelNames.length === 0) this.labels({});
  }

  /** The series for these label values (created at its first use, with zero counts). */
  labels(values: Labels): { observe: (seconds: number) => void } {
    const ordered: Labels = {};
    for (const n of this.labelNames) {
      const v = values[n];
      if (v === undefined) throw new Error(`${this.name}: missing label ${n}`);
      ordered[n] = v;
    }
    const key = JSON.stringify(ordered);
    let s = this.series.get(key);
    if (!s) {
      s = new HistogramSeries(ordered, this.buckets.length);
      this.series.set(key, s);
    }
    const series = s;
    return { observe: (v: number) => this.add(series, v) };
  }

  observe(seconds: number): void {
    this.labels({}).observe(seconds);
  }

  private add(s: HistogramSeries, v: number): void {
    for (let i = 0; i < this.buckets.length; i++) if (v <= (this.buckets[i] ?? Infinity)) s.counts[i] = (s.counts[i] ?? 0) + 1;
    s.sum += v;
    s.count++;
  }

  async render(): Promise<string[]> {
    const lines = header(this.name, this.help, 'histogram');
    for (const s of this.series.values()) {
      this.buckets.forEach((b, i) => lines.push(`${this.name}_bucket${labelText(s.labels, ['le', num(b)])} ${num(s.counts[i] ?? 0)}`));
      lines.push(`${this.name}_bucket${labelText(s.labels, ['le', '+Inf'])} ${num(s.count)}`);
      lines.push(`${this.name}_count${labelText(s.labels)} ${num(s.count)}`);
      lines.push(`${this.name}_sum${labelText(s.labels)} ${num(s.sum)}`);
    }
    return lines;
  }
}

export class Registry {
  private readonly metrics: Metric[] = [];

  register<M extends Metric>(m: M): M {
    this.metrics.push(m);
    return m;
  }

  async render(): Promise<string> {
    const out: string[] = [];
    for (const m of this.metrics) out.push(...(await m.render()));
    return out.join('\n') + '\n';
  }
}
