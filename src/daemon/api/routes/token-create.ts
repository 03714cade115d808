/**
 * POST /users/{name}/tokens: orm.py `APIToken.new` behind UserTokenListAPIHandler.post. The token gets the requested
 * scopes, or the scopes of the requested roles (resolved now), or the `token` role's; every scope must exist (400)
 * and be held by the token's owner (400, JupyterHub's ValueError), whoever asks.
 */
import { ApiError } from '../http-util.js';
import type { ApiDeps } from '../api-service.js';
import type { Principal } from '../../auth/principal.js';
import type { UserRow } from '../../db/users-repo.js';
import { createToken } from '../../db/tokens-repo.js';
import { getRoleByName } from '../../db/roles-repo.js';
import { groupMembership } from '../../auth/group-membership.js';
import { checkTokenScopes, isScopeError, requestedTokenScopes, toExpandedScopes } from '../../auth/scopes/index.js';
import { callerName } from './guard.js';
import { stringList, type JsonObject } from './body.js';
import { tokenModels } from './token-view.js';

const MAX_NOTE_LENGTH = 1023;
/** Beyond this, expires_at would fall after the year 9999 (Python's datetime overflows there too). */
const MAX_EXPIRES_IN = 2e11;

interface TokenRequestBody {
  note: string;
  expiresIn: number | undefined;
  scopes: string[] | null;
  roles: string[] | null;
}

function parseBody(body: JsonObject, caller: Principal, user: UserRow): TokenRequestBody {
  const { note, expires_in: expiresIn, scopes, roles } = body;
  if (note !== undefined && note !== null && typeof note !== 'string') throw new ApiError(400, 'token note must be a string');
  if (typeof note === 'string' && note.length > MAX_NOTE_LENGTH) throw new ApiError(400, `token note is longer than ${MAX_NOTE_LENGTH} characters`);
  if (expiresIn !== undefined && expiresIn !== null) {
    if (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn) || expiresIn <= 0 || expiresIn > MAX_EXPIRES_IN) {
      throw new ApiError(400, `token expires_in must be null or a positive number of seconds, not ${JSON.stringify(expiresIn)}`);
    }
  }
  let defaultNote = 'Requested via api';
  const requester = callerName(caller);
  // JupyterHub's `by user NAME` / `by service NAME`; the control socket's operator has no name.
  if (caller.kind === 'operator') defaultNote += ' by the operator';
  else if (caller.kind !== 'user' || caller.user.id !== user.id) defaultNote += ` by ${caller.kind} ${requester ?? caller.kind}`;
  return {
    note: typeof note === 'string' && note !== '' ? note : defaultNote,
    expiresIn: typeof expiresIn === 'number' ? expiresIn : undefined,
    scopes: scopes === undefined || scopes === null ? null : stringList(scopes, 'token scopes'),
    roles: roles === undefined || roles === null ? null : stringList(roles, 'token roles'),
  };
}

async function resolveScopes(deps: ApiDeps, user: UserRow, req: TokenRequestBody): Promise<string[]> {
  const roleScopes = new Map<string, readonly string[]>();
  for (const name of req.roles ?? ['token']) {
    const role = await getRoleByName(deps.db, name);
    if (role) roleScopes.set(name, role.scopes);
  }
  try {
    const scopes = requestedTokenScopes({ scopes: req.scopes, roles: req.roles }, (n) => {
      const s = roleScopes.get(n);
      return s === undefined ? undefined : { scopes: s };
    });
    const ownerScopes = await deps.identity.userScopes(user);
    const inAnyGroup = await groupMembership(deps.db, [ownerScopes, toExpandedScopes(scopes.filter((s) => s.includes('!group=')))]);
    checkTokenScopes(scopes, { owner: { kind: 'user', name: user.name }, ownerScopes, registry: deps.registry, inAnyGroup });
    return scopes;
  } catch (err) {
    // Unknown scopes, malformed filters, both scopes and roles, no such role, scopes the owner lacks: all 400.
    if (isScopeError(err)) throw new ApiError(400, err.message);
    throw err;
  }
}

export async function createTokenFor(deps: ApiDeps, caller: Principal, user: UserRow, body: JsonObject): Promise<Record<string, unknown>> {
  const req = parseBody(body, caller, user);
  const scopes = await resolveScopes(deps, user, req);
  const { token, row } = await createToken(deps.db, { userId: user.id }, {
    note: req.note, scopes, ...(req.expiresIn !== undefined ? { expiresInSeconds: req.expiresIn } : {}),
  });
  deps.identity.invalidate();
  const who = callerName(caller) ?? caller.kind;
  deps.log.info(who === user.name ? `User ${user.name} requested new API token` : `${who} requested API token for ${user.name}`);
  const [model] = await tokenModels(deps, user, [row]);
  return { ...model, token };
}
