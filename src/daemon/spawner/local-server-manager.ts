import type https from 'node:https';
import type { Knex } from 'knex';
import type { SpawnStatus } from '../metrics/hub-metrics.js';
import type { Logger } from '../../lib/log.js';
import { isHubError } from '../../lib/errors.js';
import type { UserRow } from '../db/users-repo.js';
import { ServerError, type ProgressEvent, type ServerManager, type ServerRuntime } from './server-manager.js';
import { runSpawn, runStop, type SpawnDeps } from './spawn-sequence.js';
import { ProgressLog } from './progress-log.js';
import { SpawnStats } from './spawn-stats.js';
import { recordStopped } from './spawn-records.js';
import { errorText } from '../db/db-errors.js';
import { serverPrefix } from './singleuser-contract.js';
import { serverPublicUrl } from '../user-host.js';

/**
 * Owns every server's lifecycle in this hub. The in-memory entry is the truth about what is pending; the
 * database holds what must survive a restart (state, server row). Limits are counted from the entries, so a
 * burst of requests is answered 429 at once instead of queueing behind slow spawns.
 */
type Phase = 'spawning' | 'checking' | 'running' | 'stopping';

/** Spawner.poll_interval: how many servers are polled at once in a sweep. */
const POLL_CONCURRENCY = 32;

export interface AdoptedServer {
  userId: number;
  user: string;
  server: string;
  spawnerId: number;
  state: Record<string, unknown>;
  url: string;
}

interface Entry {
  userId: number;
  user: string;
  server: string;
  phase: Phase;
  ready: boolean;
  state: Record<string, unknown>;
  spawnerId: number;
  progress: ProgressLog;
  settled: Promise<void>;
  /** Aborts the spawn while it is pending (hub shutdown with cleanup_servers). */
  abort?: AbortController;
}


export class LocalServerManager implements ServerManager {
  private readonly d: SpawnDeps;
  private readonly entries = new Map<string, Entry>();
  private readonly failures = new Map<string, number>();
  private consecutiveFailures = 0;
  readonly stats = new SpawnStats();
  onFatal: (reason: string) => void = () => undefined;
  onChange: () => void = () => undefined;

  private pollTimer: NodeJS.Timeout | null = null;
  /** The poll sweep under way, if any: at most one at a time, and shutdown waits for it. */
  private sweep: Promise<void> | null = null;

  constructor(deps: SpawnDeps) {
    this.d = deps;
    // Spawner.poll_interval: servers that died on their own are noticed, their route and records removed (JupyterHub's
    // start_polling + user_stopped). One sweep over all running servers; 0 or less turns it off, as in JupyterHub.
    const every = deps.config.Spawner.poll_interval;
    if (every > 0) {
      this.pollTimer = setInterval(() => void this.pollRunning(), every * 1000);
      this.pollTimer.unref();
    }
  }

  /** One poll of every running server; a server that is gone is cleaned up as a stop would. */
  pollRunning(): Promise<void> {
    this.sweep ??= this.sweepOnce().finally(() => (this.sweep = null));
    return this.sweep;
  }

