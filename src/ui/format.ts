import chalk from 'chalk';
import type { ServerState } from '../lib/client/servers-api.js';

/** How values look in tables and dashboards; --json keeps the raw values (ISO timestamps, seconds). */

/** `45s`, `12m`, `3h05m`, `4d02h`; '-' for none. */
export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '-';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86400)}d${String(Math.floor((s % 86400) / 3600)).padStart(2, '0')}h`;
}

/** Seconds with one decimal below a minute (spawn times), else as duration(). */
export function seconds(value: number | null | undefined): string {
  if (value === null || value === undefined) return '-';
  return value < 60 ? `${value.toFixed(1)}s` : duration(value);
}

export function stateColor(state: ServerState): (s: string) => string {
  switch (state) {
    case 'ready':
      return chalk.green;
    case 'spawning':
    case 'stopping':
      return chalk.yellow;
    case 'unready':
      return chalk.red;
    case 'stopped':
      return chalk.dim;
  }
}

/** `0` limits mean "no limit" in JupyterHub's config. */
export function limit(n: number): string {
  return n > 0 ? String(n) : '∞';
}

/** `in 3h`, `in 5d`; `expired` once past. */
export function until(iso: string, now = Date.now()): string {
  const s = Math.round((Date.parse(iso) - now) / 1000);
  return s <= 0 ? 'expired' : `in ${duration(s)}`;
}

/** `alice, bob, carol and 197 more`, for prompts about many targets. */
export function preview(names: string[], max = 3): string {
  if (names.length <= max) return names.join(', ');
  return `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

/** `[ 50%] Spawning server...` for `hub servers start --wait`. */
export function progressLine(e: { progress: number; message: string; failed: boolean }): string {
  const pct = `[${String(Math.round(e.progress)).padStart(3)}%]`;
  return `${e.failed ? chalk.red(pct) : pct} ${e.message}`;
}
