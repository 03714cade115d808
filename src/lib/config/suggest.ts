/**
 * "Did you mean" for unknown sections and options. An option name that exists verbatim in another section is
 * the likeliest intent (JupyterHub.allowed_users -> Authenticator.allowed_users), so that is tried before
 * spelling distance within the section.
 */
import { SCHEMA, SECTION_NAMES } from './schema.generated.js';
import { acceptedOptions, isSectionName } from './sections.js';

/** Edit distance counting an adjacent transposition as one edit, so 'prot' is one step from 'port'. */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const prev = rows[i - 1] ?? [];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, (rows[i - 2]?.[j - 2] ?? 0) + 1);
      row.push(d);
    }
    rows.push(row);
  }
  return rows[a.length]?.[b.length] ?? Math.max(a.length, b.length);
}

/** The candidate closest to `name`, if it is close enough to be a plausible typo. */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  const lower = name.toLowerCase();
  const limit = Math.max(2, Math.floor(name.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = candidate.toLowerCase() === lower ? 0 : editDistance(lower, candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

/** Sections whose class declares `option` itself, in schema order. */
function ownersOf(option: string): string[] {
  return SECTION_NAMES.filter((s) => Object.hasOwn(SCHEMA[s].options, option));
}

/** A full key to suggest for an unknown `section.option`, or undefined. */
export function suggestOption(section: string, option: string): string | undefined {
  const owner = ownersOf(option).find((s) => s !== section);
  if (owner !== undefined) return `${owner}.${option}`;
  if (isSectionName(section)) {
    const near = closest(option, acceptedOptions(section).keys());
    if (near !== undefined) return `${section}.${near}`;
  }
  const everywhere = SECTION_NAMES.flatMap((s) => Object.keys(SCHEMA[s].options).map((o) => `${s}.${o}`));
  const byName = closest(option, everywhere.map((k) => k.slice(k.indexOf('.') + 1)));
  return byName === undefined ? undefined : everywhere.find((k) => k.endsWith(`.${byName}`));
}

/**
 * A section to suggest for an unknown one: a near spelling, or the section that owns the keys found under it
 * (`Application: {log_level: ...}` -> JupyterHub), or for a top-level option name the full key (`port` ->
 * JupyterHub.port).
 */
export function suggestSection(name: string, keys: readonly string[]): string | undefined {
  const near = closest(name, SECTION_NAMES);
  if (near !== undefined) return near;
  for (const key of keys) {
    const owner = ownersOf(key)[0];
    if (owner !== undefined) return owner;
  }
  const owner = ownersOf(name)[0];
  return owner === undefined ? undefined : `${owner}.${name}`;
}

/**
 * Options of other JupyterHub versions that configs carry over, which JupyterHub 3.0 ignores with only a warning
 * (traitlets' "Config option not recognized"): what each meant and what to write for 3.0. `blacklist` matters
 * most: JupyterHub 3.0 declares no such trait, so a config that still uses it blocks nobody.
 */
const OTHER_VERSIONS: Readonly<Record<string, { family: 'Authenticator' | 'Spawner'; text: string }>> = {
  blacklist: { family: 'Authenticator', text: 'renamed blocked_users in JupyterHub 1.2 (JupyterHub 3.0 ignores blacklist, blocking nobody); use Authenticator.blocked_users' },
  allow_all: { family: 'Authenticator', text: 'an option of JupyterHub 5.0; in 3.0 an empty Authenticator.allowed_users lets everyone in who authenticates' },
  allow_existing_users: { family: 'Authenticator', text: 'an option of JupyterHub 5.0; in 3.0 users in the database may log in unless allowed_users says otherwise' },
  manage_roles: { family: 'Authenticator', text: 'an option of JupyterHub 5.0; in 3.0 roles come from JupyterHub.load_roles' },
  server_token_scopes: { family: 'Spawner', text: "an option of JupyterHub 4.0; in 3.0 a server's token has the scopes of the `server` role" },
};

const FAMILIES: Readonly<Record<'Authenticator' | 'Spawner', readonly string[]>> = {
  Authenticator: ['Authenticator', 'LocalAuthenticator', 'PAMAuthenticator', 'DummyAuthenticator'],
  Spawner: ['Spawner', 'LocalProcessSpawner', 'SimpleLocalProcessSpawner'],
};

/** The problem line for an unknown `section.option`: what it is if it belongs to another version, else a near name. */
export function unknownOption(section: string, option: string): string {
  const other = Object.hasOwn(OTHER_VERSIONS, option) ? OTHER_VERSIONS[option] : undefined;
  if (other !== undefined && FAMILIES[other.family].includes(section)) return `unknown option ${section}.${option}: ${other.text}`;
  const suggestion = suggestOption(section, option);
  return `unknown option ${section}.${option}${suggestion === undefined ? '' : ` (did you mean ${suggestion}?)`}`;
}
