/**
 * TLS material of the proxy, loaded and checked before anything listens, with errors that name the file,
 * the flag and the fix:
 *   public listener  --ssl-key/--ssl-cert            (JupyterHub's ssl_key / ssl_cert)
 *   API listener     --api-ssl-key/-cert/-ca          (internal_ssl: proxy-api cert, proxy-api-ca_trust.crt)
 *   to backends      --client-ssl-key/-cert/-ca       (internal_ssl: proxy-client cert, proxy-client-ca_trust.crt)
 */
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { HubError, errnoCode } from '../../lib/errors.js';
import type { ApiSslConfig, ClientSslConfig } from './proxy-cli.js';

export interface TlsMaterial {
  key: Buffer;
  cert: Buffer;
  passphrase?: string;
}

/** For https.createServer: its own pair, plus whom it accepts client certificates from. */
export interface ApiTlsMaterial extends TlsMaterial {
  ca?: Buffer;
  requestCert: boolean;
  rejectUnauthorized: boolean;
}

/** For the https backend agent (options of tls.connect). */
export interface ClientTlsMaterial {
  key?: Buffer;
  cert?: Buffer;
  ca?: Buffer;
}

type PemKind = 'key' | 'certificate' | 'CA bundle';

function readPem(kind: PemKind, file: string, flag: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    const code = errnoCode(err);
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

/** `createSecureContext` is what rejects a bad PEM or a key that is not the certificate's. */
function checkContext(options: tls.SecureContextOptions, keyFile: string, certFile: string, unusableHint: string): void {
  try {
    tls.createSecureContext(options);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const mismatch = /key values mismatch/i.test(message);
    throw new HubError(
      'CONFIG_INVALID',
      mismatch ? `TLS key ${keyFile} does not belong to certificate ${certFile}` : `TLS key ${keyFile} / certificate ${certFile} unusable: ${message}`,
      { hint: mismatch ? 'give the key the certificate was issued for' : unusableHint, cause: err },
    );
  }
}

function readCa(file: string, flag: string): Buffer {
  const ca = readPem('CA bundle', file, flag);
  if (!ca.includes('-----BEGIN CERTIFICATE-----')) {
    throw new HubError('CONFIG_INVALID', `TLS CA bundle ${file} holds no PEM certificate`, { hint: `point ${flag} at a PEM file of CA certificates` });
  }
  try {
    tls.createSecureContext({ ca });
  } catch (err) {
    throw new HubError('CONFIG_INVALID', `TLS CA bundle ${file} is unusable: ${err instanceof Error ? err.message : String(err)}`, { hint: `point ${flag} at a PEM file of CA certificates`, cause: err });
  }
  return ca;
}

/** The public listener's pair (ssl_key / ssl_cert). */
export function loadTlsMaterial(keyFile: string, certFile: string, passphrase?: string): TlsMaterial {
  const material: TlsMaterial = { key: readPem('key', keyFile, 'ssl_key (--ssl-key)'), cert: readPem('certificate', certFile, 'ssl_cert (--ssl-cert)') };
  if (passphrase !== undefined && passphrase !== '') material.passphrase = passphrase;
  checkContext(material, keyFile, certFile, 'both files must be PEM; an encrypted key needs CONFIGPROXY_SSL_KEY_PASSPHRASE');
  return material;
}

export function loadApiTlsMaterial(cfg: ApiSslConfig, passphrase?: string): ApiTlsMaterial {
  const material: ApiTlsMaterial = {
    key: readPem('key', cfg.key, '--api-ssl-key'),
    cert: readPem('certificate', cfg.cert, '--api-ssl-cert'),
    requestCert: cfg.requestCert,
    rejectUnauthorized: true,
  };
  if (passphrase !== undefined && passphrase !== '') material.passphrase = passphrase;
  if (cfg.ca !== undefined) material.ca = readCa(cfg.ca, '--api-ssl-ca');
  checkContext(material, cfg.key, cfg.cert, 'both files must be PEM; an encrypted key needs CONFIGPROXY_API_SSL_KEY_PASSPHRASE');
  return material;
}

export function loadClientTlsMaterial(cfg: ClientSslConfig): ClientTlsMaterial {
  const material: ClientTlsMaterial = {};
  if (cfg.key !== undefined && cfg.cert !== undefined) {
    material.key = readPem('key', cfg.key, '--client-ssl-key');
    material.cert = readPem('certificate', cfg.cert, '--client-ssl-cert');
    // CHP has no passphrase variable for this key either.
    checkContext({ key: material.key, cert: material.cert }, cfg.key, cfg.cert, 'both files must be PEM, the key unencrypted');
  }
  if (cfg.ca !== undefined) material.ca = readCa(cfg.ca, '--client-ssl-ca');
  return material;
}
