/**
 * Scopes as the API shows them (`/api/user`'s `scopes`, token models). hub defines JupyterHub 6.0's `start:servers`
 * as a sub-scope of `servers` (definitions.ts), so every expanded set holding `servers[!filter]` also holds
 * `start:servers[!filter]`. A 3.0 client has never heard of that scope; where `servers` with the same filter is
 * present it adds nothing, so it is left out of what the API shows. A `start:servers` held without its `servers`
 * (granted on its own) stays visible: it is the only trace of that permission.
 */
const IMPLIED = 'start:servers';
const IMPLIED_BY = 'servers';

export function shownScopes(scopes: Iterable<string>): string[] {
  const all = [...scopes];
  const held = new Set(all);
  return all.filter((s) => {
    if (s !== IMPLIED && !s.startsWith(`${IMPLIED}!`)) return true;
    return !held.has(IMPLIED_BY + s.slice(IMPLIED.length));
  });
}