  private async sweepOnce(): Promise<void> {
    const running = [...this.entries.values()].filter((e) => e.phase === 'running');
    // At most POLL_CONCURRENCY polls at once: a spawner whose poll asks a remote API is not flooded every interval.
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let e = running[next++]; e !== undefined; e = running[next++]) await this.pollOne(e);
    };
    await Promise.all(Array.from({ length: Math.min(POLL_CONCURRENCY, running.length) }, worker));
  }

  private async pollOne(e: Entry): Promise<void> {
    let result;
    const tic = performance.now();
    try {
      result = await this.d.spawner.poll(e.state);
      this.d.metrics?.serverPollDuration.labels({ status: result.running ? 'running' : 'stopped' }).observe((performance.now() - tic) / 1000);
    } catch (err) {
      this.log.warn(`polling ${e.user}/${e.server}: ${errorText(err)}`);
      return;
    }
    if (result.running || this.entries.get(key(e.user, e.server)) !== e || e.phase !== 'running') return;
    this.log.warn(`User ${e.user} server${e.server ? ` ${e.server}` : ''} stopped, with exit code: ${result.exitCode ?? 'unknown'}`);
    e.phase = 'stopping';
    e.ready = false;
    this.onChange();
    e.settled = this.stopEntry(e, true).then(() => undefined);
    await e.settled;
  }

  private get log(): Logger {
    return this.d.log;
  }

  runtime(user: string, server: string): ServerRuntime {
    const e = this.entries.get(key(user, server));
    if (!e) return { pending: null, ready: false, stopped: true, state: {} };
    const pending = e.phase === 'spawning' ? 'spawn' : e.phase === 'stopping' ? 'stop' : e.phase === 'checking' ? 'check' : null;
    return { pending, ready: e.ready, stopped: false, state: e.state };
  }

  counts(): { spawning: number; running: number; stopping: number } {
    const c = { spawning: 0, running: 0, stopping: 0 };
    // A server being checked after a restart is running as far as limits and gauges go (its process is there).
    for (const e of this.entries.values()) c[e.phase === 'checking' ? 'running' : e.phase]++;
    return c;
  }

  async start(user: UserRow, server: string, userOptions: Record<string, unknown>): Promise<'ready' | 'pending'> {
    // First, as spawn_single_user: nothing may await between the check for a running entry and its creation.
    if (this.d.refreshPreSpawn && !(await this.d.refreshPreSpawn(user))) throw new ServerError(403, `auth has expired for ${user.name}, login again`);
    const k = key(user.name, server);
    const existing = this.entries.get(k);
    if (existing) {
      const what = existing.phase === 'running' ? 'is already running' : existing.phase === 'spawning' ? 'is already pending spawn' : `is pending ${existing.phase === 'checking' ? 'check' : 'stop'}`;
      if (existing.phase === 'spawning') this.spawnMetric('already-pending', 0);
      throw new ServerError(400, `${user.name}'s server${server ? ` ${server}` : ''} ${what}`);
    }
    try {
      this.checkLimits();
    } catch (err) {
      this.stats.record('throttled');
      this.onChange();
      throw err;
    }
    this.stats.record('requested');
    const progress = new ProgressLog();
    progress.push({ progress: 0, message: 'Server requested' });
    const entry: Entry = { userId: user.id, user: user.name, server, phase: 'spawning', ready: false, state: {}, spawnerId: -1, progress, settled: Promise.resolve(), abort: new AbortController() };
    this.entries.set(k, entry);
    this.onChange();
    entry.settled = this.spawn(entry, user, userOptions);
    // tornado_settings.slow_spawn_timeout: how long the request waits before it is answered 202 (or spawn-pending).
    const timeout = this.d.config.JupyterHub.tornado_settings.slow_spawn_timeout;
    const done = await Promise.race([entry.settled.then(() => true), sleep(timeout * 1000).then(() => false)]);
    if (!done) {
      // 0 means "always answer at once", not slowness worth a warning (base.py).
      if (timeout > 0) this.log.warn(`User ${user.name}${server ? `:${server}` : ''} is slow to start (timeout=${timeout})`);
      return 'pending';
    }
    if (entry.ready) return 'ready';
    throw new ServerError(500, progress.failureMessage() ?? 'Spawn failed');
  }

  /** jupyterhub_server_spawn_duration_seconds{status}, observed where base.py observes it. */
  private spawnMetric(status: SpawnStatus, seconds: number): void {
    this.d.metrics?.serverSpawnDuration.labels({ status }).observe(seconds);
  }

  private checkLimits(): void {
    const jh = this.d.config.JupyterHub;
    const c = this.counts();
    if (jh.concurrent_spawn_limit > 0 && c.spawning >= jh.concurrent_spawn_limit) {
      const retry = retryAfter(jh.tornado_settings.spawn_throttle_retry_range);
      this.log.warn(`${c.spawning} pending spawns, throttling. Suggested retry in ${retry} seconds.`);
      this.spawnMetric('throttled', 0);
      throw new ServerError(429, `Too many users trying to log in right now. Try again in ${humanRetry(retry)}.`, { 'Retry-After': String(retry) });
    }
    if (jh.active_server_limit > 0 && c.spawning + c.running + c.stopping >= jh.active_server_limit) {
      this.log.info(`${c.spawning + c.running + c.stopping} servers active, no space available`);
      this.spawnMetric('too-many-users', 0);
      throw new ServerError(429, 'Active user limit exceeded. Try again in a few minutes.', { 'Retry-After': '60' });
    }
  }

  private async spawn(entry: Entry, user: UserRow, userOptions: Record<string, unknown>): Promise<void> {
    const k = key(entry.user, entry.server);
    const t0 = Date.now();
    const tic = performance.now();
    try {
      const out = await runSpawn(this.d, { user, server: entry.server, userOptions }, (p, m) => entry.progress.push({ progress: p, message: m }), entry.abort?.signal);
      Object.assign(entry, { phase: 'running', ready: true, state: out.state, spawnerId: out.spawnerId });
      this.consecutiveFailures = 0;
      this.stats.record('ready', Date.now(), (Date.now() - t0) / 1000);
      this.d.statsd.timing('spawner.success', performance.now() - tic);
      this.spawnMetric('success', (performance.now() - tic) / 1000);
      entry.progress.push({ progress: 100, ready: true, message: `Server ready at ${out.url}`, html_message: `Server ready at <a href="${out.url}">${out.url}</a>`, url: out.url });
      this.log.info(`${entry.user}'s server${entry.server ? ` ${entry.server}` : ''} is ready at ${out.url}`);
    } catch (err) {
      const aborted = entry.abort?.signal.aborted === true;
      const reason = aborted ? 'the hub is shutting down' : errorText(err);
      this.entries.delete(k);
      this.failures.set(k, (this.failures.get(k) ?? 0) + 1);
      entry.progress.push({ progress: 100, failed: true, message: `Spawn failed: ${reason}` });
      this.stats.record('failed');
      // JupyterHub sends this timing only when the server died while the request still waited for it; here
      // every failed spawn sends it, with its milliseconds from request to failure.
      this.d.statsd.timing('spawner.failure', performance.now() - tic);
      this.spawnMetric('failure', (performance.now() - tic) / 1000);
      // The fix for the operator (useradd ...) goes to the log only; the user's spawn page shows the reason.
      const hint = !aborted && isHubError(err) && err.hint !== undefined ? ` (${err.hint})` : '';
      this.log.warn(`Spawn failed for ${entry.user}${entry.server ? `/${entry.server}` : ''}: ${reason}${hint}`);
      if (aborted) return;
      this.consecutiveFailures++;
      const limit = this.d.config.Spawner.consecutive_failure_limit;
      // base.py _track_failure_count: a warning on the way, the hub's exit at the limit (a restart may cure it).
      if (limit > 0 && this.consecutiveFailures > 1 && this.consecutiveFailures < limit) {
        this.log.warn(`${this.consecutiveFailures} consecutive spawns failed.  Hub will exit if failure count reaches ${limit} before succeeding`);
      }
      if (limit > 0 && this.consecutiveFailures >= limit) this.onFatal(`Aborting due to ${this.consecutiveFailures} consecutive spawn failures`);
    } finally {
      this.onChange();
    }
  }

  async stop(user: UserRow, server: string): Promise<'stopped' | 'pending'> {
    const e = this.entries.get(key(user.name, server));
    if (!e) return 'stopped';
    if (e.phase === 'spawning' || e.phase === 'checking') throw new ServerError(400, `${user.name}'s server is pending ${e.phase === 'spawning' ? 'spawn' : 'check'}; wait for it before stopping`);
    if (e.phase === 'stopping') return 'pending';
    e.phase = 'stopping';
    e.ready = false;
    this.onChange();
    const tic = performance.now();
    // JupyterHub's stop_single_user times stops that succeed (a hub shutdown's stops are not timed).
    e.settled = this.stopEntry(e, false).then((stopped) => {
      if (stopped) this.d.statsd.timing('spawner.stop', performance.now() - tic);
      this.d.metrics?.serverStopDuration.labels({ status: stopped ? 'success' : 'failure' }).observe((performance.now() - tic) / 1000);
    });
    const timeout = this.d.config.JupyterHub.tornado_settings.slow_stop_timeout;
    const done = await Promise.race([e.settled.then(() => true), sleep(timeout * 1000).then(() => false)]);
    if (!done) this.log.warn(`User ${user.name}:${server} server is slow to stop (timeout=${timeout})`);
    return done ? 'stopped' : 'pending';
  }

  /** Resolves true if the server stopped cleanly; a failure is logged, never thrown. */
  private async stopEntry(e: Entry, now: boolean): Promise<boolean> {
    try {
      await runStop(this.d, { userId: e.userId, user: e.user, server: e.server, spawnerId: e.spawnerId, state: e.state }, now);
      this.log.info(`${e.user}'s server${e.server ? ` ${e.server}` : ''} stopped`);
      this.stats.record('stopped');
      return true;
    } catch (err) {
      this.log.error(`stopping ${e.user}/${e.server}: ${errorText(err)}`);
      return false;
    } finally {
      this.entries.delete(key(e.user, e.server));
      this.onChange();
    }
  }

  async *progress(user: string, server: string): AsyncIterable<ProgressEvent> {
    const e = this.entries.get(key(user, server));
    if (!e) throw new ServerError(400, `${user}'s server${server ? ` ${server}` : ''} is not running or pending`);
    if (e.ready) {
      yield* e.progress.readyOnly();
      return;
    }
    yield* e.progress.follow();
  }

  async stopAll(user: UserRow): Promise<void> {
    const mine = [...this.entries.values()].filter((e) => e.user === user.name);
    await Promise.all(mine.map(async (e) => {
      await e.settled.catch(() => undefined);
      if (this.entries.get(key(e.user, e.server)) === e) await this.stop(user, e.server);
      await this.entries.get(key(e.user, e.server))?.settled;
    }));
    this.d.objects.forget(user.name);
  }

  dropSpawnerObject(user: string, server: string): void {
    this.d.objects.forget(user, server);
  }

  /**
   * A server whose process is still there after a restart: pending 'check' while `check` runs (app.py
   * check_spawner: does it answer?), then ready with no new spawn, or forgotten when `check` resolves false.
   */
  adopt(a: AdoptedServer, check: () => Promise<boolean>): Promise<boolean> {
    const progress = new ProgressLog();
    const entry: Entry = { ...a, phase: 'checking', ready: false, progress, settled: Promise.resolve() };
    const k = key(a.user, a.server);
    this.entries.set(k, entry);
    const outcome = check().catch((err: unknown) => {
      this.log.warn(`re-adopting ${a.user}/${a.server}: ${errorText(err)}`);
      return false;
    }).then((up) => {
      if (up) {
        Object.assign(entry, { phase: 'running', ready: true });
        progress.push({ progress: 100, ready: true, message: `Server ready at ${a.url}`, url: a.url });
      } else {
        this.entries.delete(k);
      }
      this.onChange();
      return up;
    });
    entry.settled = outcome.then(() => undefined);
    return outcome;
  }

  /**
   * The rows of a server that is not there any more (found at a restart): its token, OAuth client, server row and
   * state go, as a stop's do. JupyterHub 3.0 deletes only the server row, leaving the token valid.
   */
  async forget(a: { userId: number; user: string; server: string; spawnerId: number }): Promise<void> {
    const jh = this.d.config.JupyterHub;
    const ids = { userId: a.userId, user: a.user, server: a.server, prefix: serverPrefix(jh.base_url, a.user, a.server), url: serverPublicUrl(jh.subdomain_host, jh.base_url, a.user, a.server) };
    await this.d.writes.run((trx) => recordStopped(trx, this.d.oauth, ids, a.spawnerId));
  }

  /** The agent for the readiness check of servers under internal_ssl (the hub's client certificate). */
  get tlsAgent(): https.Agent | undefined {
    return this.d.ssl?.agent;
  }

  /** Hub shutdown: with cleanup_servers every server stops (in parallel); otherwise they keep running. */
  async shutdown(cleanup: boolean): Promise<void> {
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = null;
    // A sweep under way may be cleaning up a server that died: let it finish before the database goes.
    await this.sweep;
    // JupyterHub's cleanup stops every active server, pending spawns included; waiting for those to finish could
    // hold the shutdown for start_timeout + http_timeout. Without cleanup they finish, to be adopted at restart.
    if (cleanup) for (const e of this.entries.values()) if (e.phase === 'spawning') e.abort?.abort();
    const all = [...this.entries.values()];
    const pending = all.filter((e) => e.phase === 'spawning').length;
    // app.py cleanup's two lines; the wait for pending spawns is ours, and may last up to http_timeout: said, not silent.
    this.log.info(cleanup ? 'Cleaning up single-user servers...' : 'Leaving single-user servers running');
    if (!cleanup && pending > 0) this.log.info(`Waiting for ${pending} pending spawn(s) to finish (at most Spawner.http_timeout), so that the next hub adopts them; send SIGTERM again to exit now`);
    await Promise.all(all.map((e) => e.settled.catch(() => undefined)));
    if (!cleanup) return;
    await Promise.all([...this.entries.values()].filter((e) => e.phase !== 'stopping').map((e) => this.stopEntry(e, false)));
  }

  running(): { user: string; server: string; spawnerId: number }[] {
    return [...this.entries.values()].filter((e) => e.phase === 'running').map((e) => ({ user: e.user, server: e.server, spawnerId: e.spawnerId }));
  }

  get db(): Knex {
    return this.d.db;
  }
}

function key(user: string, server: string): string {
  return `${user}\u0000${server}`;
}

/** base.py spawn_single_user: int(random.uniform(min, max)) from tornado_settings.spawn_throttle_retry_range. */
function retryAfter([min, max]: readonly [number, number]): number {
  return Math.trunc(min + Math.random() * (max - min));
}

/** The rounded wait the 429 message shows: up to 90 s to the next 10 seconds, else whole minutes. */
function humanRetry(seconds: number): string {
  return seconds <= 90 ? `${Math.ceil(seconds / 10) * 10} seconds` : `${Math.round(seconds / 60)} minutes`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
