/**
 * JupyterHub.external_ssl_authorities: `{<authority>: {key, cert, ca}}` replaces one of the five authorities
 * with the admin's own files (e.g. a proxy managed elsewhere whose certificates come from a company CA).
 * Everything is checked before anything is written: a key that is not the certificate's would otherwise
 * surface much later as a handshake failure between two components nobody suspects.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { HubError, errnoCode } from '../../lib/errors.js';
import { AUTHORITY_NAMES, isAuthorityName, type AuthorityName } from './authorities.js';
import { parseCert, parseKey } from './cert-checks.js';

export interface ExternalAuthority {
  name: AuthorityName;
  /** As the admin wrote them (recorded so in certipy.json, as JupyterHub does). */
  files: { cert: string; key?: string; ca?: string };
  certPem: string;
  /** Without a key the authority can be trusted but cannot sign. */
  keyPem?: string;
}

const FILE_KEYS = ['key', 'cert', 'ca'] as const;

function invalid(message: string, hint: string): HubError {
  return new HubError('CONFIG_INVALID', message, { hint });
}

async function readAdminFile(label: string, file: string, cwd: string): Promise<string> {
  try {
    return await readFile(path.resolve(cwd, file), 'utf8');
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT') throw invalid(`${label}: ${file} does not exist`, `fix the path in JupyterHub.${label}`);
    if (code === 'EACCES') throw invalid(`${label}: ${file} is not readable by this user`, `let the hub's user read it (chown/chmod ${file})`);
    throw invalid(`${label}: cannot read ${file}: ${code ?? String(err)}`, `fix JupyterHub.${label}`);
  }
}

function filesOf(name: string, raw: Record<string, string>): ExternalAuthority['files'] {
  const where = `external_ssl_authorities['${name}']`;
  for (const k of Object.keys(raw)) {
    if (!(FILE_KEYS as readonly string[]).includes(k)) throw invalid(`${where} has an unknown entry '${k}'`, 'the entries are key, cert and ca');
  }
  const { cert, key, ca } = raw;
  if (cert === undefined || cert === '') throw invalid(`${where} names no cert`, `give at least {cert: /path/to/${name}.crt}`);
  return { cert, ...(key ? { key } : {}), ...(ca ? { ca } : {}) };
}

async function checkOne(name: string, raw: Record<string, string>, cwd: string): Promise<ExternalAuthority> {
  if (!isAuthorityName(name)) {
    throw invalid(`external_ssl_authorities names an unknown authority '${name}'`, `the authorities are ${AUTHORITY_NAMES.join(', ')}`);
  }
  const files = filesOf(name, raw);
  const where = `external_ssl_authorities['${name}']`;
  const certPem = await readAdminFile(`${where}.cert`, files.cert, cwd);
  const cert = parseCert(certPem);
  if (cert === undefined) throw invalid(`${where}.cert: ${files.cert} is not a PEM certificate`, 'give the PEM file (-----BEGIN CERTIFICATE-----)');
  if (files.ca !== undefined && parseCert(await readAdminFile(`${where}.ca`, files.ca, cwd)) === undefined) {
    throw invalid(`${where}.ca: ${files.ca} is not a PEM certificate`, 'give the PEM file of the authority that issued the cert');
  }
  if (files.key === undefined) return { name, files, certPem };
  const keyPem = await readAdminFile(`${where}.key`, files.key, cwd);
  const key = parseKey(keyPem);
  if (key === undefined) throw invalid(`${where}.key: ${files.key} is not an unencrypted PEM private key`, 'decrypt it (openssl pkey -in KEY -out KEY.plain) or give the right file');
  if (!cert.checkPrivateKey(key)) {
    throw invalid(`${where}: certificate ${files.cert} does not match key ${files.key}`, 'give the key the certificate was issued for (compare `openssl x509 -noout -pubkey` with `openssl pkey -pubout`)');
  }
  // With a key the authority is meant to sign the hub's components; a CA:FALSE certificate cannot.
  if (!cert.ca) throw invalid(`${where}.cert: ${files.cert} is not an authority certificate (CA:FALSE), so it cannot sign`, 'give the CA certificate and its key, or leave out the key to only trust it');
  return { name, files, certPem, keyPem };
}

export async function checkExternalAuthorities(raw: Record<string, Record<string, string>>, cwd: string): Promise<Map<AuthorityName, ExternalAuthority>> {
  const out = new Map<AuthorityName, ExternalAuthority>();
  for (const [name, files] of Object.entries(raw)) {
    const checked = await checkOne(name, files, cwd);
    out.set(checked.name, checked);
  }
  return out;
}
