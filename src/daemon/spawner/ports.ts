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

/** With `trx`, the write joins the caller's transaction (a spawn's or a stop's unit of a write batch). */
export interface OAuthClients {
  register(client: OAuthClientSpec, trx?: Knex.Transaction): Promise<void>;
  remove(id: string, trx?: Knex.Transaction): Promise<void>;
}
