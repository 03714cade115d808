/**
 * The OAuth2 provider (JupyterHub 3.0's, as jupyterhub-singleuser and HubOAuth use it; jupyterhub-facts 3.4).
 *
 * For the spawner: `registerClient`/`removeClient` (or an `OAuthClientRegistry`), one client per server.
 * For the hub's start: `syncServiceOAuthClients` (services' clients, stale clients removed).
 * For logout: `revokeSessionTokens`.
 * For token checks: `resolveClientRef` (what server or service a token's client stands for).
 * The HTTP side lives in api/routes/oauth.ts, whoami.ts and authorizations.ts.
 */
export { registerClient, removeClient, OAuthClientRegistry, type OAuthClientSpec, type TokenCache } from './client-registry.js';
export { serverClientId, serviceClientId, pyQuote } from './client-ids.js';
export { resolveClientRef, resolveOAuthClient, type OAuthClientTarget } from './client-resolver.js';
export { syncServiceOAuthClients, serviceOAuthSpecs, type ServiceOAuthSpec } from './service-clients.js';
export { revokeSessionTokens } from './session-tokens.js';
export { oauthSettingsFromConfig, CODE_LIFETIME_SECONDS, type OAuthSettings } from './settings.js';
export { OAuthError, sendOAuthError } from './oauth-error.js';
