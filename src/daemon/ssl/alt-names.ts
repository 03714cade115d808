/**
 * Subject alternative names in JupyterHub's spelling (`DNS:host`, `IP:10.0.0.1`, as trusted_alt_names and
 * Spawner.ssl_alt_names are written), turned into node-forge's form and back, so that wanted names can be
 * compared with the ones an existing certificate carries.
 */
import dns from 'node:dns/promises';
import net from 'node:net';
import os from 'node:os';
import forge from 'node-forge';
import { HubError } from '../../lib/errors.js';

/** GeneralName tags (RFC 5280) that forge writes for us. */
const TYPE = { email: 1, dns: 2, uri: 6, ip: 7 } as const;

export interface ForgeAltName {
  type: number;
  value?: string;
  ip?: string;
}

export const LOCAL_ALT_NAMES = ['IP:127.0.0.1', 'DNS:localhost'] as const;

function canonicalIp(ip: string): string {
  // The WHATWG URL parser compresses IPv6, so `::1` and `0:0:0:0:0:0:0:1` compare equal.
  return net.isIPv6(ip) ? new URL(`http://[${ip}]/`).hostname.slice(1, -1) : ip;
}

/**
 * `DNS:x` / `IP:x` / `URI:x` / `email:x` (prefix in any case), or a bare name: an IP if it parses as one,
 * else a DNS name. Returns the canonical spelling, e.g. `DNS:hub.example.org`.
 */
export function canonicalAltName(raw: string): string {
  const text = raw.trim();
  const colon = text.indexOf(':');
  const prefix = colon > 0 ? text.slice(0, colon).toLowerCase() : '';
  const value = colon > 0 ? text.slice(colon + 1).trim() : text;
  const bad = (why: string): HubError =>
    new HubError('CONFIG_INVALID', `subject alternative name '${raw}' ${why}`, {
      hint: "write names as JupyterHub does: 'DNS:hub.example.org' or 'IP:10.0.0.5' (trusted_alt_names, Spawner.ssl_alt_names)",
    });
  if (value === '') throw bad('is empty');
  switch (prefix) {
    case 'dns':
      return `DNS:${value.toLowerCase()}`;
    case 'ip':
      if (net.isIP(value) === 0) throw bad('is not an IP address');
      return `IP:${canonicalIp(value)}`;
    case 'uri':
      return `URI:${value}`;
    case 'email':
      return `email:${value}`;
    default:
      if (net.isIP(text) !== 0) return `IP:${canonicalIp(text)}`;
      if (colon > 0) throw bad(`has an unknown type '${text.slice(0, colon)}'`);
      return `DNS:${text.toLowerCase()}`;
  }
}

/** Canonical, without duplicates, first occurrence kept (JupyterHub's lists repeat `localhost` at times). */
export function normalizeAltNames(names: readonly string[]): string[] {
  return [...new Set(names.map(canonicalAltName))];
}

export function toForgeAltName(canonical: string): ForgeAltName {
  const colon = canonical.indexOf(':');
  const prefix = canonical.slice(0, colon);
  const value = canonical.slice(colon + 1);
  if (prefix === 'IP') return { type: TYPE.ip, ip: value };
  if (prefix === 'URI') return { type: TYPE.uri, value };
  if (prefix === 'email') return { type: TYPE.email, value };
  return { type: TYPE.dns, value };
}

function fromForgeAltName(n: ForgeAltName): string | undefined {
  if (n.type === TYPE.ip && n.ip !== undefined) return `IP:${canonicalIp(n.ip)}`;
  if (n.value === undefined) return undefined;
  if (n.type === TYPE.dns) return `DNS:${n.value.toLowerCase()}`;
  if (n.type === TYPE.uri) return `URI:${n.value}`;
  if (n.type === TYPE.email) return `email:${n.value}`;
  return undefined;
}

function isForgeAltName(value: unknown): value is ForgeAltName {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'number';
}

/** The SANs of a PEM certificate, canonical; empty when it has none. */
export function altNamesOf(certPem: string): string[] {
  const cert = forge.pki.certificateFromPem(certPem);
  const ext: unknown = cert.getExtension('subjectAltName');
  const list: unknown = typeof ext === 'object' && ext !== null ? (ext as { altNames?: unknown }).altNames : undefined;
  if (!Array.isArray(list)) return [];
  return list.filter(isForgeAltName).map(fromForgeAltName).filter((n): n is string => n !== undefined);
}

/**
 * Python's socket.getfqdn(): the name the host's address resolves back to, if it is qualified, else the
 * plain host name. Bounded in time: a hub must not hang at start because a resolver does not answer.
 */
export async function fullyQualifiedHostName(timeoutMs = 2000): Promise<string> {
  const host = os.hostname();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), timeoutMs);
  });
  const lookup = (async (): Promise<string | undefined> => {
    const { address } = await dns.lookup(host);
    const { hostname } = await dns.lookupService(address, 0);
    return hostname;
  })().catch(() => undefined);
  try {
    const resolved = await Promise.race([lookup, timeout]);
    return resolved !== undefined && resolved.includes('.') ? resolved : host;
  } finally {
    clearTimeout(timer);
  }
}
