import { ApiError } from './http-util.js';

/**
 * JupyterHub's pagination (apihandlers/base.py `get_api_pagination`, `paginated_model`): `offset`/`limit`; with
 * `Accept: application/jupyterhub-pagination+json` the reply is `{items, _pagination}` and the limit defaults to
 * api_page_default_limit, otherwise a bare list whose limit defaults to api_page_max_limit. Values are read as
 * Python's `abs(int(x))` reads them: `-5` is 5, a limit below 1 is 1, above the max is the max.
 */
export const PAGINATION_MEDIA_TYPE = 'application/jupyterhub-pagination+json';

export interface Paging {
  offset: number;
  limit: number;
  wantsEnvelope: boolean;
}

export interface PageLimits {
  defaultLimit: number;
  maxLimit: number;
}

export const DEFAULT_PAGE_LIMITS: PageLimits = { defaultLimit: 50, maxLimit: 200 };

// tornado replaces these control characters with spaces in every argument, then strips.
const CONTROL_CHARS = /[\x00-\x08\x0e-\x1f]/g; // eslint-disable-line no-control-regex

/** tornado's `get_argument(name)`: the last value given, control characters blanked, whitespace stripped. */
export function queryArg(url: URL, name: string): string | undefined {
  const all = url.searchParams.getAll(name);
  const last = all[all.length - 1];
  return last === undefined ? undefined : last.replace(CONTROL_CHARS, ' ').trim();
}

/** Python's `int(text)` for ASCII input (sign, digits, `_` between digits); undefined if Python would raise. */
export function pythonInt(text: string): number | undefined {
  const t = text.trim();
  if (!/^[+-]?\d+(?:_\d+)*$/.test(t)) return undefined;
  const n = Number(t.replace(/_/g, ''));
  // Beyond 2^53 the exact value cannot matter here: such an offset is past every row.
  return Number.isFinite(n) ? Math.max(Math.min(n, Number.MAX_SAFE_INTEGER), -Number.MAX_SAFE_INTEGER) : undefined;
}

/** JupyterHub's `accepts_pagination`: the media type is one of the comma-separated Accept entries, exactly. */
export function acceptsPagination(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.trim().split(',').some((s) => s.trim().toLowerCase() === PAGINATION_MEDIA_TYPE);
}

export function parsePaging(url: URL, accept: string | undefined, limits: PageLimits = DEFAULT_PAGE_LIMITS): Paging {
  const wantsEnvelope = acceptsPagination(accept);
  const rawOffset = queryArg(url, 'offset');
  const rawLimit = queryArg(url, 'limit');
  const offset = rawOffset === undefined ? 0 : pythonInt(rawOffset);
  const limit = rawLimit === undefined ? (wantsEnvelope ? limits.defaultLimit : limits.maxLimit) : pythonInt(rawLimit);
  if (offset === undefined || limit === undefined) {
    throw new ApiError(400, 'Invalid argument type, offset and limit must be integers');
  }
  return { offset: Math.abs(offset), limit: Math.max(1, Math.min(Math.abs(limit), limits.maxLimit)), wantsEnvelope };
}

/**
 * `next.url` is the request URL with offset and limit replaced (or appended), as JupyterHub builds it with
 * parse_qs/urlencode, which also drops parameters with empty values.
 */
export function nextPageUrl(url: URL, offset: number, limit: number): string {
  const next = new URL(url.toString());
  for (const [k, v] of [...next.searchParams]) if (v === '') next.searchParams.delete(k, v);
  next.searchParams.set('offset', String(offset));
  next.searchParams.set('limit', String(limit));
  return next.toString();
}

export function paginated<T>(items: T, total: number, paging: Paging, url: URL): T | object {
  if (!paging.wantsEnvelope) return items;
  const nextOffset = paging.offset + paging.limit;
  const next = nextOffset < total ? { offset: nextOffset, limit: paging.limit, url: nextPageUrl(url, nextOffset, paging.limit) } : null;
  return { items, _pagination: { offset: paging.offset, limit: paging.limit, total, next } };
}

/** The configured page limits (JupyterHub.api_page_default_limit / api_page_max_limit). */
export function pageLimitsOf(jh: { api_page_default_limit: number; api_page_max_limit: number }): PageLimits {
  const maxLimit = Math.max(1, jh.api_page_max_limit);
  return { defaultLimit: Math.max(1, Math.min(jh.api_page_default_limit, maxLimit)), maxLimit };
}
