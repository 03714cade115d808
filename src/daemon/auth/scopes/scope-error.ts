import { HubError, type ErrorCode } from '../../../lib/errors.js';

/**
 * Why a scope was refused. The API layer maps request-side reasons to 400 (JupyterHub answers a token request
 * naming an unknown scope with 400); config-side reasons stop the hub at start-up.
 */
export type ScopeErrorReason =
  | 'unknown-scope'
  | 'bad-filter'
  | 'invalid-custom-scope'
  | 'excess-scopes'
  | 'bad-path-argument'
  | 'bad-token-request';

const CODE_FOR: Readonly<Record<ScopeErrorReason, ErrorCode>> = {
  'unknown-scope': 'USAGE',
  'bad-filter': 'USAGE',
  'invalid-custom-scope': 'CONFIG_INVALID',
  'excess-scopes': 'FORBIDDEN',
  'bad-path-argument': 'USAGE',
  'bad-token-request': 'USAGE',
};

export class ScopeError extends HubError {
  readonly reason: ScopeErrorReason;

  constructor(reason: ScopeErrorReason, message: string, hint?: string) {
    super(CODE_FOR[reason], message, hint === undefined ? {} : { hint });
    this.name = 'ScopeError';
    this.reason = reason;
  }
}

export function isScopeError(err: unknown): err is ScopeError {
  return err instanceof ScopeError;
}
