/**
 * Names that reach the database through the API: users (Authenticator.normalize_username/validate_username),
 * groups and servers. JupyterHub's own rules first; then what its database would refuse or mangle, which JupyterHub
 * answers with a 500 and we answer with a 400 naming the problem: names longer than the VARCHAR(255) columns, NUL
 * (PostgreSQL rejects it), and unpaired UTF-16 surrogates (not representable in UTF-8).
 */
import { hasControlCharacter, isDotSegment } from '../../auth/authenticators/username-rules.js';
import { ApiError } from '../http-util.js';

export const MAX_NAME_LENGTH = 255;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export interface UsernameRules {
  /** Authenticator.username_pattern ('' = any). */
  username_pattern: string;
  /** Authenticator.username_map. */
  username_map: Record<string, string>;
}

/** Why a name cannot be stored, or null if it can. */
export function storageProblem(name: string, what: string): string | null {
  if (name.length > MAX_NAME_LENGTH) return `${what} is longer than ${MAX_NAME_LENGTH} characters`;
  if (name.includes('\u0000')) return `${what} contains a NUL character`;
  if (LONE_SURROGATE.test(name)) return `${what} contains an unpaired UTF-16 surrogate`;
  return null;
}

/** Authenticator.normalize_username: lower-case, then username_map. */
export function normalizeUsername(rules: UsernameRules, name: string): string {
  const lower = name.toLowerCase();
  return rules.username_map[lower] ?? lower;
}

const patterns = new Map<string, RegExp | null>();

function usernameRegex(pattern: string): RegExp | null {
  if (!patterns.has(pattern)) {
    let re: RegExp | null = null;
    try {
      // Python's re.match anchors at the start only: the sticky flag does the same.
      re = new RegExp(pattern, 'uy');
    } catch {
      re = null;
    }
    patterns.set(pattern, re);
  }
  return patterns.get(pattern) ?? null;
}

/** Authenticator.validate_username, plus what the database needs (see above). */
export function usernameProblem(rules: UsernameRules, name: string): string | null {
  if (name.includes('/')) return "a username may not contain '/'";
  if (name === '') return 'a username may not be empty';
  if (isDotSegment(name)) return `a username may not be ${JSON.stringify(name)} (browsers resolve it out of /user/${name}/)`;
  if (hasControlCharacter(name)) return `a username may not contain control characters: ${JSON.stringify(name)}`;
  if (name !== name.trim()) return 'a username may not start or end with whitespace';
  const stored = storageProblem(name, 'the username');
  if (stored) return stored;
  if (rules.username_pattern === '') return null;
  const re = usernameRegex(rules.username_pattern);
  if (re === null) return `Authenticator.username_pattern ${JSON.stringify(rules.username_pattern)} is not a valid regular expression`;
  re.lastIndex = 0;
  return re.test(name) ? null : `the username does not match Authenticator.username_pattern ${JSON.stringify(rules.username_pattern)}`;
}

export function isValidUsername(rules: UsernameRules, name: string): boolean {
  return usernameProblem(rules, name) === null;
}

/** Group names: anything JupyterHub accepts that the database can hold, but not empty. */
export function checkGroupName(name: string): void {
  if (name === '') throw new ApiError(400, 'a group name may not be empty');
  const problem = storageProblem(name, `group name ${JSON.stringify(name)}`);
  if (problem) throw new ApiError(400, problem);
}

/** Server names as spawn_single_user checks them (no '/'), plus storage limits. */
export function checkServerName(name: string): void {
  if (name.includes('/')) throw new ApiError(400, `Invalid server_name (may not contain '/'): ${name}`);
  if (isDotSegment(name)) throw new ApiError(400, `Invalid server_name (may not be ${JSON.stringify(name)}, which URLs resolve away)`);
  const problem = storageProblem(name, `server name ${JSON.stringify(name)}`);
  if (problem) throw new ApiError(400, problem);
}
