/**
 * One pass of jupyterhub-idle-culler (1.2.1 to 1.4.x) as seen from the hub: the same requests, in the same order,
 * with the same headers, query parameters and bodies, and the same decisions on the models it reads. Written from
 * the culler's documented behaviour for our contract test; none of its code is here. What it does:
 *
 * 1. GET {api}/ (1.2.0 asked {api}/info, which needs read:hub) and compare `version` with 1.3.0: from 1.3.0 on the
 *    user list is filtered on the server.
 * 2. With --cull-users, GET {api}/users?state=inactive[&limit=N], then GET {api}/users?[limit=N&]state=ready, both
 *    with `Accept: application/jupyterhub-pagination+json`, following `_pagination.next.url` verbatim.
 * 3. Per user (one after the other), its servers at once: skip a pending or not-ready one; cull it when
 *    now - last_activity (or - started) >= the timeout, or when --max-age and now - started >= max age:
 *    DELETE {api}/users/{name}/server, or .../servers/{server} with body {"remove": true} under
 *    --remove-named-servers. 202 means "slow to stop": that user keeps a live server.
 * 4. With --cull-users and every server stopped: DELETE {api}/users/{name} when idle (by last_activity, else
 *    created) and not an admin under --cull-admin-users=false, or older than --max-age.
 *
 * Every request carries `Authorization: token <token>`. A reply >= 400 is an error for that user (the culler logs a
 * traceback and moves on); the exchanges are kept so a test can assert each status.
 */

export interface CullOptions {
  /** --timeout, seconds. */
  timeout: number;
  /** --max-age, seconds; 0 is off. */
  maxAge?: number;
  cullUsers?: boolean;
  removeNamedServers?: boolean;
  cullAdminUsers?: boolean;
  /** --api-page-size; 0 leaves the page size to the hub. */
  apiPageSize?: number;
  /** The culler's clock (ms since the epoch): a test moves it forward instead of sleeping, as the culler's own tests do. */
  now: number;
}

export interface Exchange {
  method: string;
  url: string;
  accept: string | null;
  body: string | null;
  status: number;
  reply: unknown;
}

export interface CullPass {
  exchanges: Exchange[];
  /** Lines in the spirit of the culler's log: "cull server ann", "slow server bob", "error user ann: 403" ... */
  log: string[];
}

interface ServerModel {
  name?: string;
  url?: string | null;
  ready?: boolean;
  pending?: string | null;
  started?: string | null;
  last_activity?: string | null;
}

interface UserModel {
  name: string;
  admin?: boolean;
  created?: string | null;
  last_activity?: string | null;
  servers?: Record<string, ServerModel>;
}

const PAGINATION = 'application/jupyterhub-pagination+json';

class HttpError extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
  }
}

/** The culler compares versions with packaging.version (1.3+) or LooseVersion: numeric release parts are enough here. */
export function versionAtLeast(version: string, wanted: string): boolean {
  const parts = (v: string): number[] => (/^\d+(\.\d+)*/.exec(v)?.[0] ?? '0').split('.').map(Number);
  const [a, b] = [parts(version), parts(wanted)];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d > 0;
  }
  return true;
}

function withQuery(url: string, params: [string, string][]): string {
  return params.length === 0 ? url : `${url}?${new URLSearchParams(params).toString()}`;
}

function seconds(now: number, iso: string | null | undefined): number | null {
  return iso ? (now - Date.parse(iso)) / 1000 : null;
}

