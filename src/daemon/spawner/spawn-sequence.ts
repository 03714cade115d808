import type { Knex } from 'knex';
import type { HubConfig } from '../../lib/config/index.js';
import type { Logger } from '../../lib/log.js';
import { createToken, deleteToken } from '../db/tokens-repo.js';
import { clearServer, ensureSpawner, setServer, updateSpawner } from '../db/spawners-repo.js';
import { toDbTimestamp } from '../db/timestamps.js';
import { freePort } from './free-port.js';
import type { OAuthClients, ProxyRoutes } from './ports.js';
import { SERVER_TOKEN_SCOPES, accessScopes, buildEnv, oauthClientId, serverPrefix, waitForHttpServer } from './singleuser-contract.js';
import type https from 'node:https';
import type { Spawner, TlsFiles } from './spawner.js';

/**
 * One spawn, in JupyterHub's order: token and OAuth client first (the server needs both the moment it starts),
 * then the process, then the readiness check, and only then the route. Each step that succeeded is undone if a
 * later one fails, so a failed spawn leaves no process, token, client, server row or route behind.
 */
export interface SpawnDeps {
  db: Knex;
  config: HubConfig;
  log: Logger;
  spawner: Spawner;
  proxy: ProxyRoutes;
  oauth: OAuthClients;
  hubApiUrl: string;
  env: NodeJS.ProcessEnv;
  /** The Authenticator's pre_spawn_start/post_spawn_stop (PAM opens and closes the user's session there). */
  hooks?: SpawnHooks;
  /** internal_ssl: the certificate store and an agent presenting the hub's certificate to servers. */
  ssl?: { issue(name: string): Promise<TlsFiles>; agent: https.Agent };
}

export interface SpawnHooks {
  preSpawnStart(user: { name: string }, server: string): Promise<void>;
  postSpawnStop(user: { name: string }, server: string): Promise<void>;
}

export interface SpawnTarget {
  user: { id: number; name: string; admin: boolean };
  server: string;
  userOptions: Record<string, unknown>;
}

export interface SpawnOutcome {
  state: Record<string, unknown>;
  tokenId: number;
  url: string;
}

export type Progress = (progress: number, message: string) => void;

