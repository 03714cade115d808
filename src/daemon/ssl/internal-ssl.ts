/**
 * JupyterHub's init_internal_ssl: the five authorities, their trust bundles and the component certificates
 * (hub-internal, proxy-api, proxy-client) in the store, then per-spawn certificates on demand
 * (Spawner.create_certs). `hub generate-certs` and the hub at start (internal_ssl / generate_certs) share it.
 */
import { HubError } from '../../lib/errors.js';
import { silentLogger, type Logger } from '../../lib/log.js';
import { LOCAL_ALT_NAMES, fullyQualifiedHostName, normalizeAltNames } from './alt-names.js';
import { AUTHORITY_NAMES, COMPONENT_ISSUER, COMPONENT_NAMES, TRUST_TABLE, trustBundleFileName, type AuthorityName } from './authorities.js';
import { ensureAuthority, ensureLeaf, type AuthorityMaterial } from './authority-setup.js';
import { createKeyAndCert } from './cert-builder.js';
import { CertStore, assertSafeName } from './cert-store.js';
import { checkExternalAuthorities } from './external-authorities.js';
import { describeEntry, type CertReportEntry } from './ssl-report.js';

export interface InternalSslOptions {
  /** JupyterHub.internal_certs_location ('internal-ssl'), relative to `cwd` unless absolute. */
  location: string;
  cwd: string;
  /** JupyterHub.trusted_alt_names: `DNS:name` / `IP:addr`. */
  trustedAltNames?: string[];
  /** JupyterHub.recreate_internal_certs. */
  recreate?: boolean;
  /** JupyterHub.external_ssl_authorities. */
  externalAuthorities?: Record<string, Record<string, string>>;
  /** JupyterHub.subdomain_host; its host name joins the component certificates' names. */
  subdomainHost?: string;
  /** Default: the fully qualified host name, as Python's socket.getfqdn(). */
  hostname?: string;
  log?: Logger;
}

/** Paths as JupyterHub passes them around (Spawner.cert_paths, internal_proxy_certs). */
export interface TlsFiles {
  keyfile: string;
  certfile: string;
  /** The trust bundle the holder verifies its peers with. */
  cafile: string;
}

export interface ServerCertRequest {
  /** The user's name: the certificate is `user-<name>`, as JupyterHub names it. */
  name: string;
  /** Spawner.ssl_alt_names (which defaults to trusted_alt_names). */
  altNames?: string[];
  /** Spawner.ssl_alt_names_include_local (default true): DNS:localhost and IP:127.0.0.1 first. */
  includeLocal?: boolean;
  /** Default notebooks-ca; services-ca for managed services if wanted. */
  caName?: AuthorityName;
}

function subdomainAltName(subdomainHost: string | undefined): string[] {
  if (!subdomainHost) return [];
  const host = new URL(subdomainHost.includes('://') ? subdomainHost : `https://${subdomainHost}`).hostname;
  return host ? [`DNS:${host}`] : [];
}

export class InternalSsl {
  private constructor(
    private readonly store: CertStore,
    private readonly authorities: Map<AuthorityName, AuthorityMaterial>,
    /** Absolute path of each `<ca>_trust.crt`. */
    readonly trustBundles: Record<AuthorityName, string>,
    /** hub-internal with hub-ca_trust.crt: the hub's server and client identity. */
    readonly hub: TlsFiles,
    /** For the proxy's --api-ssl-*; undefined when its authority is external without a key. */
    readonly proxyApi: TlsFiles | undefined,
    /** For the proxy's --client-ssl-*; likewise. */
    readonly proxyClient: TlsFiles | undefined,
    readonly report: CertReportEntry[],
  ) {}

  /** Absolute directory of the store. */
  get dir(): string {
    return this.store.dir;
  }

