/**
 * GET /hub/metrics (and /hub/api/metrics): JupyterHub 3.0's Prometheus metrics, behind read:metrics unless
 * JupyterHub.authenticate_prometheus is false. A real hub in this process, the real API.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { request, startTestHub, type TestHub } from '../helpers/hub.js';

const sock = (t: TestHub): string => path.join(t.dir, '.hub', 'hub.sock');

async function tokenWith(t: TestHub, user: string, admin: boolean, scopes: string[]): Promise<string> {
  assert.equal((await request({ socketPath: sock(t), path: `/hub/api/users/${user}`, method: 'POST', body: JSON.stringify({ admin }) })).status, 201);
  const r = await request({ socketPath: sock(t), path: `/hub/api/users/${user}/tokens`, method: 'POST', body: JSON.stringify({ scopes }) });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return (r.body as { token: string }).token;
}

function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

test('authenticate_prometheus (default true): /hub/metrics needs read:metrics; the text has JupyterHub 3.0\'s metric names', async () => {
  const t = await startTestHub({ overrides: ['JupyterHub.authenticator_class=dummy'] });
  try {
    const hub = new URL(t.status.hub_url).origin;
    const anon = await request({ url: `${hub}/hub/metrics` });
    assert.equal(anon.status, 403);
    // MetricsHandler is a page handler in JupyterHub: its 403 is the HTML error page.
    assert.match(String(anon.headers['content-type']), /^text\/html/);
    assert.match(String(anon.body), /Access to metrics requires scope &#39;read:metrics&#39;/);
    const plain = await tokenWith(t, 'bob', false, ['read:users:name!user=bob']);
    assert.equal((await request({ url: `${hub}/hub/metrics`, headers: { authorization: `token ${plain}` } })).status, 403);

    const admin = await tokenWith(t, 'ada', true, ['read:metrics']);
    await request({ url: `${hub}/hub/api/users`, headers: { authorization: `token ${admin}` } });
    await request({ url: `${hub}/hub/login` });
    await request({ url: `${hub}/hub/no-such-page` });
    await request({ url: `${hub}/hub/user/ada/tree` });
    for (const p of ['/hub/metrics', '/hub/api/metrics']) {
      const r = await request({ url: `${hub}${p}`, headers: { authorization: `token ${admin}` } });
      assert.equal(r.status, 200, p);
      assert.equal(r.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
      const text = String(r.body);
      for (const name of ['request_duration_seconds', 'server_spawn_duration_seconds', 'running_servers', 'total_users', 'check_routes_duration_seconds',
        'hub_startup_duration_seconds', 'init_spawners_duration_seconds', 'proxy_poll_duration_seconds', 'proxy_add_duration_seconds',
        'server_poll_duration_seconds', 'server_stop_seconds', 'proxy_delete_duration_seconds']) {
        assert.match(text, new RegExp(`^# TYPE jupyterhub_${name} (histogram|gauge)$`, 'm'), name);
      }
      assert.equal(sample(text, 'jupyterhub_total_users'), 2);
      assert.equal(sample(text, 'jupyterhub_running_servers'), 0);
      assert.equal(sample(text, 'jupyterhub_hub_startup_duration_seconds_count'), 1);
      // Every spawn status exists before anything happened, as metrics.py creates them.
      for (const s of ['success', 'failure', 'already-pending', 'throttled', 'too-many-users']) {
        assert.equal(sample(text, `jupyterhub_server_spawn_duration_seconds_count{status="${s}"}`), 0, s);
      }
      // The handler label is JupyterHub's handler class for the same URL, so dashboards made for it select the same series.
      const count = (handler: string, code: number): number | undefined =>
        sample(text, `jupyterhub_request_duration_seconds_count{method="GET",handler="${handler}",code="${code}"}`);
      assert.equal(count('jupyterhub.apihandlers.users.UserListAPIHandler', 403), 1, text);
      assert.equal(count('jupyterhub.handlers.metrics.MetricsHandler', 403), 2, text);
      assert.equal(count('jupyterhub.handlers.login.LoginHandler', 200), 1, text);
      assert.equal(count('jupyterhub.handlers.base.Template404', 404), 1, text);
      assert.equal(count('jupyterhub.handlers.base.UserUrlHandler', 302), 1, text);
    }
  } finally {
    await t.stop();
  }
});

test('authenticate_prometheus: false serves the metrics to anyone, also when set through tornado_settings', async () => {
  for (const o of ['JupyterHub.authenticate_prometheus=false', 'JupyterHub.tornado_settings={"authenticate_prometheus": false}']) {
    const t = await startTestHub({ overrides: [o] });
    try {
      const r = await request({ url: `${new URL(t.status.hub_url).origin}/hub/metrics` });
      assert.equal(r.status, 200, o);
      assert.match(String(r.body), /^jupyterhub_total_users 0\.0$/m);
    } finally {
      await t.stop();
    }
  }
});
