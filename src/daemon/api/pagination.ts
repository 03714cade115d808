import { ApiError } from './http-util.js';

/**
 * JupyterHub's pagination: `offset`/`limit`; with `Accept: application/jupyterhub-pagination+json` the reply
 * is `{items, _pagination}` and the limit defaults to api_page_default_limit, otherwise a bare list whose
 * limit defaults to api_page_max_limit.
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

function intParam(url: URL, name: string): number | undefined {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === '') return undefined;
  if (!/^\d+$/.test(raw)) throw new ApiError(400, `${name} must be a non-negative integer, got ${JSON.stringify(raw)}`);
  return Number(raw);
}

export function parsePaging(url: URL, accept: string | undefined, limits: PageLimits = DEFAULT_PAGE_LIMITS): Paging {
  const wantsEnvelope = (accept ?? '').includes(PAGINATION_MEDIA_TYPE);
  const offset = intParam(url, 'offset') ?? 0;
  const asked = intParam(url, 'limit');
  const fallback = wantsEnvelope ? limits.defaultLimit : limits.maxLimit;
  const limit = Math.min(asked === undefined || asked === 0 ? fallback : asked, limits.maxLimit);
  return { offset, limit, wantsEnvelope };
}

/** `next.url` is the full request URL with offset/limit replaced, as JupyterHub builds it. */
export function paginated<T>(items: T[], total: number, paging: Paging, url: URL): T[] | object {
  if (!paging.wantsEnvelope) return items;
  const nextOffset = paging.offset + paging.limit;
  let next: object | null = null;
  if (nextOffset < total) {
    const nextUrl = new URL(url.toString());
    nextUrl.searchParams.set('offset', String(nextOffset));
    nextUrl.searchParams.set('limit', String(paging.limit));
    next = { offset: nextOffset, limit: paging.limit, url: nextUrl.toString() };
  }
  return { items, _pagination: { offset: paging.offset, limit: paging.limit, total, next } };
}
