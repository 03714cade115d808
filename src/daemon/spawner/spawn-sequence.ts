import type { Knex } from 'knex';
import type { HubConfig } from '../../lib/config/index.js';
import type { Logger } from '../../lib/log.js';
import type { Statsd } from '../metrics/statsd.js';
import type { HubMetrics } from '../metrics/hub-metrics.js';
import { clearServer, getSpawner } from '../db/spawners-repo.js';
import type { WriteBatcher } from '../db/write-batch.js';
import type { UserRow } from '../db/users-repo.js';
import { reservePort } from './free-port.js';
import type { OAuthClients, ProxyRoutes } from './ports.js';
import { serverClientScopes } from './client-scopes.js';
import { buildEnv, oauthClientId, serverPrefix, waitForHttpServer } from './singleuser-contract.js';
import { serverPublicUrl, serverRoutespec } from '../user-host.js';
import { recordRequestUndone, recordStopped, type ServerIds } from './spawn-records.js';
import { spawnWrites } from './spawn-writes.js';
import { SpawnTimeoutError } from './spawn-timeout.js';
import { errorText } from '../db/db-errors.js';
import type https from 'node:https';
import type { Spawner, TlsFiles } from './spawner.js';
import type { HookSpawner, SpawnerObjects, SpawnSettings } from './spawner-object.js';
import { getUserById } from '../db/users-repo.js';

/**
 * One spawn, in JupyterHub's order: token and OAuth client first (the server needs both the moment it starts),
 * then the process, then the readiness check, and only then the route. Each step that succeeded is undone if a
 * later one fails, so a failed spawn leaves no process, token, client, server row or route behind.
 * The rows go through the write batcher (spawn-records.ts), so concurrent spawns share their commits.
 */
export interface SpawnDeps {
  db: Knex;
  writes: WriteBatcher;
  config: HubConfig;
  log: Logger;
  /** spawner.success/failure/stop timings and the spawner.failure.* counters (user.py's points). */
  statsd: Statsd;
  /** JupyterHub's Prometheus metrics (spawn and stop durations); absent in tests that build a manager alone. */
  metrics?: HubMetrics;
  spawner: Spawner;
  proxy: ProxyRoutes;
  oauth: OAuthClients;
  hubApiUrl: string;
  env: NodeJS.ProcessEnv;
  /** The Authenticator's pre_spawn_start/post_spawn_stop (PAM opens and closes the user's session there). */
  hooks?: SpawnHooks;
  /** Authenticator.refresh_pre_spawn: false when the user's auth could not be refreshed (the spawn is refused). */
  refreshPreSpawn?: (user: UserRow) => Promise<boolean>;
  /** The servers' spawner objects, which hooks get (spawner-object.ts); the spawn pages use the same. */
  objects: SpawnerObjects;
  /** internal_ssl: the certificate store and an agent presenting the hub's certificate to servers. */
  ssl?: { issue(name: string, user?: string): Promise<TlsFiles>; agent: https.Agent };
}

export interface SpawnHooks {
  /** `spawner`: the server's spawner object, as JupyterHub passes its Spawner to these hooks. */
  preSpawnStart(user: { name: string }, server: string, spawner?: HookSpawner): Promise<void>;
  postSpawnStop(user: { name: string }, server: string, spawner?: HookSpawner): Promise<void>;
  /** The user's decrypted auth_state (null if none), for Spawner.auth_state_hook. */
  authState?(user: { name: string }): Promise<unknown>;
}

export interface SpawnTarget {
  user: { id: number; name: string; admin: boolean };
  server: string;
  userOptions: Record<string, unknown>;
}

export interface SpawnOutcome {
  state: Record<string, unknown>;
  spawnerId: number;
  tokenId: number;
  url: string;
}

export type Progress = (progress: number, message: string) => void;

/** Where a spawn is, for user.py's failure counters: before the server runs, waiting for its answer, routing it. */
type Stage = 'start' | 'http' | 'route';

/** user.py's counter for a failure in this stage; a failed route add has none (JupyterHub counts it nowhere). */
function failureCounter(stage: Stage, err: unknown): string | null {
  const timeout = err instanceof SpawnTimeoutError;
  switch (stage) {
    case 'start': return timeout ? 'spawner.failure.timeout' : 'spawner.failure.error';
    case 'http': return timeout ? 'spawner.failure.http_timeout' : 'spawner.failure.http_error';
    case 'route': return null;
  }
}

/**
 * `signal` aborts a spawn that is waiting for its server (the hub is shutting down with cleanup_servers, which
 * stops pending spawns as JupyterHub's cleanup does): the failure path undoes it, stopping a started process.
 */
