import path from 'node:path';

/**
 * Where the daemon keeps its run-time files. The control socket lives in a private directory (0700) beside
 * the database, so that two hubs with two databases never share a socket and one hub is found from its
 * config alone. Unix socket paths are limited to 107 bytes; we check that early with a clear error.
 */
export const SOCKET_ENV = 'HUB_SOCKET';
export const RUN_DIR_NAME = '.hub';
export const SOCKET_NAME = 'hub.sock';
export const MAX_SOCKET_PATH = 107;

/** The directory of the SQLite file, or cwd for memory and PostgreSQL databases. */
export function stateDirFor(dbUrl: string, cwd: string): string {
  const m = /^sqlite:\/\/\/(.+)$/.exec(dbUrl);
  if (!m?.[1] || m[1] === ':memory:') return cwd;
  const file = m[1].startsWith('/') ? m[1] : path.resolve(cwd, m[1]);
  return path.dirname(file);
}

export interface SocketChoice {
  path: string;
  source: 'flag' | 'env' | 'config' | 'default';
}

export function resolveSocketPath(opts: {
  flag?: string | undefined;
  env?: NodeJS.ProcessEnv;
  configured?: string | undefined;
  dbUrl: string;
  cwd: string;
}): SocketChoice {
  const env = opts.env ?? process.env;
  if (opts.flag) return { path: path.resolve(opts.cwd, opts.flag), source: 'flag' };
  const fromEnv = env[SOCKET_ENV];
  if (fromEnv) return { path: path.resolve(opts.cwd, fromEnv), source: 'env' };
  if (opts.configured) return { path: path.resolve(opts.cwd, opts.configured), source: 'config' };
  return { path: path.join(stateDirFor(opts.dbUrl, opts.cwd), RUN_DIR_NAME, SOCKET_NAME), source: 'default' };
}
