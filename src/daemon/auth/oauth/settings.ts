/**
 * The provider's configuration, read once from the hub config: how long tokens and codes live, and which
 * clients skip the confirm page.
 */
import type { HubConfig } from '../../../lib/config/index.js';
import { serviceOAuthSpecs } from './service-clients.js';

/** provider.py save_authorization_code: "oauth has 5 minutes to complete". */
export const CODE_LIFETIME_SECONDS = 300;

export interface OAuthSettings {
  /** `oauth_token_expires_in`, by default `cookie_max_age_days` (the cookie holding the token expires then). */
  tokenExpiresInSeconds: number;
  codeExpiresInSeconds: number;
  /** Client ids of services with `oauth_no_confirm` (app.py oauth_no_confirm_list). */
  noConfirmClients: ReadonlySet<string>;
}

export function oauthSettingsFromConfig(config: HubConfig): OAuthSettings {
  const jh = config.JupyterHub;
  const tokenExpiresInSeconds = jh.oauth_token_expires_in > 0 ? jh.oauth_token_expires_in : Math.floor(jh.cookie_max_age_days * 86_400);
  const noConfirm = serviceOAuthSpecs(config).filter((s) => s.noConfirm).map((s) => s.clientId);
  return { tokenExpiresInSeconds, codeExpiresInSeconds: CODE_LIFETIME_SECONDS, noConfirmClients: new Set(noConfirm) };
}

