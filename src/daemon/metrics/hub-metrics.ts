import { Gauge, Histogram, Registry } from './prometheus.js';

/**
 * JupyterHub 3.0's Prometheus metrics (jupyterhub/metrics.py), same names, help texts, labels and buckets. Each
 * status label is created up front, as metrics.py does, so dashboards see the series before the first failure.
 * running_servers and total_users are read at scrape time (JupyterHub keeps them with inc/dec).
 */
export interface HubMetrics {
  registry: Registry;
  requestDuration: Histogram;
  serverSpawnDuration: Histogram;
  runningServers: Gauge;
  totalUsers: Gauge;
  checkRoutesDuration: Histogram;
  hubStartupDuration: Histogram;
  initSpawnersDuration: Histogram;
  proxyPollDuration: Histogram;
  proxyAddDuration: Histogram;
  serverPollDuration: Histogram;
  serverStopDuration: Histogram;
  proxyDeleteDuration: Histogram;
}

export type SpawnStatus = 'success' | 'failure' | 'already-pending' | 'throttled' | 'too-many-users';

export interface MetricSources {
  runningServers: () => number | Promise<number>;
  totalUsers: () => number | Promise<number>;
}

function withStatuses(h: Histogram, statuses: readonly string[]): Histogram {
  for (const status of statuses) h.labels({ status });
  return h;
}

export function createHubMetrics(sources: MetricSources): HubMetrics {
  const r = new Registry();
  const status = ['status'];
  return {
    registry: r,
    requestDuration: r.register(new Histogram('jupyterhub_request_duration_seconds', 'request duration for all HTTP requests', ['method', 'handler', 'code'])),
    serverSpawnDuration: r.register(withStatuses(
      new Histogram('jupyterhub_server_spawn_duration_seconds', 'time taken for server spawning operation', status, [0.5, 1, 2.5, 5, 10, 15, 30, 60, 120]),
      ['success', 'failure', 'already-pending', 'throttled', 'too-many-users'],
    )),
    runningServers: r.register(new Gauge('jupyterhub_running_servers', 'the number of user servers currently running', sources.runningServers)),
    totalUsers: r.register(new Gauge('jupyterhub_total_users', 'total number of users', sources.totalUsers)),
    checkRoutesDuration: r.register(new Histogram('jupyterhub_check_routes_duration_seconds', 'Time taken to validate all routes in proxy')),
    hubStartupDuration: r.register(new Histogram('jupyterhub_hub_startup_duration_seconds', 'Time taken for Hub to start')),
    initSpawnersDuration: r.register(new Histogram('jupyterhub_init_spawners_duration_seconds', 'Time taken for spawners to initialize')),
    proxyPollDuration: r.register(new Histogram('jupyterhub_proxy_poll_duration_seconds', 'duration for polling all routes from proxy')),
    proxyAddDuration: r.register(withStatuses(new Histogram('jupyterhub_proxy_add_duration_seconds', 'duration for adding user routes to proxy', status), ['success', 'failure'])),
    serverPollDuration: r.register(withStatuses(new Histogram('jupyterhub_server_poll_duration_seconds', 'time taken to poll if server is running', status), ['running', 'stopped'])),
    serverStopDuration: r.register(withStatuses(new Histogram('jupyterhub_server_stop_seconds', 'time taken for server stopping operation', status), ['success', 'failure'])),
    proxyDeleteDuration: r.register(withStatuses(new Histogram('jupyterhub_proxy_delete_duration_seconds', 'duration for deleting user routes from proxy', status), ['success', 'failure'])),
  };
}
