/**
 * The entries of JupyterHub.extra_handlers and JupyterHub.extra_log_handlers (the `http-handler` and `log-handler`
 * kinds of coerce.ts). Both hold functions, so only a JS/TS config file can give them.
 */
import { describeFound } from './describe-value.js';
import type { CoerceContext, Coerced } from './coerce.js';
import type { ConfigFunction, ExtraHandler, LogHandlerEntry } from './types.js';

export const MOVE_TO_CODE = 'functions can only be set in a JS/TS config file: move this option to hub.config.js or hub.config.ts';

function problem(ctx: CoerceContext, text: string, value: unknown): Coerced {
  const hint = ctx.code ? '' : `; ${MOVE_TO_CODE}`;
  return { ok: false, problem: `${ctx.path} ${text}, found ${describeFound(value)}${hint}` };
}

/**
 * A tornado URL pattern as a JS regular expression over the path after `<base_url>hub`: Python's named groups
 * become JS ones, the pattern's own `^`, `$` and leading slashes go (JupyterHub joins it to the hub prefix with
 * url_path_join), and it is anchored at both ends, as tornado's URLSpec is (re.match plus an added `$`).
 */
export function handlerRegex(pattern: string | RegExp): RegExp {
  let s = typeof pattern === 'string' ? pattern.replace(/\(\?P</g, '(?<').replace(/\(\?P=(\w+)\)/g, '\\k<$1>') : pattern.source;
  if (s.startsWith('^')) s = s.slice(1);
  if (s.endsWith('$') && !s.endsWith('\\$')) s = s.slice(0, -1);
  s = s.replace(/^(?:\\?\/)+/, '');
  // 'g' and 'y' would make exec() stateful between requests.
  const flags = typeof pattern === 'string' ? '' : pattern.flags.replace(/[gy]/g, '');
  return new RegExp(`^/(?:${s})$`, flags);
}

export function coerceHttpHandler(value: unknown, ctx: CoerceContext): Coerced {
  if (!Array.isArray(value) || value.length !== 2) return problem(ctx, 'must be a [pattern, handler function] pair', value);
  const [pattern, handler] = value as [unknown, unknown];
  if (typeof pattern !== 'string' && !(pattern instanceof RegExp)) {
    return { ok: false, problem: `${ctx.path}[0] must be a URL pattern (a string or a RegExp), found ${describeFound(pattern)}` };
  }
  let regex: RegExp;
  try {
    regex = handlerRegex(pattern);
  } catch (err) {
    return { ok: false, problem: `${ctx.path}[0] is not a valid regular expression: ${err instanceof Error ? err.message : String(err)}` };
  }
  if (typeof handler !== 'function') return problem({ ...ctx, path: `${ctx.path}[1]` }, 'must be a function (req, res, match, hub)', handler);
  const entry: ExtraHandler = { pattern: typeof pattern === 'string' ? pattern : String(pattern), regex, handler: handler as ConfigFunction };
  return { ok: true, value: entry };
}

export function coerceLogHandler(value: unknown, ctx: CoerceContext): Coerced {
  if (typeof value === 'function') {
    const entry: LogHandlerEntry = { handle: value as ConfigFunction, level: 0, label: ctx.path };
    return { ok: true, value: entry };
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const obj = value as { handle?: unknown; level?: unknown };
    const handle = obj.handle;
    if (typeof handle === 'function') {
      const level = typeof obj.level === 'number' && Number.isFinite(obj.level) ? obj.level : 0;
      // Called as a method, so a class instance keeps its `this`.
      const entry: LogHandlerEntry = { handle: ((record: unknown) => (handle as (r: unknown) => unknown).call(value, record)) as ConfigFunction, level, label: ctx.path };
      return { ok: true, value: entry };
    }
  }
  return problem(ctx, 'must be a function (record) or an object with a handle(record) method', value);
}
