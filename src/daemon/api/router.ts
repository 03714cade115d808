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

  /** Finds the route; a path that exists with another method is a 405, an unknown one null (404). */
  match(method: string, path: string): Match | null {
    const parts = split(path);
    let pathExists = false;
    for (const route of this.routes) {
      const params = matchSegments(route.segments, parts);
      if (!params) continue;
      pathExists = true;
      if (route.method === method || (method === 'HEAD' && route.method === 'GET')) return { handler: route.handler, params, pattern: route.segments.join('/') };
    }
    if (pathExists) throw new ApiError(405, `method ${method} not allowed on ${path}`);
    return null;
  }
}

function split(p: string): string[] {
  return p.split('/').filter((s) => s.length > 0);
}

function matchSegments(pattern: string[], parts: string[]): Record<string, string> | null {
  if (pattern.length !== parts.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const want = pattern[i] ?? '';
    const got = parts[i] ?? '';
    if (want.startsWith(':')) {
      try {
        params[want.slice(1)] = decodeURIComponent(got);
      } catch {
        throw new ApiError(400, `malformed URL escape in ${JSON.stringify(got)}`);
      }
    } else if (want !== got) {
      return null;
    }
  }
  return params;
}
