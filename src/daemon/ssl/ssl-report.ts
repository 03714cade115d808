/** What setting up the store did, item by item: `hub generate-certs` prints it, the hub logs it. */

export type CertAction = 'created' | 'reused' | 'replaced' | 'external' | 'skipped' | 'written' | 'unchanged';

export interface CertReportEntry {
  name: string;
  kind: 'authority' | 'certificate' | 'trust-bundle';
  action: CertAction;
  /** Absolute paths. A trust bundle has only `cert`. */
  files: { key?: string; cert?: string; ca?: string };
  /** Why something was replaced or skipped. */
  reason?: string;
  /** Canonical SANs of a certificate. */
  altNames?: string[];
  /** The authorities in a trust bundle. */
  contains?: string[];
}

/** One line per entry, for logs; never any key material, only paths. */
export function describeEntry(e: CertReportEntry): string {
  const file = e.files.cert ?? '';
  const extra = e.reason ? ` (${e.reason})` : e.altNames ? ` [${e.altNames.join(', ')}]` : e.contains ? ` [${e.contains.join(', ')}]` : '';
  return `${e.action} ${e.kind} ${e.name}: ${file}${extra}`;
}
