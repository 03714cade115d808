/**
 * Routes keyed by URL path segments (CHP's URLTrie idea): a lookup walks one node per segment of the request
 * path, so its cost grows with the path's depth and not with the number of routes. Only nodes that hold a route
 * carry a value; intermediate nodes exist to reach deeper routes and are pruned when they become empty.
 *
 * Segmentation is CHP's: leading and trailing slashes are ignored, inner empty segments are kept
 * (`/a//b` is `a`, ``, `b`), and matching is by whole segments (`/user/ann` never matches `/user/anna`).
 */

const SLASH = 47; // '/'

/** A node that holds a route; `match` hands it back as is, so a lookup allocates nothing. */
export interface TrieMatch<T> {
  readonly prefix: string;
  readonly value: T;
}

class TrieNode<T> {
  children: Map<string, TrieNode<T>> | undefined = undefined;
  value: T | undefined = undefined;
  constructor(readonly prefix: string) {}

  child(segment: string): TrieNode<T> | undefined {
    return this.children?.get(segment);
  }

  isEmpty(): boolean {
    return this.value === undefined && (this.children === undefined || this.children.size === 0);
  }
}

/** The bounds of `path` once its leading and trailing slashes are ignored. */
function trimmedBounds(path: string): [number, number] {
  let start = 0;
  let end = path.length;
  while (start < end && path.charCodeAt(start) === SLASH) start++;
  while (end > start && path.charCodeAt(end - 1) === SLASH) end--;
  return [start, end];
}

/** `/prefix/string/` -> `['prefix', 'string']`; `/` and `` -> `[]`. */
export function pathSegments(path: string): string[] {
  const [start, end] = trimmedBounds(path);
  return start === end ? [] : path.slice(start, end).split('/');
}

/**
 * The canonical spelling of a route prefix: one leading slash, no trailing slash, `/` for the root.
 * Store keys and trie keys both derive from it, so the two can never disagree about which route a key names.
 */
export function canonicalPrefix(path: string): string {
  const [start, end] = trimmedBounds(path);
  return start === end ? '/' : '/' + path.slice(start, end);
}

export class RouteTrie<T> {
  private readonly root = new TrieNode<T>('/');
  private count = 0;

  /** Number of stored routes (not nodes). */
  get size(): number {
    return this.count;
  }

  set(prefix: string, value: T): void {
    let node = this.root;
    for (const segment of pathSegments(prefix)) {
      let next = node.child(segment);
      if (next === undefined) {
        next = new TrieNode<T>(node === this.root ? `/${segment}` : `${node.prefix}/${segment}`);
        (node.children ??= new Map()).set(segment, next);
      }
      node = next;
    }
    if (node.value === undefined) this.count++;
    node.value = value;
  }

  /** Exact lookup: the value stored at this prefix, not a longer-prefix match. */
  get(prefix: string): T | undefined {
    let node: TrieNode<T> | undefined = this.root;
    for (const segment of pathSegments(prefix)) {
      node = node.child(segment);
      if (node === undefined) return undefined;
    }
    return node.value;
  }

  /** Removes the route at exactly this prefix and prunes the nodes that no longer lead anywhere. */
  delete(prefix: string): boolean {
    const segments = pathSegments(prefix);
    const trail: TrieNode<T>[] = [this.root];
    let node = this.root;
    for (const segment of segments) {
      const next = node.child(segment);
      if (next === undefined) return false;
      trail.push(next);
      node = next;
    }
    if (node.value === undefined) return false;
    node.value = undefined;
    this.count--;
    for (let i = segments.length; i > 0; i--) {
      const current = trail[i];
      const parent = trail[i - 1];
      if (current === undefined || parent === undefined || !current.isEmpty()) break;
      parent.children?.delete(segments[i - 1] ?? '');
    }
    return true;
  }

  /**
   * Longest-prefix match of a request path (already decoded, host segment first when routing by host).
   * Walks the string in place instead of splitting it: this runs once per proxied request.
   */
  match(path: string): TrieMatch<T> | undefined {
    let node: TrieNode<T> = this.root;
    let best: TrieNode<T> | undefined = node.value === undefined ? undefined : node;
    const bounds = trimmedBounds(path);
    const end = bounds[1];
    let i = bounds[0];
    while (i < end) {
      let j = path.indexOf('/', i);
      if (j === -1 || j > end) j = end;
      const next = node.child(path.slice(i, j));
      if (next === undefined) break;
      node = next;
      if (node.value !== undefined) best = node;
      i = j + 1;
    }
    return best as TrieMatch<T> | undefined;
  }
}
