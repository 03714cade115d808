import type { Knex } from 'knex';
import type { HubConfig } from '../../lib/config/index.js';
import { HubError } from '../../lib/errors.js';
import type { Logger } from '../../lib/log.js';
import { createUsers, getUserByName } from '../db/users-repo.js';
import { deleteServicesExcept, upsertService } from '../db/services-repo.js';
import { createToken, findToken } from '../db/tokens-repo.js';
import { asRows, readInt, readString } from '../db/row.js';
import { compareToken } from './token-hash.js';
import { syncServiceOAuthClients } from './oauth/service-clients.js';
import { parseServiceSpecs } from '../services/service-spec.js';
import type { Authenticator } from './authenticators/types.js';

/**
 * JupyterHub.services, service_tokens and api_tokens, as init_services/init_api_tokens: services are rows (gone
 * from the config, gone from the database), and tokens the admin chose are stored hashed (16384 rounds, as for
 * any token a person chose, or one round with trust_user_provided_tokens) unless already present. A token that belongs to someone else is refused, because
 * reusing it would silently hand one principal's access to another.
 */
const MIN_TOKEN_LENGTH = 8;

export async function syncServicesAndTokens(db: Knex, config: HubConfig, authenticator: Authenticator, log: Logger): Promise<void> {
  const specs = parseServiceSpecs(config);
  const serviceTokens = new Map(Object.entries(config.JupyterHub.service_tokens).map(([token, name]) => [token, name]));
  // app.py _add_tokens: a service_tokens owner missing from services is created implicitly (a bare service: no
  // url, no route, no OAuth client, not listed by GET /services), so it stays, with its token, while it is there.
  const implicit = [...new Set(serviceTokens.values())].filter((name) => !specs.some((s) => s.name === name));
  const gone = await deleteServicesExcept(db, [...specs.map((s) => s.name), ...implicit]);
  if (gone.length > 0) log.info(`Removed services no longer in the config: ${gone.join(', ')}`);
  // services.oauth_client_id is a foreign key: the clients must exist before the rows point at them.
  await syncServiceOAuthClients(db, config, log);
  // trust_user_provided_tokens: the admin vouches for their entropy, so they are hashed once, as generated ones.
  const trusted = config.JupyterHub.trust_user_provided_tokens;
  for (const spec of specs) {
    await upsertService(db, { name: spec.name, admin: spec.admin, oauthClientId: spec.oauthClientId });
    if (spec.apiToken) serviceTokens.set(spec.apiToken, spec.name);
  }
  for (const name of implicit) {
    log.warn(`Warning: service '${name}' not in services, creating implicitly. It is recommended to register services using services list.`);
    await upsertService(db, { name, admin: false });
  }
  for (const [token, name] of serviceTokens) await ensureToken(db, token, { service: name }, trusted, log);
  await dropStaleConfigTokens(db, serviceTokens, log);
  // As app.py _add_tokens: the owner's name passes through the authenticator as at login.
  for (const [token, raw] of Object.entries(config.JupyterHub.api_tokens)) {
    const name = authenticator.normalizeUsername(raw);
    if (!(await authenticator.checkAllowed(name, { name, admin: null, groups: null, auth_state: null }))) {
      throw new HubError('CONFIG_INVALID', `JupyterHub.api_tokens: token user name '${name}' is not in Authenticator.allowed_users`, { hint: 'Add the user to allowed_users, or remove the token.' });
    }
    if (!authenticator.validateUsername(name)) throw new HubError('CONFIG_INVALID', `JupyterHub.api_tokens: token user name '${raw}' is not valid`);
    if (!(await getUserByName(db, name))) await createUsers(db, [name]);
    await ensureToken(db, token, { user: name }, trusted, log);
  }
}

async function ensureToken(db: Knex, token: string, owner: { user: string } | { service: string }, trusted: boolean, log: Logger): Promise<void> {
  const who = 'user' in owner ? `user ${owner.user}` : `service ${owner.service}`;
  if (token.length < MIN_TOKEN_LENGTH) {
    throw new HubError('CONFIG_INVALID', `the configured token for ${who} is shorter than ${MIN_TOKEN_LENGTH} characters`, { hint: 'Use a long random token, e.g. openssl rand -hex 32.' });
  }
  const found = await findToken(db, token);
  if (found) {
    const ownerName = found.user?.name ?? (found.service ? found.service.name : '');
    const same = 'user' in owner ? found.user?.name === owner.user : found.service?.name === owner.service;
    if (!same) throw new HubError('CONFIG_INVALID', `a configured token for ${who} already belongs to ${ownerName}`, { hint: 'Give each user and service its own token.' });
    return;
  }
  const ownerRef = 'user' in owner ? { userId: (await getUserByName(db, owner.user))?.id ?? -1 } : { serviceId: await serviceId(db, owner.service) };
  await createToken(db, ownerRef, { token, note: 'from config', trusted });
  log.info(`Added the configured API token for ${who}`);
}

async function serviceId(db: Knex, name: string): Promise<number> {
  const row = (await db('services').where({ name }).first('id')) as { id?: unknown } | undefined;
  if (typeof row?.id !== 'number') throw new HubError('DB_ERROR', `service ${name} is missing from the database`);
  return row.id;
}

/**
 * A service token that came from the config and is no longer there is deleted, so rotating a service's
 * api_token in the config really revokes the old one (JupyterHub 3.0 leaves it valid).
 */
async function dropStaleConfigTokens(db: Knex, configured: Map<string, string>, log: Logger): Promise<void> {
  const rows = asRows(await db('api_tokens').join('services', 'services.id', 'api_tokens.service_id')
    .where('api_tokens.note', 'from config').select('api_tokens.id', 'api_tokens.hashed', 'services.name'));
  for (const row of rows) {
    const name = readString(row, 'name');
    const hashed = readString(row, 'hashed');
    const still = [...configured].some(([token, owner]) => owner === name && compareToken(hashed, token));
    if (still) continue;
    await db('api_tokens').where({ id: readInt(row, 'id') }).delete();
    log.info(`Revoked the old configured token of service ${name}: it is no longer in the config`);
  }
}
