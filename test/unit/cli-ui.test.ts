import { test } from 'node:test';
import assert from 'node:assert/strict';
import chalk from 'chalk';
import { ago, renderTable } from '../../src/ui/table.js';
import { parsePaging, paginated } from '../../src/daemon/api/pagination.js';
import { Router } from '../../src/daemon/api/router.js';
import { ApiError } from '../../src/daemon/api/http-util.js';
import { resolveSocketPath, stateDirFor } from '../../src/lib/paths.js';

chalk.level = 0;

test('tables fit the terminal by cutting shrinkable columns with an ellipsis', () => {
  const rows = [{ a: 'short', b: 'a-very-long-value-that-does-not-fit' }];
  const cols = [
    { header: 'A', get: (r: (typeof rows)[0]) => r.a },
    { header: 'B', get: (r: (typeof rows)[0]) => r.b, shrink: true },
  ];
  const wide = renderTable(cols, rows, undefined);
  assert.match(wide, /a-very-long-value-that-does-not-fit/);
  const narrow = renderTable(cols, rows, 25);
  for (const line of narrow.split('\n')) assert.ok(line.length <= 25, line);
  assert.match(narrow, /…/);
});

test('ago() is relative and "-" for never', () => {
  const now = Date.parse('2026-11-25T12:00:00Z');
  assert.equal(ago(null, now), '-');
  assert.equal(ago('2026-11-25T11:59:30Z', now), '30s ago');
  assert.equal(ago('2026-11-25T10:00:00Z', now), '2h ago');
  assert.equal(ago('2026-11-20T12:00:00Z', now), '5d ago');
});

test('pagination follows JupyterHub: bare list with max limit, envelope with default limit and next url', () => {
  const url = new URL('http://h:8081/hub/api/users?name_filter=a');
  assert.deepEqual(parsePaging(url, undefined), { offset: 0, limit: 200, wantsEnvelope: false });
  const p = parsePaging(url, 'application/jupyterhub-pagination+json');
  assert.deepEqual(p, { offset: 0, limit: 50, wantsEnvelope: true });
  const body = paginated([1, 2], 120, p, url) as { _pagination: { next: { offset: number; url: string } } };
  assert.equal(body._pagination.next.offset, 50);
  assert.equal(body._pagination.next.url, 'http://h:8081/hub/api/users?name_filter=a&offset=50&limit=50');
  assert.deepEqual(paginated([], 10, { offset: 0, limit: 50, wantsEnvelope: true }, url), { items: [], _pagination: { offset: 0, limit: 50, total: 10, next: null } });
  assert.throws(() => parsePaging(new URL('http://h/x?limit=ten'), undefined), (e: unknown) => e instanceof ApiError && e.status === 400);
  // JupyterHub takes the absolute value of a negative limit or offset rather than refusing it.
  assert.deepEqual(parsePaging(new URL('http://h/x?limit=-5&offset=-2'), undefined), { offset: 2, limit: 5, wantsEnvelope: false });
  assert.equal(parsePaging(new URL('http://h/x?limit=5000'), undefined).limit, 200);
});

test('router: params decoded, 405 for a known path with another method, 400 for a bad escape', async () => {
  const r = new Router();
  const seen: string[] = [];
  r.add('GET', 'api/users/:name', async (ctx) => void seen.push(ctx.params.name ?? ''));
  const m = r.match('GET', 'api/users/b%C3%A9a');
  assert.ok(m);
  assert.equal(m.params.name, 'béa');
  assert.equal(r.match('GET', 'api/nothing'), null);
  assert.throws(() => r.match('DELETE', 'api/users/x'), (e: unknown) => e instanceof ApiError && e.status === 405);
  assert.throws(() => r.match('GET', 'api/users/%E0%A4%A'), (e: unknown) => e instanceof ApiError && e.status === 400);
});

test('the control socket defaults to .hub/hub.sock beside the SQLite file; flag, env and config win in that order', () => {
  assert.equal(stateDirFor('sqlite:////srv/hub/jupyterhub.sqlite', '/x'), '/srv/hub');
  assert.equal(stateDirFor('sqlite:///db/hub.sqlite', '/x'), '/x/db');
  assert.equal(stateDirFor('sqlite://', '/x'), '/x');
  assert.equal(stateDirFor('postgresql://u@h/db', '/x'), '/x');
  const base = { dbUrl: 'sqlite:///hub.sqlite', cwd: '/x', env: {} };
  assert.deepEqual(resolveSocketPath(base), { path: '/x/.hub/hub.sock', source: 'default' });
  assert.equal(resolveSocketPath({ ...base, configured: 'c.sock' }).path, '/x/c.sock');
  assert.equal(resolveSocketPath({ ...base, configured: 'c.sock', env: { HUB_SOCKET: '/e.sock' } }).path, '/e.sock');
  assert.equal(resolveSocketPath({ ...base, configured: 'c.sock', env: { HUB_SOCKET: '/e.sock' }, flag: '/f.sock' }).path, '/f.sock');
});
