/**
 * One entry of JupyterHub.services, read as JupyterHub's Service class reads it (services/service.py): the same
 * field names, a string command wrapped in a list, and an unknown field refused (JupyterHub raises "No such
 * service field"). Every problem of every entry is reported at once, with the entry's index and name, so an
 * admin fixes the list in one pass.
 */
import type { HubConfig } from '../../lib/config/index.js';
import { closest } from '../../lib/config/suggest.js';
import { HubError } from '../../lib/errors.js';
import { serviceClientId } from '../auth/oauth/client-ids.js';

export interface ServiceSpec {
  name: string;
  admin: boolean;
  /** Where the service listens; proxied at <base_url>services/<name>/. '' for none. */
  url: string;
  apiToken: string | null;
  /** Non-empty: the hub starts and supervises the service ("managed"). */
  command: string[];
  environment: Record<string, string>;
  /** The unix account to run a managed service as; '' runs it as the hub's user. */
  user: string;
  cwd: string;
  info: Record<string, unknown>;
  display: boolean;
  oauthNoConfirm: boolean;
  oauthClientId: string | null;
  oauthRedirectUri: string;
  oauthClientAllowedScopes: string[];
  oauthRoles: string[];
}

type FieldKind = 'string' | 'bool' | 'strings' | 'command' | 'env' | 'dict';

const FIELDS: Readonly<Record<string, FieldKind>> = {
  name: 'string', admin: 'bool', url: 'string', api_token: 'string', command: 'command', environment: 'env', user: 'string',
  cwd: 'string', info: 'dict', display: 'bool', oauth_no_confirm: 'bool', oauth_client_id: 'string', oauth_redirect_uri: 'string',
  oauth_client_allowed_scopes: 'strings', oauth_roles: 'strings',
};

const NAME_PATTERN = /^[A-Za-z0-9][\w.@+-]*$/;

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fieldProblem(kind: FieldKind, value: unknown): string | undefined {
  switch (kind) {
    case 'string': return typeof value === 'string' ? undefined : 'must be a string';
    case 'bool': return typeof value === 'boolean' ? undefined : 'must be true or false';
    case 'strings': return Array.isArray(value) && value.every((v) => typeof v === 'string') ? undefined : 'must be a list of strings';
    case 'command':
      return typeof value === 'string' || (Array.isArray(value) && value.every((v) => typeof v === 'string')) ? undefined : 'must be a command: a list of strings (or one string)';
    case 'env':
      return isMapping(value) && Object.values(value).every((v) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')
        ? undefined : 'must be a mapping of variable names to strings';
    case 'dict': return isMapping(value) ? undefined : 'must be a mapping';
  }
}

function str(raw: Record<string, unknown>, key: string): string {
  const v = raw[key];
  return typeof v === 'string' ? v : '';
}

function strs(raw: Record<string, unknown>, key: string): string[] {
  const v = raw[key];
  if (typeof v === 'string') return [v];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function toSpec(raw: Record<string, unknown>): ServiceSpec {
  const env = isMapping(raw.environment) ? Object.fromEntries(Object.entries(raw.environment).map(([k, v]) => [k, String(v)])) : {};
  const usesOAuth = ['url', 'oauth_redirect_uri', 'oauth_client_id'].some((k) => typeof raw[k] === 'string' && raw[k] !== '');
  const name = str(raw, 'name');
  return {
    name,
    admin: raw.admin === true,
    url: str(raw, 'url'),
    apiToken: str(raw, 'api_token') || null,
    command: strs(raw, 'command'),
    environment: env,
    user: str(raw, 'user'),
    cwd: str(raw, 'cwd'),
    info: isMapping(raw.info) ? raw.info : {},
    display: raw.display !== false,
    oauthNoConfirm: raw.oauth_no_confirm === true,
    oauthClientId: str(raw, 'oauth_client_id') || (usesOAuth ? serviceClientId(name) : null),
    oauthRedirectUri: str(raw, 'oauth_redirect_uri'),
    oauthClientAllowedScopes: strs(raw, 'oauth_client_allowed_scopes'),
    oauthRoles: strs(raw, 'oauth_roles'),
  };
}

function entryProblems(raw: unknown, where: string): string[] {
  if (!isMapping(raw)) return [`${where} must be a mapping such as {name: my-service, url: http://127.0.0.1:10101}`];
  const problems: string[] = [];
  for (const [key, value] of Object.entries(raw)) {
    const kind = FIELDS[key];
    if (kind === undefined) {
      const near = closest(key, Object.keys(FIELDS));
      problems.push(`${where}: no such service field ${key}${near ? ` (did you mean ${near}?)` : ''}`);
      continue;
    }
    const p = value === null ? undefined : fieldProblem(kind, value);
    if (p) problems.push(`${where}.${key} ${p}`);
  }
  const name = raw.name;
  if (typeof name !== 'string' || name === '') problems.push(`${where} has no name: every service needs one, e.g. {name: my-service}`);
  else if (!NAME_PATTERN.test(name)) problems.push(`${where}.name ${JSON.stringify(name)} must start with a letter or digit and hold only letters, digits and . _ @ + -, as it becomes the URL /services/<name>/`);
  const url = raw.url;
  if (typeof url === 'string' && url !== '') {
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      /* reported below */
    }
    if (!parsed || !['http:', 'https:'].includes(parsed.protocol) || parsed.hostname === '') problems.push(`${where}.url ${JSON.stringify(url)} must be an http:// or https:// URL with a host, e.g. http://127.0.0.1:10101`);
  }
  return problems;
}

/** Every configured service, validated; throws one CONFIG_INVALID naming every problem. */
export function parseServiceSpecs(config: HubConfig): ServiceSpec[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  config.JupyterHub.services.forEach((raw: unknown, i) => {
    const name = isMapping(raw) && typeof raw.name === 'string' ? raw.name : '';
    const where = `JupyterHub.services[${i}]${name ? ` (${name})` : ''}`;
    problems.push(...entryProblems(raw, where));
    if (name !== '' && seen.has(name)) problems.push(`${where}: the name ${name} is used by another service too`);
    seen.add(name);
  });
  if (problems.length > 0) {
    throw new HubError('CONFIG_INVALID', `invalid JupyterHub.services:\n  ${problems.join('\n  ')}`, {
      hint: 'Fields a service may have: ' + Object.keys(FIELDS).join(', ') + '.',
    });
  }
  return config.JupyterHub.services.map((raw) => toSpec(raw as Record<string, unknown>));
}

/** Managed services are those the hub starts itself: they have a command. */
export function isManaged(spec: ServiceSpec): boolean {
  return spec.command.length > 0;
}
