import { BaseAuthenticator, type AuthenticatorOptions } from './base-authenticator.js';
import type { AuthenticateResult } from './types.js';

/**
 * JupyterHub's NullAuthenticator (`authenticator_class = 'null'`, jupyterhub.auth.NullAuthenticator): nobody logs
 * in through the hub; people and services reach it with API tokens only. Its class sets auto_login, which config
 * cannot turn off, so the login page answers 403 as JupyterHub's does; a posted login form logs nobody in and
 * gets the login page again (200, its "Sign in with null" button), as JupyterHub 3.0 answers it.
 */
export class NullAuthenticator extends BaseAuthenticator {
  readonly className = 'NullAuthenticator';
  override readonly loginService = 'null';

  constructor(opts: AuthenticatorOptions) {
    super({ ...opts, config: { ...opts.config, auto_login: true } });
  }

  async authenticate(): Promise<AuthenticateResult> {
    return null;
  }
}
