import type { ServerRow } from '../../lib/client/servers-api.js';

/** "alice's server" / "alice's server gpu", as the CLI's messages say it. */
export function describeRow(r: ServerRow): string {
  return r.name === '' ? `${r.user}'s server` : `${r.user}'s server ${r.name}`;
}
