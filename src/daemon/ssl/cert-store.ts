/**
 * The certificate store under JupyterHub.internal_certs_location, laid out as Certipy lays it out:
 *   <location>/certipy.json              index (certipy-records.ts)
 *   <location>/<name>/<name>.key|.crt    one directory per authority or certificate; keys 0600, dirs 0700
 *   <location>/<ca>_trust.crt            trust bundles
 * Writes are serialised by `exclusive`: spawns issue certificates concurrently and all of them update the
 * one index file.
 */
import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { HubError } from '../../lib/errors.js';
import { AUTHORITY_NAMES, trustBundleFileName } from './authorities.js';
import { STORE_FILE, defaultFiles, linkSignee, parseCertipyStore, serializeCertipyStore, type CertipyFiles, type CertipyRecord, type CertipyStore } from './certipy-records.js';
import { CERT_MODE, KEY_MODE, ensurePrivateDir, ioError, readIfExists, writeFileAtomic } from './pem-files.js';

export interface PemPair {
  keyPem: string;
  certPem: string;
}

/** A record name becomes a directory name, and recreate deletes that directory: it must stay inside. */
export function assertSafeName(name: string): void {
  if (name === '' || name === '.' || name === '..' || /[/\\\0]/.test(name)) {
    throw new HubError('CONFIG_INVALID', `'${name}' cannot name a certificate: it would not stay inside the certificate store`);
  }
}

export class CertStore {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    /** As configured (possibly relative): the prefix Certipy writes into the index. */
    readonly location: string,
    /** Absolute. */
    readonly dir: string,
    private readonly cwd: string,
    private readonly records: CertipyStore,
  ) {}

  static async open(opts: { location: string; cwd: string; recreate: boolean }): Promise<CertStore> {
    if (opts.location.trim() === '') {
      throw new HubError('CONFIG_INVALID', 'JupyterHub.internal_certs_location is empty', { hint: "set it to a directory, e.g. 'internal-ssl' (the default)" });
    }
    const dir = path.resolve(opts.cwd, opts.location);
    if (opts.recreate) await clearStore(dir, opts.cwd);
    await ensurePrivateDir(dir);
    const indexFile = path.join(dir, STORE_FILE);
    const text = await readIfExists(indexFile);
    const records = text === undefined ? {} : parseCertipyStore(text, indexFile);
    return new CertStore(opts.location, dir, opts.cwd, records);
  }

  /** Runs `fn` after every earlier exclusive call has finished (successfully or not). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Index paths are relative to the hub's working directory when the location is, as in Python. */
  abs(file: string): string {
    return path.resolve(this.cwd, file);
  }

  record(name: string): CertipyRecord | undefined {
    return this.records[name];
  }

  defaultFiles(name: string, caCertFile = ''): Required<CertipyFiles> {
    return defaultFiles(this.location, name, caCertFile);
  }

  /** The key and certificate a record names, when both files are there. */
  async readPair(name: string): Promise<PemPair | undefined> {
    const files = this.records[name]?.files;
    if (files?.key === undefined || files.cert === undefined || files.key === '' || files.cert === '') return undefined;
    const [keyPem, certPem] = await Promise.all([readIfExists(this.abs(files.key)), readIfExists(this.abs(files.cert))]);
    return keyPem === undefined || certPem === undefined ? undefined : { keyPem, certPem };
  }

  /**
   * Writes a pair at Certipy's place for `name` and records it; a name issued before keeps its record and
   * counts one more issue, as Certipy's add_files(overwrite=True).
   */
  async writePair(name: string, pair: PemPair, meta: { isCa: boolean; parentCa: string }): Promise<Required<CertipyFiles>> {
    assertSafeName(name);
    const caCert = meta.parentCa === '' ? '' : (this.records[meta.parentCa]?.files.cert ?? '');
    const files = this.defaultFiles(name, caCert);
    await ensurePrivateDir(path.dirname(this.abs(files.key)));
    await writeFileAtomic(this.abs(files.key), pair.keyPem, KEY_MODE);
    await writeFileAtomic(this.abs(files.cert), pair.certPem, CERT_MODE);
    const previous = this.records[name];
    this.records[name] = {
      serial: previous === undefined ? 0 : previous.serial + 1,
      is_ca: meta.isCa,
      parent_ca: meta.parentCa,
      signees: previous?.signees ?? null,
      files,
    };
    if (meta.parentCa !== '') linkSignee(this.records, meta.parentCa, name);
    await this.save();
    return files;
  }

  /** Certipy's add_record(overwrite=True) for an admin's authority: the admin's paths, no signees. */
  async recordExternal(name: string, files: CertipyFiles): Promise<void> {
    this.records[name] = { serial: 0, is_ca: true, parent_ca: '', signees: null, files: { ca: '', ...files } };
    await this.save();
  }

  /** Writes `<ca>_trust.crt` when its content changed; true when it did. */
  async writeTrustBundle(fileName: string, pems: string[]): Promise<{ file: string; changed: boolean }> {
    const file = path.join(this.dir, fileName);
    const content = pems.map((p) => (p.endsWith('\n') ? p : `${p}\n`)).join('');
    if ((await readIfExists(file)) === content) return { file, changed: false };
    await writeFileAtomic(file, content, CERT_MODE);
    return { file, changed: true };
  }

  private async save(): Promise<void> {
    await writeFileAtomic(path.join(this.dir, STORE_FILE), serializeCertipyStore(this.records), CERT_MODE);
  }
}

/**
 * recreate_internal_certs. Certipy deletes the whole directory; we delete what the store consists of (the
 * index, the directories of its records, the trust bundles), so a location pointed at a directory that also
 * holds other files, or an admin's authority files recorded in the index, never loses them.
 */
async function clearStore(dir: string, cwd: string): Promise<void> {
  const indexFile = path.join(dir, STORE_FILE);
  const text = await readIfExists(indexFile);
  const records = text === undefined ? {} : parseCertipyStore(text, indexFile);
  const names = new Set<string>(Object.keys(records));
  try {
    if (!(await stat(dir)).isDirectory()) return;
    for (const entry of await readdir(dir)) if (AUTHORITY_NAMES.some((ca) => entry === trustBundleFileName(ca))) names.add(entry);
  } catch {
    return; // nothing there yet
  }
  const keep = adminFilesInside(dir, cwd, records);
  for (const name of names) {
    const target = path.join(dir, name);
    if (name === '' || name === '.' || name === '..' || /[/\\\0]/.test(name) || keep.some((f) => f.startsWith(`${target}${path.sep}`))) continue;
    try {
      await rm(target, { recursive: true, force: true });
    } catch (err) {
      throw ioError(`cannot remove ${target} (recreate_internal_certs)`, err, dir);
    }
  }
  await rm(indexFile, { force: true });
}

/** Files of records that do not follow Certipy's naming: an admin's, wherever they are; never deleted. */
function adminFilesInside(dir: string, cwd: string, records: CertipyStore): string[] {
  const out: string[] = [];
  for (const [name, record] of Object.entries(records)) {
    // A leaf's `ca` is its authority's certificate, which that authority's own record accounts for.
    const files = record.is_ca ? [record.files.key, record.files.cert, record.files.ca] : [record.files.key, record.files.cert];
    for (const file of files) {
      if (file === undefined || file === '') continue;
      const abs = path.resolve(cwd, file);
      const own = abs === path.join(dir, name, path.basename(abs)) && path.basename(abs).startsWith(`${name}.`);
      if (!own) out.push(abs);
    }
  }
  return out;
}
