import { formatString, SCHEMA, type HubConfig } from '../../lib/config/index.js';
import { coerce } from '../../lib/config/coerce.js';
import type { Logger } from '../../lib/log.js';
import { serverPrefix } from './singleuser-contract.js';

/**
 * "The spawner" as config code sees it: what JupyterHub passes as its Spawner object to pre_spawn_hook,
 * auth_state_hook, post_stop_hook, options_form and options_from_form callables, callable environment values and
 * oauth_client_allowed_scopes/oauth_roles functions. Attributes carry JupyterHub's (Python) names, so a hook ported
 * from jupyterhub_config.py reads `spawner.user.name`, `spawner.user_options`, `spawner.environment`,
 * `spawner.mem_limit`; hub's earlier names `userOptions` and `env` stay as aliases.
 *
 * As user.py keeps one Spawner per server (user.spawners[name]), there is one object per server here, kept while
 * the hub runs: what the spawn page's auth_state_hook or options_form sets is there for options_from_form and the
 * spawn that follows, and what a hook changes carries over to the next spawn of that server, as in JupyterHub. A
 * spawn that failed leaves its object to post_stop_hook and the next spawn gets a fresh one (get_spawner's
 * replace_failed); deleting the server or its user drops it.
 */

/** The options a hook may change whose new value the spawn that follows uses (spawner.py start/get_env/get_args). */
export const SPAWN_ATTRIBUTES = [
  'cmd', 'args', 'notebook_dir', 'default_url', 'environment', 'env_keep', 'mem_limit', 'mem_guarantee',
  'cpu_limit', 'cpu_guarantee', 'debug', 'disable_user_config', 'ip', 'port', 'start_timeout', 'http_timeout',
  'hub_connect_url', 'options_form', 'oauth_client_allowed_scopes', 'oauth_roles',
] as const;

export type SpawnAttribute = (typeof SPAWN_ATTRIBUTES)[number];

/** An array or plain object copied one level deep (as the config's lists and dicts are per instance); else as is. */
function ownCopy(value: unknown): unknown {
  if (Array.isArray(value)) return [...value];
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) return { ...value };
  return value;
}

export interface SpawnerUser {
  name: string;
  id: number;
  admin: boolean;
}

