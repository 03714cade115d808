import type { PressureSnapshot } from '../../lib/client/pressure-model.js';
import { limit, seconds } from '../format.js';
import { gauge, sparkline } from './sparkline.js';

/**
 * The pressure panel as lines of styled segments, shared by the live dashboard (Ink) and the one-shot snapshot
 * printed without a terminal, so both always say the same thing.
 */
export type Tone = 'ok' | 'warn' | 'bad' | 'dim' | 'label';

export interface Seg {
  text: string;
  tone?: Tone;
}

export type Line = Seg[];

const label = (text: string): Seg => ({ text: text.padEnd(10), tone: 'label' });

/** Near a limit is a warning, at it is bad; no limit (0) is never pressed. */
function pressTone(value: number, max: number): Tone {
  if (max <= 0 || value < max * 0.8) return 'ok';
  return value >= max ? 'bad' : 'warn';
}

function windowText(secondsWindow: number): string {
  return secondsWindow % 3600 === 0 ? `${secondsWindow / 3600}h` : `${Math.round(secondsWindow / 60)}m`;
}

export function pressureLines(p: PressureSnapshot, pendingHistory: number[], width: number): Line[] {
  const { servers: s, limits: l, users: u } = p;
  const st = p.spawn;
  const active = s.running + s.pending_spawn;
  const spark = Math.max(10, Math.min(30, width - 52));
  const lines: Line[] = [
    [label('users'), { text: `${u.active} active` }, { text: ` (last ${windowText(u.active_window_seconds)}), ${u.total} total`, tone: 'dim' }],
    [
      label('servers'),
      { text: `running ${s.running}`, tone: 'ok' },
      { text: '   ' },
      { text: `pending ${s.pending_spawn}`, tone: s.pending_spawn > 0 ? 'warn' : 'dim' },
      { text: '   ' },
      { text: `stopping ${s.pending_stop}`, tone: s.pending_stop > 0 ? 'warn' : 'dim' },
    ],
    [
      label('pressure'),
      { text: `spawns ${s.pending_spawn}/${limit(l.concurrent_spawn_limit)} ` },
      { text: gauge(s.pending_spawn, l.concurrent_spawn_limit), tone: pressTone(s.pending_spawn, l.concurrent_spawn_limit) },
      { text: `   active ${active}/${limit(l.active_server_limit)} ` },
      { text: gauge(active, l.active_server_limit), tone: pressTone(active, l.active_server_limit) },
    ],
  ];
  if (st) {
    lines.push([
      label('spawning'),
      { text: `${st.spawns_per_minute}/min   ready p50 ${seconds(st.ready_p50_seconds)} p95 ${seconds(st.ready_p95_seconds)}   ` },
      { text: `429s ${st.throttled_last_5m}`, tone: st.throttled_last_5m > 0 ? 'warn' : 'dim' },
      { text: '  ' },
      { text: `failed ${st.failed_last_5m}`, tone: st.failed_last_5m > 0 ? 'bad' : 'dim' },
      { text: ' (5 min)', tone: 'dim' },
    ]);
    lines.push([
      label('history'),
      { text: sparkline(st.history.map((h) => h.requested), spark), tone: 'ok' },
      { text: ` spawns/min, ${Math.min(spark, st.history.length)} min  `, tone: 'dim' },
      { text: sparkline(pendingHistory, 12), tone: 'warn' },
      { text: ' pending', tone: 'dim' },
    ]);
  } else {
    lines.push([label('spawning'), { text: 'no spawner statistics (no spawner configured)', tone: 'dim' }]);
  }
  return lines;
}

export function lineText(line: Line): string {
  return line.map((s) => s.text).join('');
}
