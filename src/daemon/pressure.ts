import type { Knex } from 'knex';
import type { HubConfig } from '../lib/config/index.js';
import { toDbTimestamp } from './db/timestamps.js';
import type { LocalServerManager } from './spawner/local-server-manager.js';
import type { SpawnStatsSnapshot } from './spawner/spawn-stats.js';

/**
 * What `hub top` shows, pushed by the daemon (never re-read from the database by the CLI): users active within
 * active_user_window, servers by phase, the limits they press against, and spawn statistics.
 */
export interface PressureSnapshot {
  time: string;
  users: { total: number; active: number; active_window_seconds: number };
  servers: { running: number; pending_spawn: number; pending_stop: number };
  limits: { concurrent_spawn_limit: number; active_server_limit: number };
  spawn: SpawnStatsSnapshot | null;
}

type Listener = () => void;

export class PressureFeed {
  private readonly db: Knex;
  private readonly config: HubConfig;
  private manager: LocalServerManager | undefined;
  private readonly listeners = new Set<Listener>();
  private pending: NodeJS.Timeout | undefined;

  constructor(db: Knex, config: HubConfig) {
    this.db = db;
    this.config = config;
  }

  attach(manager: LocalServerManager): void {
    this.manager = manager;
    const previous = manager.onChange;
    manager.onChange = () => {
      previous();
      this.changed();
    };
  }

  /** Coalesces bursts (a spawn storm changes state thousands of times a second) into at most 4 pushes a second. */
  changed(): void {
    if (this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      for (const l of this.listeners) l();
    }, 250);
    this.pending.unref();
  }

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  async snapshot(): Promise<PressureSnapshot> {
    const jh = this.config.JupyterHub;
    const since = toDbTimestamp(new Date(Date.now() - jh.active_user_window * 1000));
    const [total, active] = await Promise.all([
      this.db('users').count({ n: '*' }).first(),
      this.db('users').where('last_activity', '>=', since).count({ n: '*' }).first(),
    ]);
    const c = this.manager?.counts() ?? { spawning: 0, running: 0, stopping: 0 };
    return {
      time: new Date().toISOString(),
      users: { total: Number(total?.n ?? 0), active: Number(active?.n ?? 0), active_window_seconds: jh.active_user_window },
      servers: { running: c.running, pending_spawn: c.spawning, pending_stop: c.stopping },
      limits: { concurrent_spawn_limit: jh.concurrent_spawn_limit, active_server_limit: jh.active_server_limit },
      spawn: this.manager ? this.manager.stats.snapshot() : null,
    };
  }
}
