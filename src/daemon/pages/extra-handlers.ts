import type http from 'node:http';
import type { ExtraHandler } from '../../lib/config/index.js';
import type { Logger } from '../../lib/log.js';
import type { ApiService } from '../api/api-service.js';
import { ApiError, sendError } from '../api/http-util.js';
import type { RequestContext } from '../api/router.js';
import type { Principal } from '../auth/principal.js';
import type { PagesDeps } from './page-context.js';
import { renderErrorPage } from './page-handler.js';

/**
 * JupyterHub.extra_handlers: the admin's own request handlers under `<base_url>hub/`, tried after hub's own
 * routes and before the 404, in the order configured (tornado: `h.extend(self.extra_handlers)` after the
 * default handlers, first match wins). Hub port only; the control socket does not serve them.
 *
 * `handler(req, res, match, hub)`, awaited:
 * - req, res: node:http's IncomingMessage and ServerResponse; every method arrives (req.method tells which).
 * - match: the pattern's match against the path after `<base_url>hub` (match[0] is '/my-page/42'); its groups,
 *   numbered and named, are percent-decoded, as tornado passes path arguments.
 * - hub: {currentUser, log, baseUrl, hubPrefix, url}; see HandlerHub.
 * The response already carries the hub's headers (tornado_settings.headers, the Content-Security-Policy). When the
 * handler's promise settles with the response still open, hub ends it, as tornado finishes a handler whose method
 * returned. A handler that throws is logged with its stack and answered 500 (JSON under api/, else the error page)
 * unless its answer had begun, in which case the connection is cut.
 */
export interface HandlerHub {
  /**
   * Who is asking: a token (Authorization header or ?token=) or the login cookie, as for hub's own routes. With the
   * cookie, a POST/PUT/PATCH/DELETE counts only with an XSRF token (X-XSRFToken header, or `_xsrf` in the query or
   * in an urlencoded form, which this then reads). null for nobody.
   */
  currentUser: () => Promise<HandlerUser | null>;
  log: Logger;
  /** JupyterHub.base_url, e.g. '/'. */
  baseUrl: string;
  /** `<base_url>hub/`. */
  hubPrefix: string;
  /** The request URL, parsed. */
  url: URL;
}

export interface HandlerUser {
  kind: 'user' | 'service';
  name: string;
  admin: boolean;
  /** Expanded scopes, e.g. 'read:users!user=alice'. */
  scopes: string[];
}

type HandlerFunction = (req: http.IncomingMessage, res: http.ServerResponse, match: RegExpExecArray, hub: HandlerHub) => unknown;

function userOf(p: Principal): HandlerUser | null {
  const scopes = [...p.scopes.scopes];
  if (p.kind === 'user') return { kind: 'user', name: p.user.name, admin: p.user.admin, scopes };
  if (p.kind === 'service') return { kind: 'service', name: p.service.name, admin: p.service.admin, scopes };
  return null;
}

function decoded(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new ApiError(400, `malformed URL escape in ${JSON.stringify(raw)}`);
  }
}

function matchOf(entry: ExtraHandler, rel: string): RegExpExecArray | null {
  const m = entry.regex.exec(rel);
  if (m === null) return null;
  for (let i = 1; i < m.length; i++) {
    const g = m[i];
    if (g !== undefined) m[i] = decoded(g);
  }
  if (m.groups) for (const [k, v] of Object.entries(m.groups)) if (v !== undefined) m.groups[k] = decoded(v);
  return m;
}

/** An ApiError (e.g. currentUser's XSRF refusal on an api/ path) is the client's answer; anything else is a 500. */
async function failed(ctx: RequestContext, deps: PagesDeps, what: string, err: unknown): Promise<void> {
  const known = err instanceof ApiError ? err : null;
  if (known === null || known.status >= 500) {
    deps.log.error(`${what}: ${ctx.req.method} ${ctx.url.pathname} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  }
  if (ctx.res.headersSent) {
    ctx.res.destroy();
    return;
  }
  const answer = known ?? new ApiError(500, 'internal error; see the hub log');
  if (ctx.url.pathname.startsWith(`${deps.hubPrefix}api/`)) sendError(ctx.res, answer);
  else await renderErrorPage(ctx, deps, answer.status, known ? known.message : 'The hub failed to do this; the hub log says why.');
}

export function installExtraHandlers(api: ApiService, deps: PagesDeps, entries: readonly ExtraHandler[], log: Logger): void {
  if (entries.length === 0) return;
  api.fallback = async (ctx, rel, authenticate) => {
    for (const [i, entry] of entries.entries()) {
      const match = matchOf(entry, rel);
      if (match === null) continue;
      let caller: Promise<Principal> | undefined;
      const hub: HandlerHub = {
        currentUser: async () => userOf(await (caller ??= authenticate())),
        log, baseUrl: deps.baseUrl, hubPrefix: deps.hubPrefix, url: ctx.url,
      };
      try {
        await (entry.handler as HandlerFunction)(ctx.req, ctx.res, match, hub);
        if (!ctx.res.writableEnded) ctx.res.end();
      } catch (err) {
        await failed(ctx, deps, `JupyterHub.extra_handlers[${i}] (${entry.pattern})`, err);
      }
      return true;
    }
    return false;
  };
}