export async function cullPass(api: string, token: string, o: CullOptions): Promise<CullPass> {
  const exchanges: Exchange[] = [];
  const log: string[] = [];

  const call = async (method: string, url: string, opts: { accept?: string; body?: string } = {}): Promise<Exchange> => {
    const headers: Record<string, string> = { Authorization: `token ${token}` };
    if (opts.accept) headers.Accept = opts.accept;
    // Kept in the order the requests were sent: one user's servers are stopped concurrently.
    const ex: Exchange = { method, url, accept: opts.accept ?? null, body: opts.body ?? null, status: 0, reply: null };
    exchanges.push(ex);
    const res = await fetch(url, { method, headers, body: opts.body });
    const text = await res.text();
    ex.status = res.status;
    ex.reply = text;
    try {
      ex.reply = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON: keep the text */
    }
    if (res.status >= 400) throw new HttpError(res.status);
    return ex;
  };

  async function* paginated(url: string): AsyncGenerator<UserModel> {
    let next: string | null = url;
    while (next) {
      const reply = (await call('GET', next, { accept: PAGINATION })).reply as UserModel[] | { items: UserModel[]; _pagination: { next: { url: string } | null } };
      if (Array.isArray(reply)) {
        yield* reply;
        return;
      }
      next = reply._pagination.next?.url ?? null;
      yield* reply.items;
    }
  }

  const handleServer = async (user: UserModel, serverName: string, server: ServerModel): Promise<boolean> => {
    const logName = serverName ? `${user.name}/${serverName}` : user.name;
    if (server.pending) {
      log.push(`not culling server ${logName}: pending ${server.pending}`);
      return false;
    }
    if (!(server.ready ?? Boolean(server.url))) {
      log.push(`not culling server ${logName}: not ready`);
      return false;
    }
    const age = seconds(o.now, server.started);
    const inactive = server.last_activity ? seconds(o.now, server.last_activity) : age;
    const cull = (inactive !== null && inactive >= o.timeout) || (Boolean(o.maxAge) && age !== null && age >= (o.maxAge ?? 0));
    if (!cull) {
      log.push(`not culling server ${logName}`);
      return false;
    }
    log.push(`cull server ${logName}`);
    const base = `${api}/users/${encodeURIComponent(user.name)}`;
    const named = serverName !== '';
    const url = named ? `${base}/servers/${encodeURIComponent(server.name ?? serverName)}` : `${base}/server`;
    const ex = await call('DELETE', url, { body: named && o.removeNamedServers ? JSON.stringify({ remove: true }) : undefined });
    if (ex.status === 202) {
      log.push(`slow server ${logName}`);
      return false;
    }
    return true;
  };

  const handleUser = async (user: UserModel): Promise<void> => {
    const servers = user.servers;
    if (!servers) throw new Error(`user ${user.name} has no servers field: the token lacks read:servers`);
    const results = await Promise.all(Object.entries(servers).map(([n, s]) => handleServer(user, n, s)));
    if (!o.cullUsers || results.some((stopped) => !stopped)) return;
    const age = seconds(o.now, user.created);
    const inactive = user.last_activity ? seconds(o.now, user.last_activity) : age;
    const idle = inactive !== null && inactive >= o.timeout && (o.cullAdminUsers !== false || !user.admin);
    const old = Boolean(o.maxAge) && age !== null && age >= (o.maxAge ?? 0);
    if (!idle && !old) {
      log.push(`not culling user ${user.name}`);
      return;
    }
    log.push(`cull user ${user.name}`);
    await call('DELETE', `${api}/users/${user.name}`);
  };

  const info = (await call('GET', `${api}/`)).reply as { version?: unknown };
  const stateFilter = versionAtLeast(String(info.version), '1.3.0');
  const limit: [string, string][] = o.apiPageSize ? [['limit', String(o.apiPageSize)]] : [];
  const users: UserModel[] = [];
  if (stateFilter && o.cullUsers) {
    for await (const u of paginated(withQuery(`${api}/users`, [['state', 'inactive'], ...limit]))) users.push(u);
  }
  for await (const u of paginated(withQuery(`${api}/users`, stateFilter ? [...limit, ['state', 'ready']] : limit))) users.push(u);
  for (const user of users) {
    try {
      await handleUser(user);
    } catch (err) {
      log.push(`error user ${user.name}: ${err instanceof HttpError ? err.status : String(err)}`);
    }
  }
  return { exchanges, log };
}
