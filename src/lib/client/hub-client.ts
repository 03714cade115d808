import http from 'node:http';
import { existsSync } from 'node:fs';
import { HubError, errnoCode } from '../errors.js';
import { HUB_VERSION, HUB_VERSION_HEADER } from '../version.js';

/**
 * The CLI's only way to the daemon: HTTP over the control socket. The socket serves the same REST API as the
 * hub port, with the caller as the operator (file permissions are the authentication), so this is a thin
 * typed layer over JupyterHub's API plus hub's own /hub/ext/ prefix.
 */
export interface HubResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  /** Statuses that are not errors for this call (e.g. 404 when probing). */
  accept?: number[];
}

export const NOT_RUNNING_HINT = 'start it with: hub start';

export class HubClient {
  readonly socketPath: string;
  private readonly agent: http.Agent;
  private versionChecked = false;
  onVersionWarning: (msg: string) => void = () => undefined;

  constructor(socketPath: string) {
    this.socketPath = socketPath;
    // Our own agent: keep-alive across the calls of one command, never http.globalAgent.
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  }

  close(): void {
    this.agent.destroy();
  }

  async request(method: string, path: string, opts: RequestOptions = {}): Promise<HubResponse> {
    const payload = opts.body === undefined ? undefined : Buffer.from(JSON.stringify(opts.body));
    const headers: Record<string, string> = { accept: 'application/json', 'x-hub-client-version': HUB_VERSION, ...opts.headers };
    if (payload) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(payload.length);
    }
    const res = await new Promise<HubResponse>((resolve, reject) => {
      const req = http.request({ socketPath: this.socketPath, path, method, headers, agent: this.agent }, (r) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          if ((r.headers['content-type'] ?? '').includes('json') && text.length > 0) {
            try {
              body = JSON.parse(text);
            } catch {
              body = text;
            }
          }
          resolve({ status: r.statusCode ?? 0, headers: r.headers, body });
        });
        r.on('error', reject);
      });
      req.on('error', (err) => reject(connectError(this.socketPath, err)));
      if (payload) req.write(payload);
      req.end();
    });
    this.checkVersion(res.headers);
    if (res.status >= 400 && !(opts.accept ?? []).includes(res.status)) throw apiError(method, path, res);
    return res;
  }

  async get(path: string, opts?: RequestOptions): Promise<unknown> {
    return (await this.request('GET', path, opts)).body;
  }

  async post(path: string, body?: unknown, opts: RequestOptions = {}): Promise<HubResponse> {
    return this.request('POST', path, { ...opts, ...(body === undefined ? {} : { body }) });
  }

  async patch(path: string, body: unknown, opts: RequestOptions = {}): Promise<HubResponse> {
    return this.request('PATCH', path, { ...opts, body });
  }

  /** JupyterHub takes bodies on some DELETEs (`{remove: true}`, `{users: [...]}`). */
  async delete(path: string, body?: unknown, opts: RequestOptions = {}): Promise<HubResponse> {
    return this.request('DELETE', path, { ...opts, ...(body === undefined ? {} : { body }) });
  }

  private checkVersion(headers: http.IncomingHttpHeaders): void {
    if (this.versionChecked) return;
    this.versionChecked = true;
    const daemon = headers[HUB_VERSION_HEADER];
    if (typeof daemon !== 'string' || daemon === HUB_VERSION) return;
    const [a = '', b = ''] = daemon.split('.');
    const [c = '', d = ''] = HUB_VERSION.split('.');
    const msg = `this hub CLI is version ${HUB_VERSION} but the running daemon is ${daemon}`;
    if (a !== c || b !== d) {
      throw new HubError('VERSION_MISMATCH', msg, {
        hint: 'Restart the daemon so it runs the installed version (systemctl restart hub), or use the CLI that matches it.',
      });
    }
    this.onVersionWarning(`${msg}; restart the daemon to run the installed version`);
  }
}

/**
 * The daemon's own message is the line the user sees (`No such user: bob`); the method and path only when the
 * daemon gave none. A route the daemon does not have (an older daemon) is "not implemented", not "not found".
 */
export function apiError(method: string, path: string, res: HubResponse): HubError {
  const message = messageOf(res.body);
  const text = message ?? `${method} ${path}: HTTP ${res.status}`;
  if (res.status === 405 || (res.status === 404 && message?.startsWith('no such path'))) {
    return new HubError('NOT_IMPLEMENTED', `the running daemon has no ${method} ${path.split('?')[0] ?? path}`, {
      hint: 'hub status shows the daemon version; restart the daemon after upgrading hub.',
    });
  }
  if (res.status === 429) {
    const retry = res.headers['retry-after'];
    return new HubError('THROTTLED', text, { hint: `The hub is at a spawn limit; try again${typeof retry === 'string' ? ` in ${retry} s` : ' later'}.` });
  }
  const code = res.status === 404 ? 'NOT_FOUND' : res.status === 409 ? 'CONFLICT' : res.status === 403 ? 'FORBIDDEN' : 'API_ERROR';
  const hint = CONFIG_HINTS[text];
  return new HubError(code, text, hint === undefined ? {} : { hint });
}

/** JupyterHub's refusals that a config option lifts: the option to set. */
const CONFIG_HINTS: Readonly<Record<string, string>> = {
  'Named servers are not enabled.': 'Set JupyterHub.allow_named_servers: true in the config and restart the hub.',
};

function messageOf(body: unknown): string | undefined {
  if (typeof body === 'object' && body !== null && 'message' in body && typeof body.message === 'string') return body.message;
  return typeof body === 'string' && body.length > 0 && body.length < 300 ? body : undefined;
}

/** The socket is missing or dead: the daemon is not running; EACCES: not the operator. */
export function connectError(socketPath: string, err: unknown): HubError {
  const code = errnoCode(err);
  if (code === 'ENOENT' || code === 'ECONNREFUSED') {
    const what = existsSync(socketPath) ? `nothing is listening on ${socketPath}` : `no socket at ${socketPath}`;
    return new HubError('DAEMON_NOT_RUNNING', `hub is not running (${what}); ${NOT_RUNNING_HINT}`, {
      hint: 'If it runs with another config or state directory, pass the same --config, or --socket PATH.',
    });
  }
  if (code === 'EACCES') {
    return new HubError('FORBIDDEN', `permission denied on ${socketPath}`, {
      hint: 'The control socket is the operator door (mode 0600): run the command as the user that runs the hub (often root).',
    });
  }
  return new HubError('IO_ERROR', `cannot reach the hub at ${socketPath}: ${err instanceof Error ? err.message : String(err)}`);
}
