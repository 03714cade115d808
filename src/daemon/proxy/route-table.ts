/**
 * The proxy's route store, shaped like CHP's MemoryStore: `{prefix: {target, last_activity, ...extra}}` for the
 * REST API, plus a trie for matching requests. Activity is a number on the entry (not a Date) because the proxy
 * bumps it on every data chunk; a Date is only built when the API serialises the table.
 */
import { RouteTrie, canonicalPrefix } from './route-trie.js';

/** Data posted for a route: `target` plus whatever the caller added (JupyterHub: `jupyterhub`, `user`, ...). */
export type RouteData = { target: string } & Record<string, unknown>;

export interface RouteEntry {
  readonly prefix: string;
  target: string;
  /** Parsed once when the route is added, so the hot path never parses a target. */
  targetUrl: URL;
  /** As posted (minus `last_activity`, which the proxy owns), plus `host` when routing by host. */
  data: RouteData;
  /** Milliseconds since the epoch. */
  lastActivity: number;
}

/** One route as the API returns it. */
export type RouteJson = Record<string, unknown> & { target: string; last_activity: string };

const TARGET_PROTOCOLS = new Set(['http:', 'https:', 'ws:', 'wss:']);

/** The target as a URL the proxy can connect to, or undefined when it is not one. */
export function parseTarget(target: string): URL | undefined {
  try {
    const url = new URL(target);
    return TARGET_PROTOCOLS.has(url.protocol) && url.hostname !== '' ? url : undefined;
  } catch {
    return undefined;
  }
}

export class RouteTable {
  private readonly byPrefix = new Map<string, RouteEntry>();
  private readonly trie = new RouteTrie<RouteEntry>();

  constructor(private readonly opts: { hostRouting?: boolean; now?: () => number } = {}) {}

  get size(): number {
    return this.byPrefix.size;
  }

  /**
   * Adds or replaces a route. Replacing keeps the entry object, so requests and websockets already in flight
   * keep recording activity on the route (CHP looks the prefix up again on every chunk, with the same effect).
   */
  add(prefix: string, posted: RouteData): RouteEntry {
    const key = canonicalPrefix(prefix);
    const targetUrl = parseTarget(posted.target);
    if (targetUrl === undefined) throw new TypeError(`route target is not an http(s) URL: ${posted.target}`);
    const data: RouteData = { ...posted };
    delete data.last_activity;
    // CHP records the host of a host route in its data; JupyterHub ignores it, other clients may not.
    if (this.opts.hostRouting && key !== '/') data.host = key.slice(1).split('/', 1)[0];
    const now = this.opts.now?.() ?? Date.now();
    const existing = this.byPrefix.get(key);
    if (existing !== undefined) {
      existing.target = posted.target;
      existing.targetUrl = targetUrl;
      existing.data = data;
      existing.lastActivity = now;
      return existing;
    }
    const entry: RouteEntry = { prefix: key, target: posted.target, targetUrl, data, lastActivity: now };
    this.byPrefix.set(key, entry);
    this.trie.set(key, entry);
    return entry;
  }

  get(prefix: string): RouteEntry | undefined {
    return this.byPrefix.get(canonicalPrefix(prefix));
  }

  remove(prefix: string): boolean {
    const key = canonicalPrefix(prefix);
    if (!this.byPrefix.delete(key)) return false;
    this.trie.delete(key);
    return true;
  }

  /** Longest-prefix match of a decoded request path (host segment first when routing by host). */
  match(path: string): RouteEntry | undefined {
    return this.trie.match(path)?.value;
  }

  entries(): IterableIterator<RouteEntry> {
    return this.byPrefix.values();
  }

  /** The API's view of all routes; with `inactiveSince`, only those whose last activity is strictly older. */
  toJson(inactiveSince?: number): Record<string, RouteJson> {
    const out: Record<string, RouteJson> = {};
    for (const entry of this.byPrefix.values()) {
      if (inactiveSince !== undefined && !(entry.lastActivity < inactiveSince)) continue;
      out[entry.prefix] = routeJson(entry);
    }
    return out;
  }
}

export function routeJson(entry: RouteEntry): RouteJson {
  return { ...entry.data, last_activity: new Date(entry.lastActivity).toISOString() };
}
