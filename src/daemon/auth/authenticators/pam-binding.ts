import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The native PAM addon (native/pam, built by node-gyp against the system's libpam). Loaded on first use, so a
 * hub that never uses PAM (the dummy authenticator, the CLI) starts without it. Every PAM call returns a
 * promise and runs on libuv's thread pool; the account look-ups are synchronous, like Python's pwd/grp.
 */
export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  dir: string;
  shell: string;
}

export interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

/** A rejected PAM call: `message` is `<pam function>: <pam_strerror>`. */
export interface PamFailure extends Error {
  pamStatus: number;
  pamStage: string;
}

export interface PamBinding {
  authenticate(service: Buffer, user: Buffer, password: Buffer, checkAccount: boolean): Promise<void>;
  openSession(service: Buffer, user: Buffer): Promise<void>;
  closeSession(service: Buffer, user: Buffer): Promise<void>;
  getpwnam(name: string): PasswdEntry | null;
  getgrnam(name: string): GroupEntry | null;
  getgrouplist(name: string, gid: number): number[];
}

export const PAM_BUILD_HINT = 'Build it with `node native/pam/build.mjs` (needs libpam0g-dev and a C compiler).';

let cached: { binding: PamBinding } | { error: Error } | undefined;

function addonPath(): string | null {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const candidate = path.join(dir, 'native', 'pam', 'build', 'Release', 'hub_pam.node');
    if (existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return null;
}

function isBinding(value: unknown): value is PamBinding {
  if (typeof value !== 'object' || value === null) return false;
  const names = ['authenticate', 'openSession', 'closeSession', 'getpwnam', 'getgrnam', 'getgrouplist'];
  return names.every((n) => typeof (value as Record<string, unknown>)[n] === 'function');
}

/** The addon, or the reason it cannot be loaded. */
export function loadPamBinding(): { binding: PamBinding } | { error: Error } {
  if (cached !== undefined) return cached;
  const file = addonPath();
  if (file === null) {
    cached = { error: new Error(`the PAM addon native/pam/build/Release/hub_pam.node is not built. ${PAM_BUILD_HINT}`) };
    return cached;
  }
  try {
    const loaded: unknown = createRequire(import.meta.url)(file);
    cached = isBinding(loaded) ? { binding: loaded } : { error: new Error(`${file} is not hub's PAM addon`) };
  } catch (err) {
    cached = { error: new Error(`cannot load ${file}: ${err instanceof Error ? err.message : String(err)}. ${PAM_BUILD_HINT}`) };
  }
  return cached;
}

export function isPamFailure(err: unknown): err is PamFailure {
  return err instanceof Error && typeof (err as Partial<PamFailure>).pamStatus === 'number';
}