export async function runSpawn(d: SpawnDeps, t: SpawnTarget, progress: Progress): Promise<SpawnOutcome> {
  const sp = d.config.Spawner;
  const prefix = serverPrefix(d.config.JupyterHub.base_url, t.user.name, t.server);
  const clientId = oauthClientId(t.user.name, t.server);
  const undo: (() => Promise<void>)[] = [];
  try {
    const row = await ensureSpawner(d.db, t.user.id, t.server);
    const { token, row: tokenRow } = await createToken(d.db, { userId: t.user.id }, { note: `Server at ${prefix}`, scopes: SERVER_TOKEN_SCOPES });
    undo.push(() => deleteToken(d.db, tokenRow.id).then(() => undefined));
    await d.oauth.register({ id: clientId, secret: token, redirectUri: `${prefix}oauth_callback`, allowedScopes: accessScopes(t.user.name, t.server), description: `Server at ${prefix}` });
    undo.push(() => d.oauth.remove(clientId));
    await updateSpawner(d.db, row.id, { oauth_client_id: clientId, user_options: t.userOptions });

    const ip = sp.ip || '127.0.0.1';
    const port = sp.port || (await freePort(ip === '0.0.0.0' ? '127.0.0.1' : ip));
    // One certificate per spawn, signed by notebooks-ca, placed where only the server's user can read it.
    const certs = d.ssl ? await d.spawner.placeCerts?.(await d.ssl.issue(t.server ? `${t.user.name}-${t.server}` : t.user.name), t.user.name) : undefined;
    const env = buildEnv({ config: d.config, user: t.user.name, server: t.server, apiToken: token, hubApiUrl: d.hubApiUrl, ip, port, adminAccess: d.config.JupyterHub.admin_access, processEnv: d.env, ...(certs ? { certs } : {}) });
    await d.hooks?.preSpawnStart({ name: t.user.name }, t.server);
    undo.push(async () => d.hooks?.postSpawnStop({ name: t.user.name }, t.server));
    const hook = sp.pre_spawn_hook;
    if (typeof hook === 'function') await (hook as (s: unknown) => unknown)({ user: t.user, name: t.server, env, userOptions: t.userOptions });
    progress(50, 'Spawning server...');
    const started = await withTimeout(
      d.spawner.start({ user: t.user, serverName: t.server, env, argv: [...sp.cmd, ...sp.args], ip, port, userOptions: t.userOptions, log: d.log }),
      sp.start_timeout * 1000,
      `the spawner did not start the server within ${sp.start_timeout} s (Spawner.start_timeout)`,
    );
    undo.push(() => d.spawner.stop(started.state, true));
    const now = new Date();
    await updateSpawner(d.db, row.id, { state: started.state, started: now, last_activity: now });
    // As JupyterHub's User.spawn: starting a server is activity of the user too.
    await d.db('users').where({ id: t.user.id }).update({ last_activity: toDbTimestamp(now) });
    const proto = d.ssl ? 'https' : 'http';
    await setServer(d.db, row.id, { proto, ip: started.ip, port: started.port, base_url: prefix, cookie_name: clientId });
    undo.push(() => clearServer(d.db, row.id));

    const target = `${proto}://${started.ip === '0.0.0.0' ? '127.0.0.1' : started.ip}:${started.port}`;
    progress(75, 'Waiting for the server to answer...');
    const alive = async (): Promise<boolean> => (await d.spawner.poll(started.state)).running;
    await waitForHttpServer(`${target}${prefix}`, sp.http_timeout * 1000, alive, d.ssl?.agent).catch((err: unknown) => {
      const tail = d.spawner.lastOutput?.(started.state) ?? '';
      throw new Error(`${err instanceof Error ? err.message : String(err)}${tail ? `\nlast output of the server:\n${tail}` : ''}`);
    });
    await d.proxy.addRoute(prefix, target, { user: t.user.name, server_name: t.server });
    return { state: started.state, tokenId: tokenRow.id, url: prefix };
  } catch (err) {
    for (const step of undo.reverse()) await step().catch((e: unknown) => d.log.warn(`cleaning up a failed spawn: ${e instanceof Error ? e.message : String(e)}`));
    throw err;
  }
}

/** Stop: route first (no new requests reach a dying server), then the process, then its token and client. */
export async function runStop(d: SpawnDeps, t: { userId: number; user: string; server: string; spawnerId: number; state: Record<string, unknown> }, now: boolean): Promise<void> {
  const prefix = serverPrefix(d.config.JupyterHub.base_url, t.user, t.server);
  await d.proxy.deleteRoute(prefix).catch((e: unknown) => d.log.warn(`deleting route ${prefix}: ${e instanceof Error ? e.message : String(e)}`));
  await d.spawner.stop(t.state, now);
  // The server's token, found by its note as JupyterHub names it, so a re-adopted server's token goes too.
  await d.db('api_tokens').where({ user_id: t.userId, note: `Server at ${prefix}` }).delete();
  await d.oauth.remove(oauthClientId(t.user, t.server));
  await clearServer(d.db, t.spawnerId);
  const stoppedAt = new Date();
  await updateSpawner(d.db, t.spawnerId, { state: {}, last_activity: stoppedAt });
  await d.db('users').where({ id: t.userId }).update({ last_activity: toDbTimestamp(stoppedAt) });
  await d.hooks?.postSpawnStop({ name: t.user }, t.server);
  const hook = d.config.Spawner.post_stop_hook;
  if (typeof hook === 'function') await (hook as (s: unknown) => unknown)({ user: { name: t.user }, name: t.server });
}

async function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)));
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
