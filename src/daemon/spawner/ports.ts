import type { Knex } from 'knex';

/**
 * What the server manager needs from the proxy and the OAuth provider; the hub passes the real ones
 * (ChpClient, the OAuth client registry), tests may pass recording fakes.
 */
export interface ProxyRoutes {
  addRoute(routespec: string, target: string, data: Record<string, unknown>): Promise<void>;
  deleteRoute(routespec: string): Promise<void>;
}

export interface OAuthClientSpec {
  id: string;
  secret: string;
  redirectUri: string;
  allowedScopes: string[];
  description: string;
}

/** Writes join the caller's transaction (a batch of spawns' or a stop's writes); `remove` may also go alone. */
export interface OAuthClients {
  register(clients: readonly OAuthClientSpec[], trx: Knex.Transaction): Promise<void>;
  remove(id: string, trx?: Knex.Transaction): Promise<void>;
}
