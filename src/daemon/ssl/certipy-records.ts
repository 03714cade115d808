/**
 * `certipy.json`, Certipy's index of the store, in the exact shape JupyterHub 3.0 writes it (4-space JSON,
 * paths as `<internal_certs_location>/<name>/<name>.key`, relative when the location is), so JupyterHub can
 * take over a store we made and we can take over one it made.
 */
import { HubError } from '../../lib/errors.js';

export const STORE_FILE = 'certipy.json';

export interface CertipyFiles {
  key?: string;
  cert?: string;
  /** For a leaf: its authority's certificate. For an authority: '' (Certipy), or the admin's CA file. */
  ca?: string;
}

export interface CertipyRecord {
  /** Certipy's overwrite counter (0, +1 per re-issue under the same name), not the certificate's serial. */
  serial: number;
  is_ca: boolean;
  parent_ca: string;
  /** Python Counter of names this authority signed; null until the first one. */
  signees: Record<string, number> | null;
  files: CertipyFiles;
}

export type CertipyStore = Record<string, CertipyRecord>;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function filesOf(value: unknown): CertipyFiles | undefined {
  if (!isObject(value)) return undefined;
  const files: CertipyFiles = {};
  for (const k of ['key', 'cert', 'ca'] as const) {
    const v = value[k];
    if (typeof v === 'string') files[k] = v;
    else if (v !== undefined && v !== null) return undefined;
  }
  return files;
}

function signeesOf(value: unknown): Record<string, number> | null | undefined {
  if (value === null || value === undefined) return null;
  if (!isObject(value)) return undefined;
  const out: Record<string, number> = {};
  for (const [name, n] of Object.entries(value)) {
    if (typeof n !== 'number') return undefined;
    out[name] = n;
  }
  return out;
}

function recordOf(value: unknown): CertipyRecord | undefined {
  if (!isObject(value)) return undefined;
  const files = filesOf(value.files);
  const signees = signeesOf(value.signees);
  if (files === undefined || signees === undefined) return undefined;
  return {
    serial: typeof value.serial === 'number' ? value.serial : 0,
    is_ca: value.is_ca === true,
    parent_ca: typeof value.parent_ca === 'string' ? value.parent_ca : '',
    signees,
    files,
  };
}

export function parseCertipyStore(text: string, file: string): CertipyStore {
  const broken = (why: string): HubError =>
    new HubError('CONFIG_INVALID', `certificate store index ${file} ${why}`, {
      hint: 'restore it from a backup, or set JupyterHub.recreate_internal_certs (every single-user server must then be restarted)',
    });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw broken('is not valid JSON');
  }
  if (!isObject(parsed)) throw broken('is not a JSON object');
  const store: CertipyStore = {};
  for (const [name, raw] of Object.entries(parsed)) {
    const record = recordOf(raw);
    if (record === undefined) throw broken(`has an unreadable record '${name}'`);
    store[name] = record;
  }
  return store;
}

export function serializeCertipyStore(store: CertipyStore): string {
  return JSON.stringify(store, null, 4);
}

/** Certipy's "{prefix}/{cn}/{cn}" naming, with the location spelled as configured. */
export function defaultFiles(location: string, name: string, caCertFile: string): Required<CertipyFiles> {
  const base = `${location.replace(/\/+$/, '')}/${name}/${name}`;
  return { key: `${base}.key`, cert: `${base}.crt`, ca: caCertFile };
}

/** Certipy's add_sign_link: the authority counts the signee, the signee names its authority. */
export function linkSignee(store: CertipyStore, caName: string, signee: string): void {
  const ca = store[caName];
  const leaf = store[signee];
  if (ca === undefined || leaf === undefined) return;
  const signees = ca.signees ?? {};
  if (!(signee in signees)) signees[signee] = 1;
  ca.signees = signees;
  leaf.parent_ca = caName;
}