export async function runSpawn(d: SpawnDeps, t: SpawnTarget, progress: Progress, signal?: AbortSignal): Promise<SpawnOutcome> {
  const sp = d.config.Spawner;
  const jh = d.config.JupyterHub;
  const prefix = serverPrefix(jh.base_url, t.user.name, t.server);
  const clientId = oauthClientId(t.user.name, t.server);
  const url = serverPublicUrl(jh.subdomain_host, jh.base_url, t.user.name, t.server);
  const ids: ServerIds = { userId: t.user.id, user: t.user.name, server: t.server, prefix, url };
  const undo: (() => Promise<void>)[] = [];
  let releasePort: (() => void) | undefined;
  let stage: Stage = 'start';
  const obj = d.objects.get({ id: t.user.id, name: t.user.name, admin: t.user.admin }, t.server, true);
  try {
    // user.py spawn: the server's spawner object (spawner-object.ts) gets the user_options, then the OAuth client's
    // scopes are resolved from it, before any hook runs.
    obj.user_options = t.userOptions;
    const scopes = await serverClientScopes({ db: d.db, log: d.log, spawner: obj, user: t.user.name, server: t.server });
    const { spawnerId, token, tokenId } = await d.writes.bulk(spawnWrites(d.oauth).requested, { ids, userOptions: t.userOptions, allowedScopes: scopes.allowed });
    undo.push(() => d.writes.run((trx) => recordRequestUndone(trx, d.oauth, ids, tokenId)));
    obj.api_token = token;
    const envFor = (settings: SpawnSettings, ip: string, port: number, certs?: TlsFiles): Record<string, string> => buildEnv({
      config: d.config, user: t.user.name, server: t.server, apiToken: token, hubApiUrl: d.hubApiUrl, ip, port, adminAccess: d.config.JupyterHub.admin_access,
      processEnv: d.env, spawner: obj, settings, clientAllowedScopes: scopes.configured, ...(certs ? { certs } : {}),
    });
    // hub's `spawner.env`, for hooks that read or change it: built from the attributes as they are when first read.
    obj.beginSpawn(() => {
      const settings = obj.settled();
      return envFor(settings, settings.ip || '127.0.0.1', settings.port);
    });
    // user.py spawn: a failed spawn is stopped like any other, so post_stop_hook runs, and then post_spawn_stop
    // if pre_spawn_start ran (hub does not close a PAM session it never opened).
    let preSpawnStarted = false;
    undo.push(async () => {
      await runPostStopHook(d, obj);
      if (preSpawnStarted) await d.hooks?.postSpawnStop({ name: t.user.name }, t.server, obj);
    });
    // JupyterHub's order: the Authenticator's pre_spawn_start, then auth_state_hook, then pre_spawn_hook.
    await d.hooks?.preSpawnStart({ name: t.user.name }, t.server, obj);
    preSpawnStarted = true;
    await runAuthStateHook(d, obj, t.user.name);
    const hook = sp.pre_spawn_hook;
    if (typeof hook === 'function') await (hook as (s: unknown) => unknown)(obj);
    // Only now, as spawner.start (get_env, get_args, ip, port) and user.py (start_timeout) read them: what the
    // hooks set is what the server gets.
    const settings = obj.settled();
    const ip = settings.ip || '127.0.0.1';
    const reservation = settings.port ? undefined : await reservePort(ip === '0.0.0.0' ? '127.0.0.1' : ip);
    releasePort = reservation?.release;
    const port = settings.port || (reservation?.port ?? 0);
    // user.py: create_certs and move_certs after pre_spawn_hook; one certificate per spawn, signed by
    // notebooks-ca, placed where only the server's user can read it.
    const certs = d.ssl ? await d.spawner.placeCerts?.(await d.ssl.issue(t.server ? `${t.user.name}-${t.server}` : t.user.name, t.user.name), t.user.name) : undefined;
    const env = obj.finishEnv(envFor(settings, ip, port, certs));
    progress(50, 'Spawning server...');
    const started = await withTimeout(
      d.spawner.start({ user: t.user, serverName: t.server, env, argv: [...settings.cmd, ...settings.args], ip, port, userOptions: obj.user_options, log: d.log }),
      settings.start_timeout * 1000,
      `the spawner did not start the server within ${settings.start_timeout} s (Spawner.start_timeout)`,
    );
    undo.push(() => d.spawner.stop(started.state, true));
    signal?.throwIfAborted();
    const proto = d.ssl ? 'https' : 'http';
    const server = { proto, ip: started.ip, port: started.port, base_url: prefix, cookie_name: clientId };
    await d.writes.bulk(spawnWrites(d.oauth).started, { ids, spawnerId, state: started.state, server });
    // The state goes too: a pid left in it would name a process that is gone (or, later, someone else's).
    undo.push(() => d.writes.run((trx) => clearServer(trx, spawnerId, { state: {} })));

    const target = `${proto}://${started.ip === '0.0.0.0' ? '127.0.0.1' : started.ip}:${started.port}`;
    stage = 'http';
    progress(75, 'Waiting for the server to answer...');
    // The exit status goes into the message, as JupyterHub's "Spawner failed to start [status=3]".
    let exitCode: number | undefined;
    const alive = async (): Promise<boolean> => {
      const poll = await d.spawner.poll(started.state);
      if (!poll.running) exitCode = poll.exitCode;
      return poll.running;
    };
    await waitForHttpServer(`${target}${prefix}`, settings.http_timeout * 1000, alive, d.ssl?.agent, signal).catch((err: unknown) => {
      const tail = d.spawner.lastOutput?.(started.state) ?? '';
      const status = exitCode === undefined ? '' : ` (exit status ${exitCode})`;
      const message = `${err instanceof Error ? err.message : String(err)}${status}${tail ? `\nlast output of the server:\n${tail}` : ''}`;
      throw err instanceof SpawnTimeoutError ? new SpawnTimeoutError(message) : new Error(message);
    });
    stage = 'route';
    await d.proxy.addRoute(serverRoutespec(jh.subdomain_host, jh.base_url, t.user.name, t.server), target, { user: t.user.name, server_name: t.server });
    return { state: started.state, spawnerId, tokenId, url };
  } catch (err) {
    d.objects.markFailed(t.user.name, t.server);
    const counter = signal?.aborted ? null : failureCounter(stage, err);
    if (counter !== null) d.statsd.incr(counter);
    for (const step of undo.reverse()) await step().catch((e: unknown) => d.log.warn(`cleaning up a failed spawn: ${errorText(e)}`));
    throw err;
  } finally {
    // Ready means bound (the kernel guards the port from now on); failed means stopped.
    releasePort?.();
  }
}

