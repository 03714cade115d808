/**
 * Writing `~/.jupyterhub/jupyterhub-certs/` (LocalProcessSpawner.move_certs). This runs as the user who
 * will own the files, never as root on the user's behalf: the user controls `~/.jupyterhub`, and a root
 * process following paths there could be pointed by a symlink at any file of the system.
 */
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const HUB_DIR = '.jupyterhub';
export const CERTS_DIR = 'jupyterhub-certs';

export interface CertFileToWrite {
  /** A plain file name, no directories. */
  name: string;
  content: string;
  mode: number;
}

export interface CertDirRequest {
  home: string;
  files: CertFileToWrite[];
}

function isCertFile(value: unknown): value is CertFileToWrite {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.name === 'string' && path.basename(v.name) === v.name && v.name !== '..' && typeof v.content === 'string' && typeof v.mode === 'number';
}

export function isCertDirRequest(value: unknown): value is CertDirRequest {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.home === 'string' && path.isAbsolute(v.home) && Array.isArray(v.files) && v.files.every(isCertFile);
}

/** Replaces the directory with exactly these files (JupyterHub removes it first too); returns its path. */
export async function writeCertDir(req: CertDirRequest): Promise<string> {
  const hubDir = path.join(req.home, HUB_DIR);
  const dir = path.join(hubDir, CERTS_DIR);
  await mkdir(hubDir, { recursive: true, mode: 0o700 });
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { mode: 0o700 });
  await chmod(dir, 0o700);
  for (const f of req.files) {
    const file = path.join(dir, f.name);
    await writeFile(file, f.content, { mode: f.mode, flag: 'wx' });
    await chmod(file, f.mode);
  }
  return dir;
}
