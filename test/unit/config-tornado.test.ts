/**
 * The pieces behind tornado_settings, extra_handlers and extra_log_handlers that need no hub: the checks and
 * normalisation of the values, tornado's URL pattern semantics, cookie attributes, and log record dispatch.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { coerce } from '../../src/lib/config/coerce.js';
import { handlerRegex } from '../../src/lib/config/extra-handlers.js';
import { cloneValue } from '../../src/lib/config/settings.js';
import { loadConfig, type TornadoSettings } from '../../src/lib/config/index.js';
import { buildEnv } from '../../src/daemon/spawner/singleuser-contract.js';
import { serializeCookie, withCookieKwargs } from '../../src/daemon/auth/cookies.js';
import { createLogger, logSinks, type LogRecord } from '../../src/lib/log.js';

const TS = { kind: 'tornado-settings' } as const;
const ctx = (code = true) => ({ path: 'JupyterHub.tornado_settings', code, baseDir: '/' });

function settings(value: unknown): TornadoSettings {
  const r = coerce(TS, value, ctx());
  assert.ok(r.ok, r.ok ? '' : r.problem);
  return r.value as TornadoSettings;
}

function problem(value: unknown, code = true): string {
  const r = coerce(TS, value, ctx(code));
  assert.ok(!r.ok, 'accepted');
  return r.problem;
}

test("tornado_settings: JupyterHub's defaults, normalised cookie attributes, option keys checked as the option", () => {
  const empty = settings({});
  assert.equal(empty.slow_spawn_timeout, 10);
  assert.equal(empty.slow_stop_timeout, 10);
  assert.deepEqual(empty.spawn_throttle_retry_range, [30, 60]);
  assert.equal(empty.user_redirect_limit, 4);
  assert.deepEqual(empty.headers, {});
  const s = settings({
    headers: { 'Strict-Transport-Security': 'max-age=31536000', 'X-Number': 5 },
    cookie_options: { SameSite: 'none', 'max-age': 60, Expires: new Date(Date.UTC(2030, 0, 1)), expires_days: null, HttpOnly: false },
    spawn_throttle_retry_range: [60, 5],
    concurrent_spawn_limit: 3,
    default_url: '/hub/home',
    debug: true,
  });
  assert.deepEqual(s.headers, { 'Strict-Transport-Security': 'max-age=31536000', 'X-Number': '5' });
  assert.deepEqual(s.cookie_options, { samesite: 'None', max_age: 60, expires: Date.UTC(2030, 0, 1) / 1000, expires_days: null, httponly: false });
  assert.deepEqual(s.spawn_throttle_retry_range, [5, 60], 'random.uniform takes its bounds in either order');
  assert.deepEqual(s.overrides, { concurrent_spawn_limit: 3, default_url: '/hub/home' });
  assert.deepEqual(s.unused, { debug: true });
});

test('tornado_settings: bad values are named by their path', () => {
  assert.equal(problem('x'), 'JupyterHub.tornado_settings must be a mapping of settings, found "x" (string)');
  assert.match(problem({ headers: { 'X-A': 'a\r\nSet-Cookie: x=1' } }), /^JupyterHub\.tornado_settings\.headers\.X-A: not a valid HTTP header/);
  assert.match(problem({ headers: { 'Bad Name': 'a' } }), /^JupyterHub\.tornado_settings\.headers\.Bad Name: not a valid HTTP header/);
  assert.equal(problem({ cookie_options: { samesite: 'sometimes' } }), "JupyterHub.tornado_settings.cookie_options.samesite must be 'Strict', 'Lax' or 'None', found \"sometimes\" (string)");
  assert.match(problem({ cookie_options: { domain: 'a; HttpOnly' } }), /cookie_options\.domain must be a string without ";"/);
  assert.match(problem({ xsrf_cookie_kwargs: { comment: 'x' } }), /xsrf_cookie_kwargs\.comment: unknown cookie attribute/);
  assert.match(problem({ slow_spawn_timeout: -1 }), /slow_spawn_timeout must be a number of seconds \(0 or more\), found -1 \(number\)/);
  assert.match(problem({ spawn_throttle_retry_range: [30] }), /spawn_throttle_retry_range must be a \[min, max\] pair of seconds/);
  assert.match(problem({ user_redirect_limit: 1.5 }), /user_redirect_limit must be an integer/);
  assert.equal(problem({ concurrent_spawn_limit: 'many' }), 'JupyterHub.tornado_settings.concurrent_spawn_limit must be an integer, found "many" (string)');
});

test('extra_handlers entries: pairs only, patterns compiled, functions only from code', () => {
  const type = { kind: 'list', items: { kind: 'http-handler' } } as const;
  const fn = (): void => undefined;
  const ok = coerce(type, [['/a/(\\d+)', fn], [/^\/b$/i, fn]], { path: 'JupyterHub.extra_handlers', code: true, baseDir: '/' });
  assert.ok(ok.ok);
  const bad = (value: unknown, code = true): string => {
    const r = coerce(type, value, { path: 'JupyterHub.extra_handlers', code, baseDir: '/' });
    assert.ok(!r.ok);
    return r.problem;
  };
  assert.match(bad([['/a', fn, 'extra']]), /^JupyterHub\.extra_handlers\[0\] must be a \[pattern, handler function\] pair/);
  assert.match(bad([[42, fn]]), /^JupyterHub\.extra_handlers\[0\]\[0\] must be a URL pattern/);
  assert.match(bad([['/ok', fn], ['/(', fn]]), /^JupyterHub\.extra_handlers\[1\]\[0\] is not a valid regular expression/);
  assert.match(bad([['/a', 'pkg.Handler']], false), /^JupyterHub\.extra_handlers\[0\]\[1\] must be a function .*; functions can only be set in a JS\/TS config file/);
});

test("handler patterns follow tornado's: joined to the hub prefix, anchored at both ends, Python named groups", () => {
  for (const p of ['/my-page', 'my-page', '^/my-page$', '//my-page']) {
    const re = handlerRegex(p);
    assert.ok(re.test('/my-page'), p);
    assert.ok(!re.test('/my-page/x') && !re.test('/x/my-page'), p);
  }
  assert.equal(handlerRegex('/(?P<id>\\d+)/(?P=id)').exec('/7/7')?.groups?.id, '7');
  assert.ok(handlerRegex('/a|b').test('/b'), 'alternatives stay inside the anchors');
  assert.ok(!handlerRegex('/a|b').test('/bx'));
  const flagged = handlerRegex(/\/Page/gi);
  assert.equal(flagged.flags, 'i', 'g and y would make matching stateful');
  assert.ok(flagged.test('/page') && flagged.test('/page'));
  assert.ok(handlerRegex('/cost\\$').test('/cost$'), 'an escaped $ is kept');
});

test('extra_log_handlers entries: functions and objects with handle(), which keep their this and level', () => {
  class Handler {
    level = 30;
    seen: string[] = [];
    handle(r: LogRecord): void {
      this.seen.push(r.message);
    }
  }
  const h = new Handler();
  const type = { kind: 'list', items: { kind: 'log-handler' } } as const;
  const r = coerce(type, [(x: LogRecord) => got.push(x), h], { path: 'JupyterHub.extra_log_handlers', code: true, baseDir: '/' });
  assert.ok(r.ok);
  const got: LogRecord[] = [];
  // Loaded config values pass through cloneValue: an instance must survive it.
  const entries = cloneValue(r.value) as Parameters<typeof logSinks>[0];
  const lines: string[] = [];
  const log = createLogger({ level: 20, format: '%(levelname)s %(message)s', datefmt: '%Y', write: (l) => lines.push(l), handlers: logSinks(entries) });
  log.debug('below log_level');
  log.info('hello');
  log.child('spawner').warn('careful');
  assert.deepEqual(got.map((x) => x.message), ['hello', 'careful']);
  assert.deepEqual(h.seen, ['careful'], "the object's level filters, and handle() runs as its method");
  const first = got[0];
  assert.ok(first);
  assert.equal(first.levelname, 'INFO');
  assert.equal(first.name, 'JupyterHub');
  assert.equal(first.getMessage(), 'hello');
  assert.equal(first.formatted, 'INFO hello');
  assert.equal(first.asctime, String(new Date().getFullYear()));
  assert.equal(got[1]?.module, 'spawner');
  assert.equal(got[1]?.levelname, 'WARNING');
});

test('a log handler that throws is reported once and the others keep getting records', () => {
  const lines: string[] = [];
  const got: string[] = [];
  const sinks = [
    { handle: () => { throw new Error('broken'); }, level: 0, label: 'JupyterHub.extra_log_handlers[0]' },
    { handle: (r: LogRecord) => { got.push(r.message); }, level: 0, label: 'JupyterHub.extra_log_handlers[1]' },
  ];
  const log = createLogger({ level: 10, format: '%(levelname)s %(message)s', datefmt: '', write: (l) => lines.push(l), handlers: sinks });
  log.info('one');
  log.info('two');
  assert.deepEqual(got, ['one', 'two']);
  assert.deepEqual(lines, ['INFO one', 'ERROR JupyterHub.extra_log_handlers[0] failed: broken (its later failures are not reported)', 'INFO two']);
});

test('cookie attributes: cookie_options over hub defaults, fixed paths, session cookies', () => {
  const base = { path: '/hub/', maxAgeSeconds: 86_400, secure: false };
  assert.equal(serializeCookie('c', 'v', withCookieKwargs(base, { path: '/', domain: 'example.org', samesite: 'Strict', secure: true }, true)),
    'c=v; Path=/hub/; Domain=example.org; Max-Age=86400; HttpOnly; Secure; SameSite=Strict');
  assert.equal(serializeCookie('c', 'v', withCookieKwargs(base, { path: '/' }, false)), 'c=v; Path=/; Max-Age=86400; HttpOnly; SameSite=Lax');
  assert.equal(serializeCookie('c', 'v', withCookieKwargs(base, { expires_days: null, httponly: false }, true)), 'c=v; Path=/hub/; SameSite=Lax');
  assert.equal(serializeCookie('c', 'v', withCookieKwargs(base, { expires: Date.UTC(2030, 0, 1) / 1000 }, true)), 'c=v; Path=/hub/; Expires=Tue, 01 Jan 2030 00:00:00 GMT; HttpOnly; SameSite=Lax');
});

test('cookie_options reach spawned servers as JUPYTERHUB_COOKIE_OPTIONS (tornado keyword names), only when set', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'hub-cfg-'));
  const input = { user: 'ann', server: '', apiToken: 't', hubApiUrl: 'http://127.0.0.1:8081/hub/api', ip: '127.0.0.1', port: 9000, adminAccess: false, processEnv: {} };
  const plain = await loadConfig({ cwd: dir, env: {} });
  assert.equal(buildEnv({ ...input, config: plain.config }).JUPYTERHUB_COOKIE_OPTIONS, undefined);
  const set = await loadConfig({ cwd: dir, env: {}, overrides: ['JupyterHub.tornado_settings={"cookie_options": {"SameSite": "strict", "expires_days": null}}'] });
  assert.deepEqual(JSON.parse(buildEnv({ ...input, config: set.config }).JUPYTERHUB_COOKIE_OPTIONS ?? ''), { samesite: 'Strict', expires_days: null });
  await rm(dir, { recursive: true });
});
