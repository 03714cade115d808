import type { UserRow } from '../db/users-repo.js';

/**
 * The seam between the REST API and spawning. The API checks scopes, validates input and builds models; the
 * manager owns the lifecycle of every server (spawn, readiness, routes, stop, limits, progress) and its state.
 * Errors a client caused carry an HTTP status (400 already running, 429 with Retry-After, ...).
 */
/** 'check': a server found running at hub start, until it answers (JupyterHub 3.0's `_check_pending`). */
export type PendingAction = 'spawn' | 'stop' | 'check' | null;

export interface ServerRuntime {
  /** JupyterHub's `pending`: 'spawn' while starting, 'stop' while stopping, 'check' while re-adopted, else null. */
  pending: PendingAction;
  /** Started and answered the readiness check; routed by the proxy. */
  ready: boolean;
  /** Not running and not pending (JupyterHub's `stopped = not spawner.active`). */
  stopped: boolean;
  /** Spawner state (e.g. {pid}), shown with admin:server_state. */
  state: Record<string, unknown>;
}

export class ServerError extends Error {
  readonly status: number;
  readonly headers: Record<string, string>;

  constructor(status: number, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.headers = headers;
  }
}

export interface ProgressEvent {
  progress: number;
  message: string;
  ready?: boolean;
  failed?: boolean;
  html_message?: string;
  url?: string;
}

export interface ServerManager {
  /** Runtime view of one server; `stopped: true` for one that exists only as a row (or not at all). */
  runtime(user: string, server: string): ServerRuntime;
  /**
   * Starts a server. Resolves 'ready' if it became ready within the API's short wait (JupyterHub: 201), else
   * 'pending' (202) while it keeps starting. Throws ServerError(400) if already running or pending,
   * ServerError(429, Retry-After) for concurrent_spawn_limit / active_server_limit.
   */
  start(user: UserRow, server: string, userOptions: Record<string, unknown>): Promise<'ready' | 'pending'>;
  /** Stops a server: 'stopped' (204) or 'pending' (202) if the stop takes longer than the API's short wait. */
  stop(user: UserRow, server: string): Promise<'stopped' | 'pending'>;
  /** Progress events for /server/progress, ending with a ready or failed event (jupyterhub-facts 3.6). */
  progress(user: string, server: string): AsyncIterable<ProgressEvent>;
  /** The user's servers are about to go away (user deleted or renamed): stop them all. */
  stopAll(user: UserRow): Promise<void>;
  /** A named server was deleted: its spawner object (spawner-object.ts) goes with it, as user.spawners.pop. */
  dropSpawnerObject?(user: string, server: string): void;
}

const STOPPED: ServerRuntime = { pending: null, ready: false, stopped: true, state: {} };

/**
 * Until a spawner is configured (the spawning issue), servers exist only as rows: starting one is refused with
 * a clear 501 rather than pretending.
 */
export class NoSpawnerManager implements ServerManager {
  runtime(): ServerRuntime {
    return STOPPED;
  }

  async start(): Promise<'ready' | 'pending'> {
    throw new ServerError(501, 'This hub has no spawner yet: starting servers is not available');
  }

  async stop(): Promise<'stopped' | 'pending'> {
    return 'stopped';
  }

  async *progress(): AsyncIterable<ProgressEvent> {
    yield { progress: 100, failed: true, message: 'Spawn failed: this hub has no spawner yet' };
  }

  async stopAll(): Promise<void> {}
}
