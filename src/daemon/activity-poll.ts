import type { Knex } from 'knex';
import type { HubMetrics } from './metrics/hub-metrics.js';
import type { Logger } from '../lib/log.js';
import type { ChpClient } from './proxy/chp-client.js';
import type { Statsd } from './metrics/statsd.js';
import { parseDbTimestamp, toDbTimestamp } from './db/timestamps.js';

/**
 * JupyterHub's update_last_activity: every last_activity_interval, read the proxy's per-route last_activity and
 * move the spawner's and the user's last_activity forward (never back): every route is read, and a write only
 * happens where the proxy's time is newer than the stored one. Then, as JupyterHub, the gauges users.running (user routes) and users.active (user routes whose user was
 * active within active_user_window), both counted per route, so a user with two servers counts twice.
 */
export interface ActivityPoll {
  stop: () => void;
  /** One poll now; resolves to the number of spawners whose last_activity moved. */
  pollOnce: () => Promise<number>;
}

export interface ActivityPollOptions {
  db: Knex;
  client: ChpClient;
  intervalSeconds: number;
  activeUserWindowSeconds: number;
  statsd: Statsd;
  log: Logger;
  /** jupyterhub_proxy_poll_duration_seconds. */
  metrics?: HubMetrics;
}

export function startActivityPoll(o: ActivityPollOptions): ActivityPoll {
  const pollOnce = async (): Promise<number> => {
    const tic = performance.now();
    const routes = await o.client.getAllRoutes();
    const now = Date.now();
    let updated = 0;
    let running = 0;
    let active = 0;
    for (const route of Object.values(routes)) {
      const data = route.data;
      const user = typeof data.user === 'string' ? data.user : null;
      const server = typeof data.server_name === 'string' ? data.server_name : '';
      if (!user) continue;
      running++;
      const when = typeof data.last_activity === 'string' ? new Date(data.last_activity) : null;
      if (!when || Number.isNaN(when.getTime())) continue;
      const ts = toDbTimestamp(when);
      const u = (await o.db('users').where({ name: user }).first('id', 'last_activity')) as { id?: unknown; last_activity?: unknown } | undefined;
      const userId = u?.id;
      if (typeof userId !== 'number') continue;
      updated += await o.db('spawners').where({ user_id: userId, name: server })
        .andWhere((q) => q.whereNull('last_activity').orWhere('last_activity', '<', ts)).update({ last_activity: ts });
      await o.db('users').where({ id: userId }).andWhere((q) => q.whereNull('last_activity').orWhere('last_activity', '<', ts)).update({ last_activity: ts });
      const before = typeof u?.last_activity === 'string' ? parseDbTimestamp(u.last_activity) : u?.last_activity instanceof Date ? u.last_activity : null;
      const latest = Math.max(when.getTime(), before?.getTime() ?? 0);
      if (now - latest < o.activeUserWindowSeconds * 1000) active++;
    }
    o.statsd.gauge('users.running', running);
    o.statsd.gauge('users.active', active);
    o.metrics?.proxyPollDuration.observe((performance.now() - tic) / 1000);
    return updated;
  };
  // app.py starts the poll only `if self.last_activity_interval`: 0 turns it off.
  if (o.intervalSeconds <= 0) return { stop: () => undefined, pollOnce };
  const timer = setInterval(() => {
    pollOnce().catch((err: unknown) => o.log.warn(`polling the proxy for activity: ${err instanceof Error ? err.message : String(err)}`));
  }, o.intervalSeconds * 1000);
  timer.unref();
  return { stop: () => clearInterval(timer), pollOnce };
}
