/**
 * A one-line chart of the last values, scaled to their own maximum (so a quiet hub's 1-2 spawns still show
 * shape); zero is always the lowest bar, so "nothing happened" reads as flat.
 */
const BARS = '▁▂▃▄▅▆▇█';

export function sparkline(values: number[], width = values.length): string {
  const shown = values.slice(-width);
  const max = Math.max(0, ...shown);
  return shown
    .map((v) => {
      if (max <= 0 || v <= 0) return BARS[0];
      const i = Math.min(BARS.length - 1, Math.max(1, Math.ceil((v / max) * (BARS.length - 1))));
      return BARS[i];
    })
    .join('');
}

/** A fixed-size history of samples (pending spawns per pressure event), oldest first. */
export function pushSample(history: number[], value: number, size: number): number[] {
  const next = [...history, value];
  return next.length > size ? next.slice(next.length - size) : next;
}

/** `[████░░░░░░]` for value out of max; an empty bar for no limit (max 0). */
export function gauge(value: number, max: number, width = 10): string {
  if (max <= 0) return `[${'·'.repeat(width)}]`;
  const filled = Math.min(width, Math.round((value / max) * width));
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}]`;
}