/** spawner.log: the hub's logger with Python's method names too. */
export interface SpawnerLog {
  debug(message: string): void;
  info(message: string): void;
  warning(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export class HookSpawner {
  user: SpawnerUser;
  /** The server's name ('' for the default server). */
  readonly name: string;
  user_options: Record<string, unknown> = {};
  /** The server's API token during a spawn (spawner.api_token); hub does not take a changed one. */
  api_token = '';
  // Set from the config by the constructor (SPAWN_ATTRIBUTES), then by hooks.
  declare cmd: string[];
  declare args: string[];
  declare notebook_dir: string;
  declare default_url: string;
  declare environment: Record<string, unknown>;
  declare env_keep: string[];
  declare mem_limit: number | string | null;
  declare mem_guarantee: number | string | null;
  declare cpu_limit: number | null;
  declare cpu_guarantee: number | null;
  declare debug: boolean;
  declare disable_user_config: boolean;
  declare ip: string;
  declare port: number;
  declare start_timeout: number;
  declare http_timeout: number;
  declare hub_connect_url: string | null;
  declare options_form: unknown;
  declare oauth_client_allowed_scopes: unknown;
  declare oauth_roles: unknown;
  readonly log: SpawnerLog;
  readonly #baseUrl: string;
  /** hub's `env` alias during a spawn: how to build it, what it was when built, and the object hooks changed. */
  #envBuilder: (() => Record<string, string>) | null = null;
  #env: Record<string, string> | undefined;
  #envBefore: Record<string, string> = {};

  constructor(config: HubConfig, user: SpawnerUser, server: string, log: Logger) {
    const sp = config.Spawner;
    this.user = { ...user };
    this.name = server;
    this.#baseUrl = config.JupyterHub.base_url;
    // traitlets deep-copies config values into each instance: a hook that appends to args changes this server only.
    for (const name of SPAWN_ATTRIBUTES) (this as Record<SpawnAttribute, unknown>)[name] = ownCopy(sp[name]);
    const who = `[${user.name}${server ? `/${server}` : ''}]`;
    this.log = {
      debug: (m) => log.debug(`${who} ${m}`),
      info: (m) => log.info(`${who} ${m}`),
      warning: (m) => log.warn(`${who} ${m}`),
      warn: (m) => log.warn(`${who} ${m}`),
      error: (m) => log.error(`${who} ${m}`),
    };
  }

  /** hub's earlier name for user_options. */
  get userOptions(): Record<string, unknown> {
    return this.user_options;
  }

  set userOptions(v: Record<string, unknown>) {
    this.user_options = v;
  }

  /**
   * hub's earlier `env`: the environment the server gets. During a spawn it is built when first read, and what a
   * hook sets or deletes in it is laid over the environment the spawn finally builds from the attributes.
   */
  get env(): Record<string, string> {
    if (this.#env === undefined) {
      this.#env = this.#envBuilder?.() ?? {};
      this.#envBefore = { ...this.#env };
    }
    return this.#env;
  }

  set env(v: Record<string, string>) {
    if (this.#env === undefined) void this.env;
    this.#env = v;
  }

  /** spawner.py template_namespace: `{username}` as it is and `{base_url}`, the server's prefix. */
  template_namespace(): Record<string, string> {
    return { username: this.user.name, base_url: serverPrefix(this.#baseUrl, this.user.name, this.name) };
  }

  /** spawner.py format_string: Python's str.format with the template namespace. */
  format_string(s: string): string {
    return formatString(s, this.template_namespace());
  }

  /** A spawn begins: `env` is built from `build` when a hook reads it. */
  beginSpawn(build: () => Record<string, string>): void {
    this.#envBuilder = build;
    this.#env = undefined;
    this.#envBefore = {};
  }

  /** The environment the spawn built from the attributes, with the hooks' changes to `env` laid over it. */
  finishEnv(built: Record<string, string>): Record<string, string> {
    const out = { ...built };
    const changed = this.#env;
    if (changed !== undefined) {
      for (const key of Object.keys(this.#envBefore)) if (!Object.hasOwn(changed, key)) delete out[key];
      for (const [key, value] of Object.entries(changed)) if (this.#envBefore[key] !== value) out[key] = String(value);
    }
    this.#envBuilder = null;
    this.#env = out;
    this.#envBefore = { ...out };
    return out;
  }

  /**
   * The attributes the spawn uses, checked as traitlets checks an assignment (JupyterHub fails the spawn with a
   * TraitError): a bad value fails it here with what was expected. Byte sizes ('2G') become numbers of bytes.
   */
  settled(): SpawnSettings {
    const out: Record<string, unknown> = {};
    for (const name of SPAWN_ATTRIBUTES) {
      const spec = SCHEMA.Spawner.options[name];
      if (spec === undefined) continue;
      const r = coerce(spec.type, this[name], { path: `spawner.${name}`, code: true, baseDir: '' });
      if (!r.ok) throw new Error(`${r.problem} (set by a Spawner hook)`);
      out[name] = r.value;
    }
    return out as unknown as SpawnSettings;
  }
}

/** The checked attribute values a spawn runs with: the types the config's own checks give them. */
export type SpawnSettings = Pick<HubConfig['Spawner'], SpawnAttribute>;

/** user.spawners: one HookSpawner per server, made on first use from the config. */
export class SpawnerObjects {
  readonly #config: HubConfig;
  readonly #log: Logger;
  readonly #objects = new Map<string, { spawner: HookSpawner; failed: boolean }>();

  constructor(config: HubConfig, log: Logger) {
    this.#config = config;
    this.#log = log;
  }

  /** user.get_spawner(server, replace_failed): the server's object; a fresh one after a failed spawn if asked. */
  get(user: SpawnerUser, server: string, replaceFailed = false): HookSpawner {
    const k = key(user.name, server);
    const known = this.#objects.get(k);
    if (known !== undefined && !(replaceFailed && known.failed) && known.spawner.user.id === user.id) {
      Object.assign(known.spawner.user, user);
      return known.spawner;
    }
    const spawner = new HookSpawner(this.#config, user, server, this.#log);
    this.#objects.set(k, { spawner, failed: false });
    return spawner;
  }

  /** The server's object if there is one (a stop after a hub restart has none yet). */
  find(user: string, server: string): HookSpawner | undefined {
    return this.#objects.get(key(user, server))?.spawner;
  }

  markFailed(user: string, server: string): void {
    const known = this.#objects.get(key(user, server));
    if (known !== undefined) known.failed = true;
  }

  /** A deleted server (or, without `server`, every server of a deleted or renamed user). */
  forget(user: string, server?: string): void {
    if (server !== undefined) {
      this.#objects.delete(key(user, server));
      return;
    }
    for (const k of [...this.#objects.keys()]) if (k.startsWith(`${user}\u0000`)) this.#objects.delete(k);
  }
}

function key(user: string, server: string): string {
  return `${user}\u0000${server}`;
}
