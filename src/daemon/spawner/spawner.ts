import type { HubConfig } from '../../lib/config/index.js';
import type { Logger } from '../../lib/log.js';

/**
 * A Spawner starts one single-user server and can later find it again from its saved state. One
 * implementation per file; the lifecycle around it (tokens, OAuth client, readiness, routes, limits, progress)
 * lives in the server manager, so every spawner gets the same contract with the hub.
 */
export interface SpawnRequest {
  user: { id: number; name: string };
  serverName: string;
  /** JUPYTERHUB_* variables of the contract plus Spawner.environment, ready to pass on. */
  env: Record<string, string>;
  /** Spawner.cmd + Spawner.args. */
  argv: string[];
  /** The address the server must listen on (JUPYTERHUB_SERVICE_URL says the same). */
  ip: string;
  port: number;
  userOptions: Record<string, unknown>;
  log: Logger;
}

export interface Started {
  /** Where the hub (and proxy) reach the server. */
  ip: string;
  port: number;
  /** Saved in spawners.state, given back to poll/stop after a hub restart. */
  state: Record<string, unknown>;
}

export type PollResult = { running: true } | { running: false; exitCode: number };

export interface Spawner {
  readonly kind: string;
  start(req: SpawnRequest): Promise<Started>;
  /** Is the server of this state still there? (JupyterHub: poll() -> None | exit status.) */
  poll(state: Record<string, unknown>): Promise<PollResult>;
  /** Stops it; `now` skips the graceful steps. Resolves once it is gone. */
  stop(state: Record<string, unknown>, now: boolean): Promise<void>;
  /** Lines the server wrote before it died, for the spawn failure message. */
  lastOutput?(state: Record<string, unknown>): string;
  /**
   * internal_ssl: put the spawn's key and certificates where the server's user can read them and nobody else
   * can (JupyterHub's move_certs); returns their new paths. Without it the files stay in the hub's store.
   */
  placeCerts?(files: TlsFiles, user: string): Promise<TlsFiles>;
}

export interface TlsFiles {
  keyfile: string;
  certfile: string;
  cafile: string;
}

export type SpawnerFactory = (config: HubConfig, log: Logger) => Spawner;
