import type { ExpandedScopes } from './scopes/index.js';
import type { UserRow } from '../db/users-repo.js';
import type { ServiceRow } from '../db/services-repo.js';
import type { TokenRow } from '../db/tokens-repo.js';

/**
 * Who is asking, with what they may do. Every request gets exactly one principal, whose scopes are already
 * expanded (and, for tokens, intersected with the owner's), so a check is a map lookup.
 */
export type Principal =
  /** The control socket: the operator holds every scope, unfiltered. */
  | { kind: 'operator'; scopes: ExpandedScopes }
  | { kind: 'user'; user: UserRow; scopes: ExpandedScopes; token: TokenRow | null; sessionId: string | null }
  | { kind: 'service'; service: ServiceRow; scopes: ExpandedScopes; token: TokenRow }
  | { kind: 'anonymous'; scopes: ExpandedScopes };

export function principalName(p: Principal): string {
  switch (p.kind) {
    case 'operator': return 'operator';
    case 'user': return p.user.name;
    case 'service': return `service:${p.service.name}`;
    case 'anonymous': return 'anonymous';
  }
}
