import type { Knex } from 'knex';
import type { HubConfig } from '../../lib/config/index.js';
import type { Logger } from '../../lib/log.js';
import { asRows, readInt, readString } from '../db/row.js';
import { clearServer, runningSpawners, updateSpawner, type SpawnerRow } from '../db/spawners-repo.js';
import type { LocalServerManager } from './local-server-manager.js';
import type { ProxyRoutes } from './ports.js';
import { serverPublicUrl, serverRoutespec } from '../user-host.js';
import type { Spawner } from './spawner.js';

/**
 * JupyterHub's init_spawners: every server the database says is running is polled with its saved state, all
 * in parallel. One that still runs is adopted (route restored, nothing spawned); one that is gone is cleared.
 * We wait at most init_spawners_timeout; the rest finishes in the background while the hub already serves.
 */
/** app.py: a negative init_spawners_timeout waits "forever" (a day), and the wait is at least 1 s. */
export function initSpawnersTimeoutMs(seconds: number): number {
  return (seconds < 0 ? 86_400 : Math.max(seconds, 1)) * 1000;
}

export async function adoptRunningServers(
  manager: LocalServerManager,
  d: { db: Knex; spawner: Spawner; proxy: ProxyRoutes; config: HubConfig; log: Logger; timeoutMs: number },
): Promise<void> {
  const rows = await runningSpawners(d.db);
  if (rows.length === 0) return;
  const names = await userNames(d.db, rows.map((r) => r.user_id));
  let adopted = 0;
  let gone = 0;
  const work = Promise.all(rows.map(async (row) => {
    const user = names.get(row.user_id);
    if (!user || !row.server) return;
    try {
      const poll = await d.spawner.poll(row.state);
      if (!poll.running) {
        await clearServer(d.db, row.id);
        await updateSpawner(d.db, row.id, { state: {} });
        gone++;
        return;
      }
      const jh = d.config.JupyterHub;
      await d.proxy.addRoute(serverRoutespec(jh.subdomain_host, jh.base_url, user, row.name), target(row), { user, server_name: row.name });
      manager.adopt({ userId: row.user_id, user, server: row.name, spawnerId: row.id, state: row.state, url: serverPublicUrl(jh.subdomain_host, jh.base_url, user, row.name) });
      adopted++;
    } catch (err) {
      d.log.warn(`re-adopting ${user}/${row.name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }));
  const inTime = await Promise.race([work.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), d.timeoutMs).unref())]);
  d.log.info(`Adopted ${adopted} running server(s)${gone ? `, cleared ${gone} that had stopped` : ''}${inTime ? '' : ' so far; the rest continue in the background (init_spawners_timeout)'}`);
}

function target(row: SpawnerRow): string {
  const s = row.server;
  const ip = !s || s.ip === '' || s.ip === '0.0.0.0' ? '127.0.0.1' : s.ip;
  return `${s?.proto ?? 'http'}://${ip}:${s?.port ?? 0}`;
}

async function userNames(db: Knex, ids: number[]): Promise<Map<number, string>> {
  const rows = asRows(await db('users').whereIn('id', [...new Set(ids)]).select('id', 'name'));
  return new Map(rows.map((r) => [readInt(r, 'id'), readString(r, 'name')]));
}
