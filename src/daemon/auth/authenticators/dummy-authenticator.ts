import { createHash, timingSafeEqual } from 'node:crypto';
import type { DummyAuthenticatorConfig } from '../../../lib/config/index.js';
import { BaseAuthenticator, type AuthenticatorOptions, type BaseAuthenticatorConfig } from './base-authenticator.js';
import type { AuthenticateResult, LoginData } from './types.js';

export type DummyConfig = BaseAuthenticatorConfig & Pick<DummyAuthenticatorConfig, 'password'>;

/**
 * JupyterHub's DummyAuthenticator, for testing: any name with any password, or, when
 * `DummyAuthenticator.password` is set, any name with exactly that password.
 */
export class DummyAuthenticator extends BaseAuthenticator {
  readonly className = 'DummyAuthenticator';
  private readonly password: Buffer | null;

  constructor(opts: AuthenticatorOptions<DummyConfig>) {
    super(opts);
    this.password = opts.config.password === '' ? null : digest(opts.config.password);
  }

  async authenticate(data: LoginData): Promise<AuthenticateResult> {
    if (this.password === null) return data.username;
    // Digests have equal length, so the comparison takes the same time whatever was typed.
    return timingSafeEqual(digest(data.password), this.password) ? data.username : null;
  }
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}