  static async init(opts: InternalSslOptions): Promise<InternalSsl> {
    const log = opts.log ?? silentLogger;
    // Everything the admin wrote is checked before the store is touched.
    const trusted = normalizeAltNames(opts.trustedAltNames ?? []);
    const externals = await checkExternalAuthorities(opts.externalAuthorities ?? {}, opts.cwd);
    const hostname = opts.hostname ?? (await fullyQualifiedHostName());
    const componentNames = normalizeAltNames([...LOCAL_ALT_NAMES, ...subdomainAltName(opts.subdomainHost), `DNS:${hostname}`, ...trusted]);
    const store = await CertStore.open({ location: opts.location, cwd: opts.cwd, recreate: opts.recreate ?? false });
    return store.exclusive(async () => {
      const report: CertReportEntry[] = [];
      const authorities = new Map<AuthorityName, AuthorityMaterial>();
      for (const name of AUTHORITY_NAMES) {
        const { entry, material } = await ensureAuthority(store, name, externals.get(name));
        authorities.set(name, material);
        report.push(entry);
      }
      const bundles = await writeTrustBundles(store, authorities, report);
      const leafFiles = new Map<string, TlsFiles>();
      for (const name of COMPONENT_NAMES) {
        const ca = COMPONENT_ISSUER[name];
        const entry = await ensureLeaf(store, { name, issuer: materialOf(authorities, ca), altNames: componentNames });
        report.push(entry);
        if (entry.files.key !== undefined && entry.files.cert !== undefined) leafFiles.set(name, { keyfile: entry.files.key, certfile: entry.files.cert, cafile: bundles[ca] });
      }
      for (const entry of report) log.info(describeEntry(entry));
      const hub = leafFiles.get('hub-internal');
      if (hub === undefined) {
        throw new HubError('CONFIG_INVALID', 'cannot issue the hub-internal certificate: external_ssl_authorities names hub-ca without a key', {
          hint: "give hub-ca's key too (external_ssl_authorities['hub-ca'].key)",
        });
      }
      return new InternalSsl(store, authorities, bundles, hub, leafFiles.get('proxy-api'), leafFiles.get('proxy-client'), report);
    });
  }

  /**
   * Spawner.create_certs: a fresh key and certificate `user-<name>` from notebooks-ca, in the store, with the
   * authority's trust bundle as cafile. Move them to the user with installUserCerts (user-certs.ts) right
   * away: the next spawn for the same name overwrites these files, as in JupyterHub.
   */
  async issueServerCert(req: ServerCertRequest): Promise<TlsFiles> {
    const caName = req.caName ?? 'notebooks-ca';
    const issuer = this.authorities.get(caName);
    if (issuer?.keyPem === undefined) {
      throw new HubError('CONFIG_INVALID', `cannot issue a certificate for ${req.name}: ${caName} is an external authority without a key`, {
        hint: `give its key in external_ssl_authorities['${caName}'].key`,
      });
    }
    const name = `user-${req.name}`;
    assertSafeName(name);
    const altNames = normalizeAltNames([...(req.includeLocal === false ? [] : ['DNS:localhost', 'IP:127.0.0.1']), ...(req.altNames ?? [])]);
    // Key generation runs outside the store's lock: concurrent spawns only queue for the file writes.
    const pair = await createKeyAndCert({ commonName: name, altNames, isCa: false, issuer: { certPem: issuer.certPem, keyPem: issuer.keyPem } });
    const files = await this.store.exclusive(() => this.store.writePair(name, pair, { isCa: false, parentCa: caName }));
    return { keyfile: this.store.abs(files.key), certfile: this.store.abs(files.cert), cafile: this.trustBundles[caName] };
  }
}

/** Every authority is loaded before anything reads this map; a gap would be a bug here, not a user error. */
function materialOf(authorities: Map<AuthorityName, AuthorityMaterial>, name: AuthorityName): AuthorityMaterial {
  const material = authorities.get(name);
  if (material === undefined) throw new Error(`authority ${name} was not loaded`);
  return material;
}

async function writeTrustBundles(store: CertStore, authorities: Map<AuthorityName, AuthorityMaterial>, report: CertReportEntry[]): Promise<Record<AuthorityName, string>> {
  const bundles = {} as Record<AuthorityName, string>;
  for (const ca of AUTHORITY_NAMES) {
    const members = TRUST_TABLE[ca];
    const pems = members.map((m) => materialOf(authorities, m).certPem);
    const { file, changed } = await store.writeTrustBundle(trustBundleFileName(ca), pems);
    bundles[ca] = file;
    report.push({ name: trustBundleFileName(ca), kind: 'trust-bundle', action: changed ? 'written' : 'unchanged', files: { cert: file }, contains: [...members] });
  }
  return bundles;
}

/** The same as InternalSsl.init, by the name the hub's start sequence reads best with. */
export function setupInternalSsl(opts: InternalSslOptions): Promise<InternalSsl> {
  return InternalSsl.init(opts);
}
