/**
 * Keys and X.509 certificates for the internal authorities, as Certipy makes them (RSA 2048, sha256, 5 years,
 * EKU serverAuth+clientAuth), but as proper v3 certificates with random serials: Certipy writes version 1
 * certificates with serial 0 everywhere, which strict verifiers may refuse and which makes revocation and
 * log correlation impossible.
 *
 * node-forge builds the certificate; the RSA work (key generation, signing) is Node's native crypto, run off
 * the event loop for keys: a spawn must not stall every other request of the hub for a second.
 */
import { createPrivateKey, generateKeyPair, randomBytes, sign, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import forge from 'node-forge';
import { toForgeAltName } from './alt-names.js';

const generateKeyPairAsync = promisify(generateKeyPair);

export const KEY_BITS = 2048;
export const VALIDITY_YEARS = 5;
/** Backdating covers clocks that differ a little between the hub and the machines of its servers. */
const BACKDATE_MS = 5 * 60 * 1000;

export interface KeyPairPem {
  /** PKCS#8, as Certipy (pyOpenSSL) writes it. */
  keyPem: string;
  publicKeyPem: string;
}

export interface Issuer {
  certPem: string;
  keyPem: string;
}

export interface CertRequest {
  commonName: string;
  publicKeyPem: string;
  /** Canonical SAN strings (alt-names.ts); none for authorities. */
  altNames: string[];
  isCa: boolean;
  /** undefined: self-signed (the authority's own key signs). */
  issuer?: Issuer;
  /** Signing key when self-signed. */
  selfKeyPem?: string;
  now?: Date;
}

export async function generateRsaKeyPair(): Promise<KeyPairPem> {
  const { privateKey, publicKey } = await generateKeyPairAsync('rsa', {
    modulusLength: KEY_BITS,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { keyPem: privateKey, publicKeyPem: publicKey };
}

/**
 * 16 random bytes, top bit cleared (serials are positive DER INTEGERs) and the next one set, so the encoding
 * needs no leading zero and always has the full 127 bits of entropy RFC 5280 allows.
 */
export function randomSerialHex(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x40;
  return bytes.toString('hex');
}

function extensionsFor(req: CertRequest, issuerCert: forge.pki.Certificate | undefined): object[] {
  const eku = { name: 'extKeyUsage', serverAuth: true, clientAuth: true, critical: true };
  // For a self-signed authority forge derives the identifier from the certificate being built.
  const aki = { name: 'authorityKeyIdentifier', keyIdentifier: issuerCert ? issuerCert.generateSubjectKeyIdentifier().getBytes() : true };
  if (req.isCa) {
    return [
      { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
      eku,
      { name: 'subjectKeyIdentifier' },
      aki,
    ];
  }
  const exts: object[] = [
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    eku,
    { name: 'subjectKeyIdentifier' },
    aki,
  ];
  if (req.altNames.length > 0) exts.push({ name: 'subjectAltName', altNames: req.altNames.map(toForgeAltName) });
  return exts;
}

/** forge's own TBS encoder, which its typings leave out; checked at runtime rather than assumed. */
function tbsOf(cert: forge.pki.Certificate): forge.asn1.Asn1 {
  const getTbs: unknown = (forge.pki as unknown as { getTBSCertificate?: unknown }).getTBSCertificate;
  if (typeof getTbs !== 'function') throw new Error('node-forge lacks pki.getTBSCertificate');
  return (getTbs as (c: forge.pki.Certificate) => forge.asn1.Asn1)(cert);
}

/** What forge's cert.sign does, with the RSA private-key operation done natively (about 30x faster). */
function signNatively(cert: forge.pki.Certificate, key: KeyObject): void {
  const oid = forge.pki.oids.sha256WithRSAEncryption;
  if (oid === undefined) throw new Error('node-forge lacks the sha256WithRSAEncryption OID');
  cert.signatureOid = oid;
  cert.siginfo.algorithmOid = oid;
  cert.tbsCertificate = tbsOf(cert);
  const tbs = Buffer.from(forge.asn1.toDer(cert.tbsCertificate).getBytes(), 'binary');
  cert.signature = sign('sha256', tbs, key).toString('binary');
}

export function buildCertificate(req: CertRequest): string {
  const issuerCert = req.issuer ? forge.pki.certificateFromPem(req.issuer.certPem) : undefined;
  const signingKeyPem = req.issuer?.keyPem ?? req.selfKeyPem;
  if (signingKeyPem === undefined) throw new Error(`no signing key for ${req.commonName}`);
  const cert = forge.pki.createCertificate();
  cert.version = 2; // X.509 v3: extensions are only defined there.
  cert.serialNumber = randomSerialHex();
  cert.publicKey = forge.pki.publicKeyFromPem(req.publicKeyPem);
  const now = req.now ?? new Date();
  cert.validity.notBefore = new Date(now.getTime() - BACKDATE_MS);
  const notAfter = new Date(now.getTime());
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + VALIDITY_YEARS);
  cert.validity.notAfter = notAfter;
  const subject = [{ name: 'commonName', value: req.commonName }];
  cert.setSubject(subject);
  cert.setIssuer(issuerCert ? issuerCert.subject.attributes : subject);
  cert.setExtensions(extensionsFor(req, issuerCert));
  signNatively(cert, createPrivateKey(signingKeyPem));
  return forge.pki.certificateToPem(cert);
}

/** A fresh key and a certificate for it: an authority (self-signed) or a leaf signed by `issuer`. */
export async function createKeyAndCert(opts: { commonName: string; altNames: string[]; isCa: boolean; issuer?: Issuer }): Promise<{ keyPem: string; certPem: string }> {
  const pair = await generateRsaKeyPair();
  const certPem = buildCertificate({
    commonName: opts.commonName,
    publicKeyPem: pair.publicKeyPem,
    altNames: opts.altNames,
    isCa: opts.isCa,
    issuer: opts.issuer,
    selfKeyPem: opts.issuer ? undefined : pair.keyPem,
  });
  return { keyPem: pair.keyPem, certPem };
}
