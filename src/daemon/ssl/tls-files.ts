/**
 * The contents of a TlsFiles triple, for Node's TLS options (`https.Agent`, `https.createServer`,
 * ChpClient's {key, cert, ca}). Read once at start: a server holds its identity in memory, as tornado does.
 */
import { readFile } from 'node:fs/promises';
import { ioError } from './pem-files.js';
import type { TlsFiles } from './internal-ssl.js';

export interface TlsMaterialPem {
  key: Buffer;
  cert: Buffer;
  ca: Buffer;
}

async function read(file: string, what: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    throw ioError(`cannot read the internal_ssl ${what} ${file}`, err, file);
  }
}

export async function readTlsFiles(files: TlsFiles): Promise<TlsMaterialPem> {
  const [key, cert, ca] = await Promise.all([read(files.keyfile, 'key'), read(files.certfile, 'certificate'), read(files.cafile, 'trust bundle')]);
  return { key, cert, ca };
}
