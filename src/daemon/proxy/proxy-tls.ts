/**
 * The public listener's certificate and key (JupyterHub's ssl_cert / ssl_key, CHP's --ssl-cert / --ssl-key).
 * Everything that can be wrong with them is reported before listening, naming the file and the fix.
 */
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { HubError, errnoCode } from '../../lib/errors.js';

export interface TlsMaterial {
  key: Buffer;
  cert: Buffer;
  passphrase?: string;
}

function readPem(kind: 'key' | 'certificate', file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    const code = errnoCode(err);
    const flag = kind === 'key' ? 'ssl_key (--ssl-key)' : 'ssl_cert (--ssl-cert)';
    if (code === 'ENOENT') throw new HubError('CONFIG_INVALID', `TLS ${kind} file ${file} does not exist`, { hint: `fix the path in ${flag}`, cause: err });
    if (code === 'EACCES') {
      throw new HubError('CONFIG_INVALID', `TLS ${kind} file ${file} is not readable by this user`, {
        hint: `let the proxy's user read it (chown/chmod ${file})`,
        cause: err,
      });
    }
    if (code === 'EISDIR') throw new HubError('CONFIG_INVALID', `TLS ${kind} path ${file} is a directory`, { hint: `point ${flag} at the PEM file`, cause: err });
    throw new HubError('IO_ERROR', `cannot read TLS ${kind} file ${file}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

/** Reads and checks the pair; `createSecureContext` is what rejects a bad PEM or a key that is not the cert's. */
export function loadTlsMaterial(keyFile: string, certFile: string, passphrase?: string): TlsMaterial {
  const material: TlsMaterial = { key: readPem('key', keyFile), cert: readPem('certificate', certFile) };
  if (passphrase !== undefined && passphrase !== '') material.passphrase = passphrase;
  try {
    tls.createSecureContext(material);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const mismatch = /key values mismatch/i.test(message);
    throw new HubError(
      'CONFIG_INVALID',
      mismatch ? `TLS key ${keyFile} does not belong to certificate ${certFile}` : `TLS key ${keyFile} / certificate ${certFile} unusable: ${message}`,
      { hint: mismatch ? 'give the key the certificate was issued for' : 'both files must be PEM; an encrypted key needs CONFIGPROXY_SSL_KEY_PASSPHRASE', cause: err },
    );
  }
  return material;
}
