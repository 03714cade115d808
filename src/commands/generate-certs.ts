import path from 'node:path';
import { HubCommand } from '../cli/base-command.js';
import { renderTable } from '../ui/table.js';

/** What --json prints: the store and each item with what was done to it. */
export interface GenerateCertsResult {
  location: string;
  internalSsl: boolean;
  /** Also printed to stderr without --json. */
  warnings: string[];
  entries: Array<{ name: string; kind: string; action: string; files: Record<string, string | undefined>; reason?: string; altNames?: string[]; contains?: string[] }>;
}

function shortPath(file: string | undefined): string {
  if (file === undefined) return '';
  const rel = path.relative(process.cwd(), file);
  return rel.startsWith('..') || path.isAbsolute(rel) ? file : rel;
}

export default class GenerateCerts extends HubCommand<typeof GenerateCerts> {
  static override summary = 'Create (or check and reuse) the internal certificate authorities and certificates for internal_ssl.';

  static override description = `As JupyterHub's --generate-certs: under JupyterHub.internal_certs_location (default internal-ssl, relative to the current directory) the authorities hub-ca, notebooks-ca, proxy-api-ca, proxy-client-ca and services-ca, their trust bundles <ca>_trust.crt, and the certificates hub-internal, proxy-api and proxy-client, in Certipy's layout (certipy.json), so JupyterHub can use the same directory.
Existing material is reused when it is still valid; JupyterHub.recreate_internal_certs replaces everything; JupyterHub.external_ssl_authorities substitutes your own authority files (checked: a certificate must match its key). Keys are written 0600 in 0700 directories and never printed.`;

  static override examples = ['<%= config.bin %> generate-certs', '<%= config.bin %> generate-certs -c /etc/hub/hub.yml --json'];

  static override enableJsonFlag = true;

  async run(): Promise<GenerateCertsResult> {
    const loaded = await this.hubConfig();
    const hub = loaded.config.JupyterHub;
    const warnings = [...loaded.warnings];
    if (!hub.internal_ssl) warnings.push('JupyterHub.internal_ssl is off: the hub will not use these certificates until you enable it.');
    for (const w of warnings) this.warn(w);
    const { InternalSsl } = await import('../daemon/ssl/internal-ssl.js');
    const ssl = await InternalSsl.init({
      location: hub.internal_certs_location,
      cwd: process.cwd(),
      trustedAltNames: hub.trusted_alt_names,
      recreate: hub.recreate_internal_certs,
      externalAuthorities: hub.external_ssl_authorities,
      subdomainHost: hub.subdomain_host,
    });
    const rows = ssl.report;
    this.log(`Certificates in ${shortPath(ssl.dir) || '.'}:`);
    this.log(
      renderTable(
        [
          { header: 'NAME', get: (e) => e.name },
          { header: 'KIND', get: (e) => e.kind },
          { header: 'ACTION', get: (e) => e.action },
          { header: 'FILE', get: (e) => shortPath(e.files.cert), shrink: true },
          { header: 'NOTE', get: (e) => e.reason ?? (e.altNames ?? e.contains ?? []).join(', '), shrink: true },
        ],
        rows,
        process.stdout.isTTY ? process.stdout.columns : undefined,
      ),
    );
    return { location: ssl.dir, internalSsl: hub.internal_ssl, warnings, entries: rows };
  }
}
