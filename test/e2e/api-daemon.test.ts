/**
 * The REST API of the real daemon (`bin/run.js start`): a service token from the config works over TCP, the
 * operator's control socket serves the same API, and both answer within the spec.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startDaemon, tempDir, type RunningDaemon } from '../helpers/cli.js';
import { request } from '../helpers/hub.js';
import { apiClient, validateResponse, type ApiCall } from '../helpers/openapi.js';
import { freeLoopbackPort } from '../helpers/jupyterhub-server.js';

const TOKEN = 'e2e-api-service-token-0123456789';

describe('API of the running daemon', () => {
  let daemon: RunningDaemon;
  let dir: string;
  let api: ApiCall;
  before(async () => {
    dir = await tempDir();
    const [hubPort, port, proxyApi] = [await freeLoopbackPort(), await freeLoopbackPort(), await freeLoopbackPort()];
    daemon = await startDaemon(['--set', `JupyterHub.hub_port=${hubPort}`, '--set', `JupyterHub.port=${port}`, '--set', `ConfigurableHTTPProxy.api_url=http://127.0.0.1:${proxyApi}`,
      '--set', `JupyterHub.services=[{"name":"ops","api_token":"${TOKEN}","admin":true}]`], { cwd: dir });
    api = apiClient(`http://127.0.0.1:${hubPort}/hub/api`, TOKEN);
  });
  after(async () => {
    const end = await daemon.stop();
    assert.equal(end.code, 0, end.stderr);
  });

  it('creates users, tokens and groups over TCP with the configured service token', async () => {
    assert.equal((await api('POST', '/users', { body: { usernames: ['ann', 'bob'] } })).status, 201);
    const token = (await api('POST', '/users/ann/tokens', { body: { note: 'e2e' } })).body as { token: string };
    assert.equal((await api('GET', '/users/ann', { token: token.token })).status, 200);
    assert.equal((await api('GET', '/users/bob', { token: token.token })).status, 404);
    assert.equal((await api('POST', '/groups/team', { body: { users: ['ann', 'bob'] } })).status, 201);
    assert.equal((await api('GET', '/users', { token: null })).status, 403);
  });

  it('serves the same API on the control socket to the operator, without a token', async () => {
    const r = await request({ socketPath: path.join(dir, '.hub', 'hub.sock'), path: '/hub/api/users?limit=1', headers: { accept: 'application/jupyterhub-pagination+json' } });
    assert.equal(r.status, 200);
    validateResponse('GET', '/users', r.status, r.body, { paginated: true });
    assert.equal((r.body as { _pagination: { total: number } })._pagination.total, 2);
  });
});
