/**
 * apihandlers/base.py `server_model`: a spawner as the API shows it. A running (or pending) server takes pending,
 * ready and state from the server manager; a stopped one is built from its row alone, as JupyterHub builds it from
 * an orm.Spawner. `state` is kept here and removed by the scope filter unless the caller has admin:server_state.
 */
import type { ServerRuntime } from '../../spawner/server-manager.js';
import { isoFromDate, type SpawnerSummary } from './user-query.js';
import { progressUrl, serverUrl } from './urls.js';

export type ServerModel = Record<string, unknown>;

/**
 * The default server of a user that never spawned. JupyterHub creates its row (state and user_options NULL) the
 * first time it builds the user's model; we show the same without writing on a read.
 */
export function neverSpawned(name: string): SpawnerSummary {
  return { name, started: null, last_activity: null, state: null, user_options: null, hasServer: false };
}

/** `subdomainHost`: JupyterHub.subdomain_host, which makes `url` absolute on the user's host, as in JupyterHub. */
export function serverModel(baseUrl: string, user: string, spawner: SpawnerSummary, rt: ServerRuntime, subdomainHost = ''): ServerModel {
  const active = !rt.stopped;
  return {
    name: spawner.name,
    last_activity: isoFromDate(spawner.last_activity),
    started: isoFromDate(spawner.started),
    pending: active ? rt.pending : null,
    ready: active ? rt.ready : false,
    stopped: !active,
    url: serverUrl(baseUrl, user, spawner.name, subdomainHost),
    user_options: spawner.user_options,
    progress_url: progressUrl(baseUrl, user, spawner.name),
    state: active ? rt.state : spawner.state,
  };
}
