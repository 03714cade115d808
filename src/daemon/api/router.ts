import type http from 'node:http';
import { ApiError } from './http-util.js';

/**
 * Routes by method and path pattern (`users/:name/tokens`), relative to the hub prefix (`/hub/`).
 * Parameters are URL-decoded; a malformed escape is the client's 400, not our exception.
 */
import type { Principal } from '../auth/principal.js';

export interface RequestContext {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  url: URL;
  params: Record<string, string>;
  caller: Principal;
  /** How the request arrived: the operator socket or the hub's TCP port. */
  door: 'socket' | 'tcp';
}

export type Handler = (ctx: RequestContext) => Promise<void>;

interface Route {
  method: string;
  segments: string[];
  handler: Handler;
}

export interface Match {
  handler: Handler;
  params: Record<string, string>;
  /** The route's pattern as registered (`api/users/:name`): the handler label of the request metric. */
  pattern: string;
}

export class Router {
  private readonly routes: Route[] = [];

  add(method: string, pattern: string, handler: Handler): this {
    this.routes.push({ method, segments: split(pattern), handler });
    return this;
  }

  /**
   * Finds the route; a path that exists with another method is a 405, an unknown one null (404). API paths are
   * JupyterHub's APIHandlers: HEAD is not GET there (tornado's 405), and OPTIONS answers 200 on any API route.
   */
  match(method: string, path: string): Match | null {
    const parts = split(path);
    const api = isApi(parts);
    let pathExists = false;
    let pattern = '';
    for (const route of this.routes) {
      const params = matchSegments(route.segments, parts);
      if (!params) continue;
      if (!pathExists) pattern = route.segments.join('/');
      pathExists = true;
      if (route.method === method || (!api && method === 'HEAD' && route.method === 'GET')) return { handler: route.handler, params, pattern: route.segments.join('/') };
    }
    if (pathExists && api && method === 'OPTIONS') return { handler: answerOptions, params: {}, pattern };
    if (pathExists) throw new ApiError(405, `method ${method} not allowed on ${path}`);
    return null;
  }
}

/** apihandlers/base.py `APIHandler.options`: an empty 200, no authentication needed (CORS preflights). */
const answerOptions: Handler = async ({ res }) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': 0 });
  res.end();
};

function isApi(segments: readonly string[]): boolean {
  return segments[0] === 'api';
}

/**
 * Path segments. API paths keep a trailing slash as an empty last segment, because JupyterHub's API routes are
 * anchored regexes: `/api/users/` is a 404, `/api/users/{name}/tokens/` is token '' (404), `/api/users/{name}/servers/`
 * is the default server, and only `/api/?` takes the slash either way. Pages ignore empty segments.
 */
function split(p: string): string[] {
  const parts = p.split('/').filter((s, i, all) => s.length > 0 || (i === all.length - 1 && i > 0));
  if (isApi(parts)) return parts;
  return parts.filter((s) => s.length > 0);
}

function matchSegments(pattern: string[], parts: string[]): Record<string, string> | null {
  if (pattern.length !== parts.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const want = pattern[i] ?? '';
    const got = parts[i] ?? '';
    if (want.startsWith(':')) {
      // `:name*` may be empty (JupyterHub's `([^/]*)`), `:name` may not (`([^/]+)`).
      const optional = want.endsWith('*');
      if (got === '' && !optional) return null;
      try {
        params[want.slice(1, optional ? -1 : undefined)] = decodeURIComponent(got);
      } catch {
        throw new ApiError(400, `malformed URL escape in ${JSON.stringify(got)}`);
      }
    } else if (want !== got) {
      return null;
    }
  }
  return params;
}
