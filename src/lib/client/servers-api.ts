import { HubError, isHubError } from '../errors.js';
import { openEventStream } from './event-stream.js';
import type { HubClient } from './hub-client.js';
import { asProgressEvent, type ProgressEvent, type ServerModel, type UserModel } from './models.js';
import { serverPath } from './paths.js';
import { getUser, listUsers } from './users-api.js';

/**
 * Servers, as rows across users: listed from the user models (JupyterHub has no server listing), started,
 * stopped and removed through JupyterHub's per-user endpoints, and followed through the progress stream.
 */
export type ServerState = 'ready' | 'spawning' | 'stopping' | 'stopped' | 'unready';

export interface ServerRow {
  user: string;
  name: string;
  state: ServerState;
  url: string;
  started: string | null;
  last_activity: string | null;
  /** Seconds since `started`; null when not running. Computed by the CLI at listing time. */
  uptime_seconds: number | null;
}

export function serverState(s: ServerModel): ServerState {
  if (s.pending === 'spawn') return 'spawning';
  if (s.pending === 'stop') return 'stopping';
  if (s.stopped === true) return 'stopped';
  return s.ready ? 'ready' : 'unready';
}

export function serverRow(user: string, s: ServerModel, now = Date.now()): ServerRow {
  const state = serverState(s);
  const running = state !== 'stopped' && s.started !== null;
  return {
    user,
    name: s.name,
    state,
    url: s.url,
    started: s.started,
    last_activity: s.last_activity,
    uptime_seconds: running && s.started ? Math.max(0, Math.round((now - Date.parse(s.started)) / 1000)) : null,
  };
}

/**
 * Every user's running and pending servers; `includeStopped` adds the stopped named servers (a stopped default
 * server is every idle user's, and would list everyone).
 */
export function serversOf(users: UserModel[], includeStopped: boolean, now = Date.now()): ServerRow[] {
  return users.flatMap((u) =>
    Object.values(u.servers)
      .filter((s) => s.stopped !== true || (includeStopped && s.name !== ''))
      .map((s) => serverRow(u.name, s, now)),
  );
}

/** Running and pending servers of everyone (users with state=active); `all` adds the stopped named servers. */
export async function listServers(client: HubClient, opts: { all?: boolean } = {}): Promise<ServerRow[]> {
  const users = await listUsers(client, opts.all ? { includeStoppedServers: true } : { state: 'active' });
  return serversOf(users, opts.all === true).sort((a, b) => a.user.localeCompare(b.user) || a.name.localeCompare(b.name));
}

/** One server; the default server of an existing user always "exists" (stopped if never started). */
export async function getServer(client: HubClient, user: string, name: string): Promise<ServerRow> {
  const model = await getUser(client, user, { includeStoppedServers: true });
  const s = model.servers[name];
  if (s) return serverRow(user, s);
  if (name === '') return { user, name, state: 'stopped', url: '', started: null, last_activity: null, uptime_seconds: null };
  throw new HubError('NOT_FOUND', `${user} has no server named ${name}`, { hint: `hub servers ls --all lists every server; start one with hub servers start ${user}/${name}` });
}

/** 400 from start/stop means "already running / pending": a conflict with the server's state, not a bad request. */
async function asConflict<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    if (isHubError(err) && err.code === 'API_ERROR' && /already|pending/i.test(err.message)) throw new HubError('CONFLICT', err.message);
    throw err;
  }
}

export async function startServer(client: HubClient, user: string, name: string, options?: Record<string, unknown>): Promise<'ready' | 'pending'> {
  await getUser(client, user);
  const res = await asConflict(client.post(serverPath(user, name), options));
  return res.status === 201 ? 'ready' : 'pending';
}

export async function stopServer(client: HubClient, user: string, name: string): Promise<'stopped' | 'pending'> {
  await getServer(client, user, name);
  const res = await asConflict(client.delete(serverPath(user, name)));
  return res.status === 202 ? 'pending' : 'stopped';
}

/** Named servers only: stop it if it runs, and delete its record (JupyterHub's `{"remove": true}`). */
export async function removeServer(client: HubClient, user: string, name: string): Promise<'removed' | 'pending'> {
  if (name === '') throw new HubError('USAGE', 'the default server cannot be removed, only stopped', { hint: `hub servers stop ${user}` });
  await getServer(client, user, name);
  const res = await asConflict(client.delete(serverPath(user, name), { remove: true }));
  return res.status === 202 ? 'pending' : 'removed';
}

/**
 * Follows a spawn's progress stream until its final event (ready or failed), calling `onEvent` for each.
 * A stream that ends without a final event (the server stopped being pending) is settled by asking for the
 * server's state once more.
 */
export async function followProgress(client: HubClient, user: string, name: string, onEvent: (e: ProgressEvent) => void): Promise<ProgressEvent> {
  let final: ProgressEvent | undefined;
  const stream = openEventStream(client.socketPath, `${serverPath(user, name)}/progress`, (e) => {
    if (final) return;
    const event = asProgressEvent(parseJson(e.data));
    onEvent(event);
    if (event.ready || event.failed) {
      final = event;
      stream.close();
    }
  });
  await stream.done.catch((err: unknown) => {
    // 400: not pending any more (it got ready or failed before we listened); the state below says which.
    if (!(isHubError(err) && err.code === 'API_ERROR')) throw err;
  });
  if (final) return final;
  const row = await getServer(client, user, name);
  if (row.state === 'ready') return { progress: 100, message: `Server ready at ${row.url}`, ready: true, failed: false, url: row.url };
  return { progress: 100, message: `the server is ${row.state}, not ready`, ready: false, failed: true, url: null };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { progress: 0, message: text };
  }
}

/**
 * Running servers without activity for `seconds` (a server that never reported activity counts from its start).
 * Pending servers are never idle: they are busy starting or stopping.
 */
export function idleServers(rows: ServerRow[], seconds: number, now = Date.now()): ServerRow[] {
  const cutoff = now - seconds * 1000;
  return rows.filter((r) => {
    if (r.state !== 'ready' && r.state !== 'unready') return false;
    const last = r.last_activity ?? r.started;
    return last !== null && Date.parse(last) < cutoff;
  });
}
