import { HubError } from '../../../lib/errors.js';

/**
 * JupyterHub's username rules (auth.py `normalize_username`, `validate_username`). `username_pattern` is a
 * Python regular expression applied with `re.match`, i.e. anchored at the start only; the few Python-only
 * spellings an admin is likely to copy are translated, anything else must already be valid in JavaScript.
 */
export function compileUsernamePattern(pattern: string): RegExp | null {
  if (pattern === '') return null;
  let source = pattern;
  let flags = 'u';
  const inline = /^\(\?([aiLmsux]+)\)/.exec(source);
  if (inline) {
    source = source.slice(inline[0].length);
    if (inline[1]?.includes('i')) flags += 'i';
    if (inline[1]?.includes('s')) flags += 's';
    if (inline[1]?.includes('m')) flags += 'm';
  }
  source = source.replaceAll('(?P<', '(?<').replace(/\(\?P=(\w+)\)/g, '\\k<$1>').replaceAll('\\Z', '$(?![\\s\\S])').replaceAll('\\A', '^');
  try {
    return new RegExp(`^(?:${source})`, flags);
  } catch (err) {
    throw new HubError('CONFIG_INVALID', `Authenticator.username_pattern is not a valid regular expression: ${err instanceof Error ? err.message : String(err)}`, {
      hint: `Fix the pattern ${JSON.stringify(pattern)} in the config, e.g. '^[a-z][a-z0-9_-]*$'`,
    });
  }
}

/** Lower-case, then map through username_map. */
export function normalizeUsername(name: string, usernameMap: Readonly<Record<string, string>>): string {
  const lower = name.toLowerCase();
  return Object.hasOwn(usernameMap, lower) ? (usernameMap[lower] ?? lower) : lower;
}

/**
 * `.` and `..` are path segments every browser and URL parser resolves away: `/user/../` is `/`. JupyterHub 3.0
 * accepts them as names, and such a user's URLs can never reach their server; worse, a proxy or client that
 * resolves the segment turns that user's route into the hub's own (`/`) or everybody's (`/user/`). hub refuses
 * them as user and server names (a deliberate difference).
 */
export function isDotSegment(name: string): boolean {
  return name === '.' || name === '..';
}

/**
 * Control characters (C0, DEL): a name is written into every log line about its user, and `ann\n[I ...] ...` would
 * forge whole lines. JupyterHub 3.0 accepts them; hub refuses them, as it does in server names.
 */
export function hasControlCharacter(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/** No '/', not `.` or `..`, no control characters, not empty, no surrounding white space, and (if configured) matching username_pattern. */
export function validateUsername(name: string, regex: RegExp | null): boolean {
  if (name === '' || name.includes('/') || isDotSegment(name) || hasControlCharacter(name)) return false;
  if (name !== name.trim()) return false;
  return regex === null || regex.test(name);
}
