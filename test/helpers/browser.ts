import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/**
 * Two browsers for page tests: `HttpBrowser`, a cookie jar over node:http that behaves as a browser does with
 * cookies (path matching, Max-Age=0 deletes) but follows no redirects, so tests see every 302; and
 * `launchChromium`, the real headless Chromium (Debian's) driven by playwright-core with a fresh profile.
 */
export interface PageResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

interface Cookie {
  value: string;
  path: string;
  attributes: string;
}

export class HttpBrowser {
  readonly origin: string;
  readonly jar = new Map<string, Cookie[]>();

  /** `origin` like http://127.0.0.1:8081 */
  constructor(origin: string) {
    this.origin = origin.replace(/\/$/, '');
  }

  cookieHeader(pathname: string): string {
    const pairs: { name: string; c: Cookie }[] = [];
    for (const [name, list] of this.jar) for (const c of list) if (pathname.startsWith(c.path)) pairs.push({ name, c });
    // Longer paths first, as browsers send them.
    pairs.sort((a, b) => b.c.path.length - a.c.path.length);
    return pairs.map((p) => `${p.name}=${p.c.value}`).join('; ');
  }

  /** The raw Set-Cookie line last seen for a cookie name (to check its attributes). */
  cookie(name: string): Cookie | undefined {
    return this.jar.get(name)?.[0];
  }

  private store(setCookie: string[] | undefined): void {
    for (const line of setCookie ?? []) {
      const [pair = '', ...attrs] = line.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i).trim();
      const value = pair.slice(i + 1).trim();
      const cookiePath = /path=([^;]*)/i.exec(line)?.[1]?.trim() ?? '/';
      const others = (this.jar.get(name) ?? []).filter((c) => c.path !== cookiePath);
      const maxAge = /max-age=(-?\d+)/i.exec(line)?.[1];
      const list = maxAge !== undefined && Number(maxAge) <= 0 ? others : [...others, { value, path: cookiePath, attributes: attrs.join(';').trim() }];
      if (list.length === 0) this.jar.delete(name);
      else this.jar.set(name, list);
    }
  }

  async request(method: string, target: string, opts: { headers?: Record<string, string>; body?: string } = {}): Promise<PageResponse> {
    const url = new URL(target, this.origin);
    const cookie = this.cookieHeader(url.pathname);
    const headers: Record<string, string> = { ...(cookie ? { cookie } : {}), ...(opts.headers ?? {}) };
    return new Promise((resolve, reject) => {
      const req = http.request({ host: url.hostname, port: url.port, path: url.pathname + url.search, method, headers, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => {
          this.store(res.headers['set-cookie']);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') });
        });
      });
      req.on('error', reject);
      if (opts.body !== undefined) req.write(opts.body);
      req.end();
    });
  }

  get(target: string, headers: Record<string, string> = {}): Promise<PageResponse> {
    return this.request('GET', target, { headers });
  }

  /** A form POST (application/x-www-form-urlencoded). */
  post(target: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<PageResponse> {
    const body = new URLSearchParams(form).toString();
    return this.request('POST', target, { headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });
  }

  /** Loads the login page, then posts the form with its XSRF token. */
  async login(hubPrefix: string, username: string, password: string, next?: string): Promise<PageResponse> {
    const query = next === undefined ? '' : `?next=${encodeURIComponent(next)}`;
    const page = await this.get(`${hubPrefix}login${query}`);
    return this.post(`${hubPrefix}login${query}`, { _xsrf: xsrfFrom(page.text), username, password });
  }
}

/** The `_xsrf` hidden field of the first form on a page. */
export function xsrfFrom(html: string): string {
  const m = /name="_xsrf" value="([^"]+)"/.exec(html);
  if (!m?.[1]) throw new Error('no _xsrf field on the page');
  return m[1];
}

export interface Chromium {
  page: import('playwright-core').Page;
  context: import('playwright-core').BrowserContext;
  close: () => Promise<void>;
}

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run'];

/** Headless Debian Chromium with a fresh profile directory, removed again by close(). */
/** `extraArgs`: more Chromium switches, e.g. `--host-resolver-rules=MAP *.hub.test 127.0.0.1` for host names. */
export async function launchChromium(viewport = { width: 1280, height: 800 }, extraArgs: string[] = []): Promise<Chromium> {
  const { chromium } = await import('playwright-core');
  const profile = await mkdtemp(path.join(os.tmpdir(), 'hub-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: '/usr/bin/chromium', headless: true, args: [...CHROMIUM_ARGS, ...extraArgs], viewport });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    page,
    context,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/**
 * A screenshot saved as a test artifact. Headless Chromium now and then answers "Unable to capture screenshot"
 * on a busy machine (a frame not ready yet); the artifact is taken again then, up to three times, instead of the
 * test failing on what is not its subject.
 */
export async function saveScreenshot(page: import('playwright-core').Page, options: { path: string; fullPage?: boolean }): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await page.screenshot(options);
      return;
    } catch (err) {
      if (attempt >= 3 || !/Unable to capture screenshot/.test(err instanceof Error ? err.message : String(err))) throw err;
      await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
    }
  }
}