/**
 * Stop: route first (no new requests reach a dying server), then the process, then its token and client. As in
 * user.py stop, post_stop_hook and then the Authenticator's post_spawn_stop run whether or not that worked, and
 * their failures are logged, not passed on.
 */
export async function runStop(d: SpawnDeps, t: { userId: number; user: string; server: string; spawnerId: number; state: Record<string, unknown> }, now: boolean): Promise<void> {
  const jh = d.config.JupyterHub;
  const prefix = serverPrefix(jh.base_url, t.user, t.server);
  const routespec = serverRoutespec(jh.subdomain_host, jh.base_url, t.user, t.server);
  try {
    await d.proxy.deleteRoute(routespec).catch((e: unknown) => d.log.warn(`deleting route ${routespec}: ${e instanceof Error ? e.message : String(e)}`));
    await d.spawner.stop(t.state, now);
    const url = serverPublicUrl(jh.subdomain_host, jh.base_url, t.user, t.server);
    await d.writes.run((trx) => recordStopped(trx, d.oauth, { userId: t.userId, user: t.user, server: t.server, prefix, url }, t.spawnerId));
  } finally {
    const obj = await stoppedSpawner(d, t).catch((e: unknown) => {
      d.log.error(`the spawner object of ${t.user}${t.server ? `/${t.server}` : ''} for post_stop_hook: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    });
    if (obj !== undefined) await runPostStopHook(d, obj);
    await d.hooks?.postSpawnStop({ name: t.user }, t.server, obj).catch((e: unknown) => d.log.error(`Error in Authenticator.post_spawn_stop for ${t.user}: ${e instanceof Error ? e.message : String(e)}`));
  }
}

/**
 * The object post_stop_hook gets: the server's own, or after a hub restart (an adopted server) a fresh one with the
 * user_options the server was started with.
 */
async function stoppedSpawner(d: SpawnDeps, t: { userId: number; user: string; server: string }): Promise<HookSpawner> {
  const known = d.objects.find(t.user, t.server);
  if (known !== undefined) return known;
  const user = await getUserById(d.db, t.userId);
  const obj = d.objects.get({ id: t.userId, name: t.user, admin: user?.admin ?? false }, t.server);
  const row = await getSpawner(d.db, t.userId, t.server);
  if (row !== null) obj.user_options = row.user_options;
  return obj;
}

/** Spawner.auth_state_hook(spawner, auth_state) with the user's decrypted auth_state (null without one). */
async function runAuthStateHook(d: Pick<SpawnDeps, 'config' | 'hooks'>, obj: HookSpawner, user: string): Promise<void> {
  const hook = d.config.Spawner.auth_state_hook;
  if (typeof hook !== 'function') return;
  await (hook as (s: unknown, a: unknown) => unknown)(obj, (await d.hooks?.authState?.({ name: user })) ?? null);
}

/** Spawner.post_stop_hook(spawner); JupyterHub logs its failure and goes on with the stop. */
async function runPostStopHook(d: SpawnDeps, view: HookSpawner): Promise<void> {
  const hook = d.config.Spawner.post_stop_hook;
  if (typeof hook !== 'function') return;
  try {
    await (hook as (s: unknown) => unknown)(view);
  } catch (err) {
    d.log.error(`Error in Spawner.post_stop_hook for ${view.user.name}${view.name ? `/${view.name}` : ''}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

async function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new SpawnTimeoutError(message)), ms)));
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
