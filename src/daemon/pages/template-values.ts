/**
 * Values shaped as JupyterHub 3.0's templates use them, so a template copied from JupyterHub into template_paths
 * renders: datetimes with Python's isoformat(), url_path_join. hub's own templates print the same values as
 * before (a datetime prints as its ISO string).
 */

/** A datetime as a template gets it: a string (hub's ISO form, ending in Z) with datetime's isoformat(). */
export class TemplateDatetime extends String {
  readonly #date: Date;

  constructor(date: Date) {
    super(date.toISOString());
    this.#date = date;
  }

  /** JupyterHub's naive UTC datetimes: no zone (its templates append 'Z'), microseconds only when not zero. */
  isoformat(): string {
    const [seconds = '', millis = '000'] = this.#date.toISOString().slice(0, -1).split('.');
    return millis === '000' ? seconds : `${seconds}.${millis}000`;
  }
}

export function templateDatetime(d: Date | string | null | undefined): TemplateDatetime | null {
  if (d === null || d === undefined || d === '') return null;
  const date = d instanceof Date ? d : new Date(d);
  return Number.isNaN(date.getTime()) ? null : new TemplateDatetime(date);
}

/** utils.url_path_join: the pieces joined by single slashes, keeping a leading and a trailing slash. */
export function urlPathJoin(...pieces: unknown[]): string {
  const parts = pieces.filter((p): p is string => typeof p === 'string');
  if (parts.length === 0) return '';
  const initial = parts[0]?.startsWith('/') === true;
  const final = parts.at(-1)?.endsWith('/') === true;
  const inner = parts.map((p) => p.replace(/^\/+|\/+$/g, '')).filter((p) => p !== '').join('/');
  let out = `${initial ? '/' : ''}${inner}${final ? '/' : ''}`;
  if (out === '//') out = '/';
  return out;
}

/** nunjucks passes keyword arguments (`f(include_default=False)`) as a last object marked `__keywords`. */
export function keywordArgument(args: readonly unknown[], name: string, position: number): unknown {
  const last = args.at(-1);
  if (typeof last === 'object' && last !== null && (last as { __keywords?: unknown }).__keywords === true && name in last) return (last as Record<string, unknown>)[name];
  const positional = typeof last === 'object' && last !== null && (last as { __keywords?: unknown }).__keywords === true ? args.slice(0, -1) : args;
  return positional[position];
}
