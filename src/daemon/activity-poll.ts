import type { Knex } from 'knex';
import type { Logger } from '../lib/log.js';
import type { ChpClient } from './proxy/chp-client.js';
import { toDbTimestamp } from './db/timestamps.js';

/**
 * JupyterHub's update_last_activity: every last_activity_interval, read the proxy's per-route last_activity and
 * move the spawner's and the user's last_activity forward (never back). Only routes that saw traffic since the
 * previous poll are asked for (inactive_since is the proxy's filter for the opposite, so we filter here).
 */
export function startActivityPoll(o: { db: Knex; client: ChpClient; intervalSeconds: number; log: Logger }): { stop: () => void; pollOnce: () => Promise<number> } {
  const pollOnce = async (): Promise<number> => {
    const routes = await o.client.getAllRoutes();
    let updated = 0;
    for (const route of Object.values(routes)) {
      const data = route.data;
      const user = typeof data.user === 'string' ? data.user : null;
      const server = typeof data.server_name === 'string' ? data.server_name : '';
      const when = typeof data.last_activity === 'string' ? new Date(data.last_activity) : null;
      if (!user || !when || Number.isNaN(when.getTime())) continue;
      const ts = toDbTimestamp(when);
      const u = await o.db('users').where({ name: user }).first('id');
      const userId = (u as { id?: unknown } | undefined)?.id;
      if (typeof userId !== 'number') continue;
      updated += await o.db('spawners').where({ user_id: userId, name: server })
        .andWhere((q) => q.whereNull('last_activity').orWhere('last_activity', '<', ts)).update({ last_activity: ts });
      await o.db('users').where({ id: userId }).andWhere((q) => q.whereNull('last_activity').orWhere('last_activity', '<', ts)).update({ last_activity: ts });
    }
    return updated;
  };
  const timer = setInterval(() => {
    pollOnce().catch((err: unknown) => o.log.warn(`polling the proxy for activity: ${err instanceof Error ? err.message : String(err)}`));
  }, Math.max(1, o.intervalSeconds) * 1000);
  timer.unref();
  return { stop: () => clearInterval(timer), pollOnce };
}
