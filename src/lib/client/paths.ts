import { HubError, isHubError } from '../errors.js';

/** API paths, with every name escaped once here rather than at each call. */
const API = '/hub/api';

export function userPath(name: string): string {
  return `${API}/users/${encodeURIComponent(name)}`;
}

/** `/users/alice/server` for the default server (''), `/users/alice/servers/gpu` for a named one. */
export function serverPath(user: string, server: string): string {
  return server === '' ? `${userPath(user)}/server` : `${userPath(user)}/servers/${encodeURIComponent(server)}`;
}

export function groupPath(name: string): string {
  return `${API}/groups/${encodeURIComponent(name)}`;
}

export function apiPath(rest: string, params?: URLSearchParams): string {
  const q = params && [...params.keys()].length > 0 ? `?${params}` : '';
  return `${API}/${rest}${q}`;
}

/**
 * The daemon's 404 says what it could not find in its own words; the CLI says it the same way every time
 * (`no such user: bob`) with a hint where to look.
 */
export async function orNotFound<T>(p: Promise<T>, message: string, hint?: string): Promise<T> {
  try {
    return await p;
  } catch (err) {
    if (isHubError(err) && err.code === 'NOT_FOUND') throw new HubError('NOT_FOUND', message, hint ? { hint } : {});
    throw err;
  }
}
