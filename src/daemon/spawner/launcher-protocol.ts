/** Messages between the hub's main thread and its launcher threads (launcher.ts, launcher-worker.ts). */
export interface LaunchRequest {
  file: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  /** Created (0600) and truncated; the server's stdout and stderr. */
  logFile: string;
  /** Created first (mode 0700, with parents) if given: SimpleLocalProcessSpawner's home directory. */
  mkdir?: string;
  /** The server's umask (LocalProcessSpawner.popen_kwargs.umask); the launcher's own otherwise. */
  umask?: number;
}

export type LaunchMessage = LaunchRequest & { id: number };

export type FromLauncher =
  | { kind: 'spawned'; id: number; pid: number }
  | { kind: 'failed'; id: number; message: string }
  | { kind: 'exit'; pid: number; code: number };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isStringRecord(v: unknown): v is Record<string, string> {
  return isRecord(v) && Object.values(v).every((x) => typeof x === 'string');
}

export function isLaunchMessage(m: unknown): m is LaunchMessage {
  return isRecord(m) && typeof m.id === 'number' && typeof m.file === 'string' && Array.isArray(m.args) && m.args.every((a) => typeof a === 'string') &&
    typeof m.cwd === 'string' && isStringRecord(m.env) && typeof m.logFile === 'string' && (m.mkdir === undefined || typeof m.mkdir === 'string') &&
    (m.umask === undefined || typeof m.umask === 'number');
}

export function isFromLauncher(m: unknown): m is FromLauncher {
  if (!isRecord(m)) return false;
  switch (m.kind) {
    case 'spawned': return typeof m.id === 'number' && typeof m.pid === 'number';
    case 'failed': return typeof m.id === 'number' && typeof m.message === 'string';
    case 'exit': return typeof m.pid === 'number' && typeof m.code === 'number';
    default: return false;
  }
}
