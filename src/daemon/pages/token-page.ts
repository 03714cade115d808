import type { RequestContext, Router } from '../api/router.js';
import { groupMembership } from '../auth/group-membership.js';
import { checkTokenScopes, toExpandedScopes } from '../auth/scopes/index.js';
import { asRows, readNullableString, readString } from '../db/row.js';
import { createToken, deleteToken, listTokens, type TokenRow } from '../db/tokens-repo.js';
import { HUB_OAUTH_CLIENT_ID } from '../db/oauth-clients-repo.js';
import { field } from './form-body.js';
import { authStateOf, namespace, requireUser, userForm, type PagesDeps, type UserPrincipal } from './page-context.js';
import { templateDatetime, type TemplateDatetime } from './template-values.js';
import { page } from './page-handler.js';
import { PageError, redirect, sendHtml } from './respond.js';

/**
 * /hub/token: the user's API tokens (request one with a note, an expiry and optionally narrower scopes; revoke
 * any) and the applications they authorised through OAuth, grouped per application as JupyterHub shows them.
 * A new token is shown once, in the answer to the form that made it, never stored or cached.
 */
const MAX_EXPIRY_SECONDS = 10 * 365 * 86_400;

/** A token as token.html gets it; JupyterHub 3.0's template reads `api_id` and the datetimes' isoformat(). */
interface TokenView {
  id: string;
  api_id: string;
  note: string;
  scopes: string[];
  created: TemplateDatetime | null;
  last_activity: TemplateDatetime | null;
  expires_at: TemplateDatetime | null;
}

function view(t: TokenRow): TokenView {
  return { id: `a${t.id}`, api_id: `a${t.id}`, note: t.note ?? '', scopes: t.scopes, created: templateDatetime(t.created), last_activity: templateDatetime(t.last_activity), expires_at: templateDatetime(t.expires_at) };
}

async function clientDescriptions(deps: PagesDeps, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = asRows(await deps.db('oauth_clients').whereIn('identifier', ids).select('identifier', 'description'));
  return new Map(rows.map((r) => [readString(r, 'identifier'), readNullableString(r, 'description') || readString(r, 'identifier')]));
}

async function render(ctx: RequestContext, deps: PagesDeps, me: UserPrincipal, extra: Record<string, unknown>, status = 200): Promise<void> {
  const now = Date.now();
  const live = (await listTokens(deps.db, { userId: me.user.id })).filter((t) => t.expires_at === null || t.expires_at.getTime() > now);
  const mine = live.filter((t) => t.client_id === HUB_OAUTH_CLIENT_ID || t.client_id === null);
  const byClient = new Map<string, TokenRow[]>();
  for (const t of live) if (t.client_id !== null && t.client_id !== HUB_OAUTH_CLIENT_ID) byClient.set(t.client_id, [...(byClient.get(t.client_id) ?? []), t]);
  const names = await clientDescriptions(deps, [...byClient.keys()]);
  const oauthClients = [...byClient].map(([client, tokens]) => ({
    client_id: client,
    description: names.get(client) ?? client,
    token_count: tokens.length,
    // JupyterHub's: one token's id revokes the client's tokens (token_id), and its tokens.
    token_id: `a${tokens[0]?.id ?? 0}`,
    tokens: tokens.map(view),
    created: templateDatetime(tokens.map((t) => t.created?.toISOString() ?? '').filter((s) => s !== '').sort()[0] ?? null),
    last_activity: templateDatetime(tokens.map((t) => t.last_activity?.toISOString() ?? '').filter((s) => s !== '').sort().at(-1) ?? null),
  }));
  const ns = namespace(ctx, deps, me, { api_tokens: mine.reverse().map(view), oauth_clients: oauthClients, auth_state: await authStateOf(deps, me.user), ...extra });
  sendHtml(ctx.res, status, deps.renderer.render('token.html', ns), { noStore: true });
}

function parseExpiry(raw: string): number | undefined {
  if (raw === '' || raw === 'never') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0 || n > MAX_EXPIRY_SECONDS) throw new PageError(400, `Token expiry must be a whole number of seconds between 1 and ${MAX_EXPIRY_SECONDS}`);
  return n;
}

async function create(ctx: RequestContext, deps: PagesDeps): Promise<void> {
  const { user: me, form } = await userForm(ctx, deps);
  const note = field(form, 'note').trim() || 'Requested via token page';
  if (note.length > 1000) throw new PageError(400, 'The note is longer than 1000 characters');
  const expiresIn = parseExpiry(field(form, 'expires_in'));
  const scopes = field(form, 'scopes').split(/[\s,]+/).filter((s) => s !== '');
  if (scopes.length > 0) {
    // Never more than the owner holds (a token is a copy of some of your rights, not a way to gain more).
    const owner = { kind: 'user' as const, name: me.user.name };
    const inAnyGroup = await groupMembership(deps.db, [me.scopes, toExpandedScopes([])]);
    checkTokenScopes(scopes, { owner, ownerScopes: me.scopes, registry: deps.registry, inAnyGroup });
  }
  const { token, row } = await createToken(deps.db, { userId: me.user.id }, {
    note, ...(expiresIn === undefined ? {} : { expiresInSeconds: expiresIn }), ...(scopes.length > 0 ? { scopes } : {}),
  });
  deps.log.info(`${me.user.name} created API token a${row.id} on the token page`);
  await render(ctx, deps, me, { new_token: token, new_token_id: `a${row.id}` });
}

async function revoke(ctx: RequestContext, deps: PagesDeps): Promise<void> {
  const { user: me, form } = await userForm(ctx, deps);
  const owner = { userId: me.user.id };
  const clientId = field(form, 'client_id');
  const tokenId = field(form, 'token_id');
  let revoked = 0;
  if (clientId !== '') {
    // Revoking an application revokes every token it holds for this user, as in JupyterHub.
    for (const t of await listTokens(deps.db, owner)) if (t.client_id === clientId && (await deleteToken(deps.db, t.id, owner))) revoked++;
  } else {
    const m = /^a?(\d{1,15})$/.exec(tokenId);
    if (m === null) throw new PageError(400, 'No such token');
    if (await deleteToken(deps.db, Number(m[1]), owner)) revoked++;
  }
  if (revoked === 0) throw new PageError(404, 'No such token');
  // Cached principals of the revoked tokens must go now, not when the cache expires.
  deps.identity.invalidate();
  deps.log.info(`${me.user.name} revoked ${revoked} token(s) on the token page`);
  redirect(ctx.res, `${deps.hubPrefix}token`);
}

export function registerTokenPage(router: Router, deps: PagesDeps): void {
  router.add('GET', 'token', page(deps, async (ctx) => render(ctx, deps, await requireUser(ctx, deps), {})));
  router.add('POST', 'token', page(deps, (ctx) => create(ctx, deps)));
  router.add('POST', 'token/revoke', page(deps, (ctx) => revoke(ctx, deps)));
}
