/**
 * Whether material found in the store can be reused: Certipy reuses whatever its index names, even a
 * certificate whose authority was since replaced or whose names no longer cover trusted_alt_names, and the
 * admin learns of it from a failed handshake. We reissue instead and say why.
 */
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { altNamesOf } from './alt-names.js';

/** A certificate this close to its end is renewed now rather than failing some night. */
export const RENEW_BEFORE_MS = 30 * 24 * 3600 * 1000;

export function parseCert(pem: string): X509Certificate | undefined {
  try {
    return new X509Certificate(pem);
  } catch {
    return undefined;
  }
}

export function parseKey(pem: string): KeyObject | undefined {
  try {
    return createPrivateKey(pem);
  } catch {
    return undefined;
  }
}

export interface ReuseCheck {
  keyPem: string;
  certPem: string;
  isCa: boolean;
  /** The authority's certificate, for a leaf. */
  issuerPem?: string;
  /** Canonical SANs the certificate must carry (it may carry more). */
  altNames?: string[];
  now?: Date;
}

/** undefined when the pair is fine; otherwise why it cannot be reused, for the report. */
export function reuseProblem(c: ReuseCheck): string | undefined {
  const cert = parseCert(c.certPem);
  if (cert === undefined) return 'the certificate is not readable PEM';
  const key = parseKey(c.keyPem);
  if (key === undefined) return 'the key is not a readable unencrypted PEM key';
  if (!cert.checkPrivateKey(key)) return 'the key does not belong to the certificate';
  if (cert.ca !== c.isCa) return c.isCa ? 'the certificate is not an authority (CA:FALSE)' : 'the certificate is an authority, not a leaf';
  const now = (c.now ?? new Date()).getTime();
  const end = Date.parse(cert.validTo);
  if (end - now < RENEW_BEFORE_MS) return end < now ? `it expired on ${cert.validTo}` : `it expires on ${cert.validTo}`;
  if (c.issuerPem !== undefined) {
    const issuer = parseCert(c.issuerPem);
    if (issuer === undefined || !cert.checkIssued(issuer) || !cert.verify(issuer.publicKey)) return 'its authority was replaced since it was issued';
  }
  const have = new Set(altNamesOf(c.certPem));
  const missing = (c.altNames ?? []).filter((n) => !have.has(n));
  if (missing.length > 0) return `it lacks the names ${missing.join(', ')}`;
  return undefined;
}
