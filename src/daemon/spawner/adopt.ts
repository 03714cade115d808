import type { Knex } from 'knex';
import type { HubConfig } from '../../lib/config/index.js';
import type { Logger } from '../../lib/log.js';
import { asRows, readInt, readString } from '../db/row.js';
import { runningSpawners, type SpawnerRow } from '../db/spawners-repo.js';
import { waitForHttpServer } from './singleuser-contract.js';
import { errorText } from '../db/db-errors.js';
import type { LocalServerManager } from './local-server-manager.js';
import type { ProxyRoutes } from './ports.js';
import { serverPublicUrl, serverRoutespec } from '../user-host.js';
import type { Spawner } from './spawner.js';

/**
 * JupyterHub's init_spawners: every server the database says is running is polled with its saved state, all
 * in parallel. One whose process is gone is cleared (with its token and OAuth client, which JupyterHub 3.0
 * leaves behind). One whose process is there is pending 'check' until it answers at its URL within
 * Spawner.http_timeout (check_spawner's _wait_up): then its route is restored and it is ready, nothing spawned.
 * One that never answers is forgotten as JupyterHub forgets it; its process is not signalled, since after a
 * reboot the saved pid may be another program's. We wait at most init_spawners_timeout; the rest finishes in
 * the background while the hub already serves.
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
  const jh = d.config.JupyterHub;
  let adopted = 0;
  let gone = 0;
  const work = Promise.all(rows.map(async (row) => {
    const user = names.get(row.user_id);
    if (!user || !row.server) return;
    const logName = `${user}'s server${row.name ? ` ${row.name}` : ''}`;
    const ids = { userId: row.user_id, user, server: row.name, spawnerId: row.id };
    try {
      const poll = await d.spawner.poll(row.state);
      if (!poll.running) {
        d.log.warn(`${logName} appears to have stopped while the Hub was down`);
        await manager.forget(ids);
        gone++;
        return;
      }
      const url = `${target(row)}${row.server.base_url}`;
      const alive = async (): Promise<boolean> => (await d.spawner.poll(row.state)).running;
      const up = await manager.adopt({ ...ids, state: row.state, url: serverPublicUrl(jh.subdomain_host, jh.base_url, user, row.name) }, async () => {
        d.log.debug(`Verifying that ${logName} is running at ${url}`);
        try {
          await waitForHttpServer(url, d.config.Spawner.http_timeout * 1000, alive, manager.tlsAgent);
        } catch (err) {
          d.log.error(`${logName} does not appear to be running at ${url} (${err instanceof Error ? err.message : String(err)}): forgetting it. Its process was not signalled (after a reboot its pid may be another program's).`);
          await manager.forget(ids);
          return false;
        }
        await d.proxy.addRoute(serverRoutespec(jh.subdomain_host, jh.base_url, user, row.name), target(row), { user, server_name: row.name });
        d.log.info(`${logName} still running`);
        return true;
      });
      if (up) adopted++;
      else gone++;
    } catch (err) {
      d.log.warn(`re-adopting ${logName}: ${errorText(err)}`);
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
