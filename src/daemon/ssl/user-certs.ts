/**
 * LocalProcessSpawner.move_certs: a spawn's key and certificate leave the hub's store for
 * `<home>/.jupyterhub/jupyterhub-certs/`, with a copy of the trust bundle, owned by the user, directory 0700,
 * so the server can read them and no other user can. When the hub runs as root the files are written by a
 * child running as the user (cert-install-child.ts); a hub running as that user writes them itself.
 */
import { spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HubError } from '../../lib/errors.js';
import type { TlsFiles } from './internal-ssl.js';
import { CERT_MODE, KEY_MODE, ioError } from './pem-files.js';
import { writeCertDir, type CertDirRequest } from './user-cert-dir.js';

export interface CertOwner {
  uid: number;
  gid: number;
  /** The user's home directory (pwd's pw_dir). */
  home: string;
  /** For messages only. */
  name?: string;
}

const CHILD = fileURLToPath(new URL('./cert-install-child.js', import.meta.url));
const CHILD_TIMEOUT_MS = 30_000;

function runAsUser(owner: CertOwner, request: CertDirRequest): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD], {
      uid: owner.uid,
      gid: owner.gid,
      cwd: '/',
      env: { HOME: owner.home, PATH: process.env.PATH ?? '/usr/bin:/bin' },
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: CHILD_TIMEOUT_MS,
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new Error(err.trim() || `exited with code ${String(code)}`));
        return;
      }
      try {
        const parsed: unknown = JSON.parse(out);
        const dir = typeof parsed === 'object' && parsed !== null ? (parsed as { dir?: unknown }).dir : undefined;
        if (typeof dir === 'string') resolve(dir);
        else reject(new Error(`unexpected answer: ${out.slice(0, 100)}`));
      } catch {
        reject(new Error(`unexpected answer: ${out.slice(0, 100)}`));
      }
    });
    child.stdin.end(JSON.stringify(request));
  });
}

async function readForMove(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw ioError(`cannot read ${file} to hand it to the server's user`, err, file);
  }
}

export async function installUserCerts(paths: TlsFiles, owner: CertOwner): Promise<TlsFiles> {
  const [key, cert, ca] = await Promise.all([readForMove(paths.keyfile), readForMove(paths.certfile), readForMove(paths.cafile)]);
  const names = { key: path.basename(paths.keyfile), cert: path.basename(paths.certfile), ca: path.basename(paths.cafile) };
  const request: CertDirRequest = {
    home: owner.home,
    files: [
      { name: names.key, content: key, mode: KEY_MODE },
      { name: names.cert, content: cert, mode: CERT_MODE },
      { name: names.ca, content: ca, mode: CERT_MODE },
    ],
  };
  let dir: string;
  try {
    dir = process.getuid?.() === owner.uid ? await writeCertDir(request) : await runAsUser(owner, request);
  } catch (err) {
    const who = owner.name ?? `uid ${owner.uid}`;
    throw new HubError('IO_ERROR', `cannot place the server's certificates in ${path.join(owner.home, '.jupyterhub', 'jupyterhub-certs')} as ${who}: ${err instanceof Error ? err.message : String(err)}`, {
      hint: `the home directory ${owner.home} must exist and be writable by ${who}`,
      cause: err,
    });
  }
  // A move, as in JupyterHub: the key exists in one place only; the trust bundle stays for the next spawn.
  await Promise.all([rm(paths.keyfile, { force: true }), rm(paths.certfile, { force: true })]);
  return { keyfile: path.join(dir, names.key), certfile: path.join(dir, names.cert), cafile: path.join(dir, names.ca) };
}
