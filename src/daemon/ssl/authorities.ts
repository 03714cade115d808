/**
 * The names and trust relations of JupyterHub's internal_ssl (app.py init_internal_ssl), kept verbatim so a
 * store made by JupyterHub and one made by us are interchangeable.
 */

export const AUTHORITY_NAMES = ['hub-ca', 'notebooks-ca', 'proxy-api-ca', 'proxy-client-ca', 'services-ca'] as const;
export type AuthorityName = (typeof AUTHORITY_NAMES)[number];

export function isAuthorityName(value: string): value is AuthorityName {
  return (AUTHORITY_NAMES as readonly string[]).includes(value);
}

/**
 * Which authorities each bundle `<ca>_trust.crt` holds: whoever verifies peers with that bundle accepts
 * certificates from exactly these. The order is JupyterHub's (it is the order of the PEM blocks in the file).
 */
export const TRUST_TABLE: Readonly<Record<AuthorityName, readonly AuthorityName[]>> = {
  'hub-ca': AUTHORITY_NAMES,
  'proxy-api-ca': ['hub-ca', 'services-ca', 'notebooks-ca'],
  'proxy-client-ca': ['hub-ca', 'notebooks-ca'],
  'notebooks-ca': ['hub-ca', 'proxy-client-ca'],
  'services-ca': ['hub-ca', 'proxy-api-ca'],
};

export const COMPONENT_NAMES = ['hub-internal', 'proxy-api', 'proxy-client'] as const;
export type ComponentName = (typeof COMPONENT_NAMES)[number];

/** The authority that signs each component certificate. */
export const COMPONENT_ISSUER: Readonly<Record<ComponentName, AuthorityName>> = {
  'hub-internal': 'hub-ca',
  'proxy-api': 'proxy-api-ca',
  'proxy-client': 'proxy-client-ca',
};

export function trustBundleFileName(ca: AuthorityName): string {
  return `${ca}_trust.crt`;
}
