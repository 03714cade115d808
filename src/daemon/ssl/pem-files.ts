/**
 * Files of the certificate store. A key is created with mode 0600 from its first byte (never written wide
 * and narrowed afterwards) and every file appears by rename, so a hub reading the store while
 * `hub generate-certs` runs sees the old file or the new one, never half of one.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { HubError, errnoCode } from '../../lib/errors.js';

export const KEY_MODE = 0o600;
export const CERT_MODE = 0o644;
export const DIR_MODE = 0o700;

/** Creates the directory (and parents) and makes it 0700, also when JupyterHub's Certipy left it 0755. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: DIR_MODE });
    await chmod(dir, DIR_MODE);
  } catch (err) {
    throw ioError(`cannot create the certificate directory ${dir}`, err, dir);
  }
}

export async function writeFileAtomic(file: string, content: string, mode: number): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, content, { mode, flag: 'wx' });
    // The umask may have taken bits away from a certificate; the mode is part of the store's contract.
    await chmod(tmp, mode);
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw ioError(`cannot write ${file}`, err, path.dirname(file));
  }
}

/** The file's text, or undefined when it does not exist; other failures are errors that name the file. */
export async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw ioError(`cannot read ${file}`, err, file);
  }
}

export function ioError(what: string, err: unknown, where: string): HubError {
  const code = errnoCode(err);
  const hint =
    code === 'EACCES' || code === 'EPERM' ? `run as the user that owns ${where}, or fix its ownership`
    : code === 'ENOSPC' ? 'the disk is full'
    : code === 'EROFS' ? `${where} is on a read-only file system; set JupyterHub.internal_certs_location to a writable directory`
    : undefined;
  return new HubError('IO_ERROR', `${what}: ${code ?? (err instanceof Error ? err.message : String(err))}`, { hint, cause: err });
}
