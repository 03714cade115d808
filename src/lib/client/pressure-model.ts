import { bad, isObj, str } from './models.js';

/**
 * The daemon's spawn-pressure snapshot (GET /hub/ext/pressure, and each `pressure` event of /hub/ext/events),
 * narrowed at the socket. The daemon's own type lives on its side of the import boundary (lib never imports
 * daemon), so this is its mirror, checked field by field.
 */
export interface SpawnMinute {
  minute: string;
  requested: number;
  ready: number;
  failed: number;
  throttled: number;
  stopped: number;
}

export interface SpawnStats {
  window_minutes: number;
  spawns_per_minute: number;
  ready_p50_seconds: number | null;
  ready_p95_seconds: number | null;
  throttled_last_5m: number;
  failed_last_5m: number;
  history: SpawnMinute[];
}

export interface PressureSnapshot {
  time: string;
  users: { total: number; active: number; active_window_seconds: number };
  servers: { running: number; pending_spawn: number; pending_stop: number };
  limits: { concurrent_spawn_limit: number; active_server_limit: number };
  spawn: SpawnStats | null;
}

type Obj = Record<string, unknown>;

function num(o: Obj, k: string): number {
  const v = o[k];
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

function numOrNull(o: Obj, k: string): number | null {
  const v = o[k];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function section(o: Obj, k: string): Obj {
  const v = o[k];
  return isObj(v) ? v : bad(`a pressure snapshot (no ${k})`);
}

function asMinute(v: unknown): SpawnMinute {
  const o = isObj(v) ? v : {};
  return { minute: str(o, 'minute'), requested: num(o, 'requested'), ready: num(o, 'ready'), failed: num(o, 'failed'), throttled: num(o, 'throttled'), stopped: num(o, 'stopped') };
}

function asSpawnStats(v: unknown): SpawnStats | null {
  if (!isObj(v)) return null;
  return {
    window_minutes: num(v, 'window_minutes'),
    spawns_per_minute: num(v, 'spawns_per_minute'),
    ready_p50_seconds: numOrNull(v, 'ready_p50_seconds'),
    ready_p95_seconds: numOrNull(v, 'ready_p95_seconds'),
    throttled_last_5m: num(v, 'throttled_last_5m'),
    failed_last_5m: num(v, 'failed_last_5m'),
    history: Array.isArray(v.history) ? v.history.map(asMinute) : [],
  };
}

export function asPressure(v: unknown): PressureSnapshot {
  if (!isObj(v)) return bad('a pressure snapshot');
  const users = section(v, 'users');
  const servers = section(v, 'servers');
  const limits = section(v, 'limits');
  return {
    time: str(v, 'time'),
    users: { total: num(users, 'total'), active: num(users, 'active'), active_window_seconds: num(users, 'active_window_seconds') },
    servers: { running: num(servers, 'running'), pending_spawn: num(servers, 'pending_spawn'), pending_stop: num(servers, 'pending_stop') },
    limits: { concurrent_spawn_limit: num(limits, 'concurrent_spawn_limit'), active_server_limit: num(limits, 'active_server_limit') },
    spawn: asSpawnStats(v.spawn),
  };
}
