/**
 * Errors that cross a module boundary carry a stable code. A user's mistake also carries a hint naming the
 * exact fix; the CLI prints `message` and `hint` on one or two lines and maps `code` to an exit code here,
 * in the one table the whole program uses.
 */
export const EXIT_CODES = {
  USAGE: 2,
  CONFIG_INVALID: 3,
  CONFIG_NOT_FOUND: 3,
  DB_URL_INVALID: 4,
  DB_SCHEMA_OUTDATED: 5,
  DB_SCHEMA_UNKNOWN: 5,
  DB_ERROR: 4,
  SECRET_INSECURE: 6,
  SECRET_INVALID: 6,
  DAEMON_NOT_RUNNING: 7,
  DAEMON_ALREADY_RUNNING: 8,
  DAEMON_START_FAILED: 9,
  VERSION_MISMATCH: 10,
  CONFIRMATION_REQUIRED: 11,
  ABORTED: 12,
  NOT_FOUND: 13,
  CONFLICT: 14,
  FORBIDDEN: 15,
  API_ERROR: 16,
  IO_ERROR: 17,
  NOT_IMPLEMENTED: 18,
  THROTTLED: 19,
  INTERNAL: 70,
} as const;

export type ErrorCode = keyof typeof EXIT_CODES;

export class HubError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HubError';
    this.code = code;
    this.hint = options.hint;
  }
}

export function isHubError(err: unknown): err is HubError {
  return err instanceof HubError;
}

export function exitCodeFor(err: unknown): number {
  return isHubError(err) ? EXIT_CODES[err.code] : EXIT_CODES.INTERNAL;
}

/** Node's system errors (ECONNREFUSED, EACCES, ...) have a string `code`; everything else does not. */
export function errnoCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = (err as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

/** Network errors that are part of normal operation: logged as one line, never with a stack. */
export const EXPECTED_NETWORK_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOENT', 'EHOSTUNREACH']);

export function formatError(err: unknown): string {
  if (isHubError(err)) return err.hint ? `${err.message}\n  ${err.hint}` : err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
