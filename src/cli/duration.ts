import { HubError } from '../lib/errors.js';

/**
 * Durations on the command line: `90s`, `30m`, `2h`, `1d`, `1w`, combinations (`1h30m`), or bare seconds.
 * Returns seconds. Used by --idle-for and --expires-in.
 */
const UNIT: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

export function parseDuration(text: string, flag: string): number {
  const t = text.trim().toLowerCase();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t);
  const parts = [...t.matchAll(/(\d+(?:\.\d+)?)([smhdw])/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== t) {
    throw new HubError('USAGE', `${flag} ${text}: not a duration`, { hint: 'Use e.g. 90s, 30m, 2h, 1d, 1w, 1h30m, or a number of seconds.' });
  }
  return parts.reduce((sum, p) => sum + Number(p[1]) * (UNIT[p[2] ?? 's'] ?? 1), 0);
}
