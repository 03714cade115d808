/**
 * One authority or one component certificate of the store: reused when it is still good, made when missing,
 * replaced when not (cert-checks.ts says why), or taken from the admin (external_ssl_authorities).
 */
import type { AuthorityName } from './authorities.js';
import { createKeyAndCert, type Issuer } from './cert-builder.js';
import { reuseProblem } from './cert-checks.js';
import type { CertStore, PemPair } from './cert-store.js';
import type { ExternalAuthority } from './external-authorities.js';
import type { CertReportEntry } from './ssl-report.js';

/** An authority as loaded: its certificate always, its key unless it is an admin's without one. */
export interface AuthorityMaterial {
  name: AuthorityName;
  certPem: string;
  keyPem?: string;
}

function atDefaultPlace(store: CertStore, name: string): boolean {
  const files = store.record(name)?.files;
  const wanted = store.defaultFiles(name);
  return files !== undefined && files.key !== undefined && files.cert !== undefined && store.abs(files.key) === store.abs(wanted.key) && store.abs(files.cert) === store.abs(wanted.cert);
}

/** Why the stored pair cannot serve, or undefined with the pair when it can. */
async function existing(store: CertStore, name: string, check: (p: PemPair) => string | undefined): Promise<{ pair?: PemPair; problem?: string }> {
  if (store.record(name) === undefined) return {};
  const pair = await store.readPair(name);
  if (pair === undefined) return { problem: 'its files are missing' };
  const problem = check(pair);
  return problem === undefined ? { pair } : { problem };
}

function entryFor(store: CertStore, name: string, kind: CertReportEntry['kind'], action: CertReportEntry['action']): CertReportEntry {
  const files = store.record(name)?.files ?? {};
  const abs = (f: string | undefined): string | undefined => (f === undefined || f === '' ? undefined : store.abs(f));
  return { name, kind, action, files: { key: abs(files.key), cert: abs(files.cert), ca: abs(files.ca) } };
}

export async function ensureAuthority(store: CertStore, name: AuthorityName, external: ExternalAuthority | undefined): Promise<{ entry: CertReportEntry; material: AuthorityMaterial }> {
  if (external !== undefined) {
    await store.recordExternal(name, external.files);
    const entry = entryFor(store, name, 'authority', 'external');
    return { entry, material: { name, certPem: external.certPem, keyPem: external.keyPem } };
  }
  // An authority recorded elsewhere was an admin's that the config no longer names: make our own again.
  const found = atDefaultPlace(store, name) ? await existing(store, name, (p) => reuseProblem({ ...p, isCa: true })) : store.record(name) ? { problem: 'it is no longer external' } : {};
  if (found.pair !== undefined) return { entry: entryFor(store, name, 'authority', 'reused'), material: { name, ...found.pair } };
  const pair = await createKeyAndCert({ commonName: name, altNames: [], isCa: true });
  await store.writePair(name, pair, { isCa: true, parentCa: '' });
  const entry = entryFor(store, name, 'authority', found.problem === undefined ? 'created' : 'replaced');
  if (found.problem !== undefined) entry.reason = found.problem;
  return { entry, material: { name, ...pair } };
}

export interface LeafSpec {
  name: string;
  issuer: AuthorityMaterial;
  altNames: string[];
}

export async function ensureLeaf(store: CertStore, spec: LeafSpec): Promise<CertReportEntry> {
  const found = await existing(store, spec.name, (p) => reuseProblem({ ...p, isCa: false, issuerPem: spec.issuer.certPem, altNames: spec.altNames }));
  if (found.pair !== undefined) return { ...entryFor(store, spec.name, 'certificate', 'reused'), altNames: spec.altNames };
  if (spec.issuer.keyPem === undefined) {
    const reason = `${spec.issuer.name} is an external authority without a key, so it cannot sign ${spec.name}`;
    return { name: spec.name, kind: 'certificate', action: 'skipped', files: {}, reason };
  }
  const issuer: Issuer = { certPem: spec.issuer.certPem, keyPem: spec.issuer.keyPem };
  const pair = await createKeyAndCert({ commonName: spec.name, altNames: spec.altNames, isCa: false, issuer });
  await store.writePair(spec.name, pair, { isCa: false, parentCa: spec.issuer.name });
  const entry: CertReportEntry = { ...entryFor(store, spec.name, 'certificate', found.problem === undefined ? 'created' : 'replaced'), altNames: spec.altNames };
  if (found.problem !== undefined) entry.reason = found.problem;
  return entry;
}
