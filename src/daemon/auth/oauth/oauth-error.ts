/**
 * RFC 6749 errors as oauthlib (and so JupyterHub) sends them: a JSON body `{error, error_description?}`, status
 * 400, or 401 with a `WWW-Authenticate: Bearer error="..."` challenge for `invalid_client`. From the authorize
 * endpoint, errors that are safe to report to the client travel back in the redirect (`?error=...&state=...`);
 * those about the client itself or its redirect_uri are shown to the user instead (oauthlib's FatalClientError).
 */
import type http from 'node:http';

export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'unsupported_response_type'
  | 'invalid_scope'
  | 'access_denied';

export class OAuthError extends Error {
  readonly error: OAuthErrorCode;
  readonly description: string;
  readonly status: number;

  constructor(error: OAuthErrorCode, description = '', status?: number) {
    super(description === '' ? error : `(${error}) ${description}`);
    this.error = error;
    this.description = description;
    this.status = status ?? (error === 'invalid_client' ? 401 : 400);
  }

  /** oauthlib's `twotuples`: error first, the description only if there is one. */
  params(): [string, string][] {
    const out: [string, string][] = [['error', this.error]];
    if (this.description !== '') out.push(['error_description', this.description]);
    return out;
  }
}

export function sendOAuthError(res: http.ServerResponse, err: OAuthError): void {
  const body = JSON.stringify(Object.fromEntries(err.params()));
  const headers: Record<string, string | number> = {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    pragma: 'no-cache',
    'content-length': Buffer.byteLength(body),
  };
  if (err.status === 401) {
    const desc = err.description === '' ? '' : `, error_description="${err.description}"`;
    headers['www-authenticate'] = `Bearer error="${err.error}"${desc}`;
  }
  res.writeHead(err.status, headers);
  res.end(body);
}
