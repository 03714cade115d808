import { randomBytes } from 'node:crypto';
import { promises as fs, constants as fsc } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HubError, errnoCode } from '../../lib/errors.js';
import type { Logger } from '../../lib/log.js';

/**
 * The cookie secret, in JupyterHub's order: config `cookie_secret`, then env JPY_COOKIE_SECRET (hex), then
 * `cookie_secret_file`; if none, 32 new random bytes are written to the file with mode 0600. A file that others
 * can read or write is refused, as JupyterHub refuses it. The secret itself is never logged.
 */
export const COOKIE_SECRET_BYTES = 32;
export const COOKIE_SECRET_ENV = 'JPY_COOKIE_SECRET';

export interface CookieSecret {
  secret: Buffer;
  from: 'config' | 'env' | 'file' | 'new';
}

const HEX = /^([0-9a-fA-F]{2})+$/;

function decodeHex(text: string, where: string): Buffer {
  const t = text.trim();
  if (!HEX.test(t)) {
    throw new HubError('SECRET_INVALID', `${where} is not a hex string`, {
      hint: `Write 64 hex digits there, for example the output of: openssl rand -hex ${COOKIE_SECRET_BYTES}`,
    });
  }
  return Buffer.from(t, 'hex');
}

export async function loadCookieSecret(opts: {
  configured: string;
  file: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  log: Logger;
}): Promise<CookieSecret> {
  if (opts.configured) {
    const secret = decodeHex(opts.configured, 'JupyterHub.cookie_secret');
    // app.py _cookie_secret_check: only a longer secret is warned about (a shorter one is the admin's choice).
    if (secret.length > COOKIE_SECRET_BYTES) opts.log.warn(`Cookie secret is ${secret.length} bytes.  It should be ${COOKIE_SECRET_BYTES}.`);
    return { secret, from: 'config' };
  }
  const fromEnv = opts.env[COOKIE_SECRET_ENV];
  if (fromEnv) {
    opts.log.info(`Loading cookie_secret from env[${COOKIE_SECRET_ENV}]`);
    return { secret: decodeHex(fromEnv, COOKIE_SECRET_ENV), from: 'env' };
  }
  if (!opts.file) {
    // No file configured: a fresh secret per start (logins do not survive restarts). Deliberately different:
    // JupyterHub 3.0 turns '' into the working directory (abspath('')) and refuses to start on it.
    return { secret: randomBytes(COOKIE_SECRET_BYTES), from: 'new' };
  }
  const file = path.resolve(opts.cwd, expandUser(opts.file, opts.env));
  const existing = await readSecretFile(file, opts.log);
  if (existing) return { secret: existing, from: 'file' };
  const secret = randomBytes(COOKIE_SECRET_BYTES);
  opts.log.info(`Writing cookie_secret to ${file}`);
  try {
    // 'wx' + 0600 at creation: no moment in which the file exists with wider permissions.
    await fs.writeFile(file, secret.toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
  } catch (err) {
    throw new HubError('IO_ERROR', `cannot write cookie secret file ${file}: ${errnoCode(err) ?? String(err)}`, {
      hint: `Make ${path.dirname(file)} writable for the hub's user, or set JupyterHub.cookie_secret_file to a writable path.`,
    });
  }
  return { secret, from: 'new' };
}

/** Python's os.path.expanduser for `~` and `~/...` (app.py expands cookie_secret_file): $HOME, else the account's home. */
function expandUser(p: string, env: NodeJS.ProcessEnv): string {
  if (p !== '~' && !p.startsWith('~/')) return p;
  return path.join(env.HOME || os.homedir(), p.slice(1));
}

async function readSecretFile(file: string, log: Logger): Promise<Buffer | null> {
  let st;
  try {
    st = await fs.stat(file);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return null;
    throw new HubError('IO_ERROR', `cannot read cookie secret file ${file}: ${errnoCode(err) ?? String(err)}`);
  }
  if (!st.isFile()) {
    throw new HubError('SECRET_INVALID', `cookie secret file ${file} is not a file`, {
      hint: `Remove ${file} and hub writes a new secret there, or set JupyterHub.cookie_secret_file to the file that holds it.`,
    });
  }
  if (st.mode & 0o007) {
    throw new HubError('SECRET_INSECURE', `cookie secret file ${file} can be read or written by anybody; refusing to start`, {
      hint: `chmod 600 ${file}`,
    });
  }
  await fs.access(file, fsc.R_OK).catch(() => {
    throw new HubError('IO_ERROR', `cannot read cookie secret file ${file}`, { hint: `Check the owner of ${file}.` });
  });
  log.info(`Loading cookie_secret from ${file}`);
  const text = (await fs.readFile(file, 'utf8')).trim();
  if (HEX.test(text)) return Buffer.from(text, 'hex');
  // Pre-0.8 JupyterHub wrote base64; accept it as JupyterHub does, with its warning.
  const b64 = Buffer.from(text, 'base64');
  if (b64.length === 0) throw new HubError('SECRET_INVALID', `cookie secret file ${file} is empty or not hex`, { hint: `Delete ${file} and hub writes a new one.` });
  log.warn(`Cookie secret in ${file} is base64; consider regenerating it as hex (delete the file and restart).`);
  return b64;
}
