/**
 * The statsd line protocol as the Python `statsd` package (JupyterHub's StatsClient) writes it: `<prefix>.<stat>:<value>|<type>`,
 * the prefix left out when empty; counters `1|c`, timers `%0.6f|ms` (milliseconds), gauges `<n>|g`. A negative
 * gauge is sent as `0|g` then the value, since a leading `-` would otherwise mean "decrease by". Values that are
 * not finite numbers make no line (Python would send `nan`, which statsd servers reject).
 */
export type StatKind = 'c' | 'ms' | 'g';

export function statName(prefix: string, stat: string): string {
  return prefix === '' ? stat : `${prefix}.${stat}`;
}

export function counterLine(name: string, count: number): string | null {
  return Number.isFinite(count) ? `${name}:${count}|c` : null;
}

export function timingLine(name: string, ms: number): string | null {
  return Number.isFinite(ms) ? `${name}:${ms.toFixed(6)}|ms` : null;
}

export function gaugeLine(name: string, value: number): string | null {
  if (!Number.isFinite(value)) return null;
  return value < 0 ? `${name}:0|g\n${name}:${value}|g` : `${name}:${value}|g`;
}

/**
 * Characters that would break a line (`:` and `|` separate its fields, `@` starts a sample rate, a newline
 * starts another metric) are refused in the prefix: the admin hears about it at start, not as silently bad data.
 */
export function prefixProblem(prefix: string): string | null {
  const bad = /[:|@\s]/.exec(prefix);
  return bad ? `contains ${JSON.stringify(bad[0])}, which the statsd line protocol uses as a separator` : null;
}
