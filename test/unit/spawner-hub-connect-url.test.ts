import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/lib/config/index.js';
import { buildEnv } from '../../src/daemon/spawner/singleuser-contract.js';

test('Spawner.hub_connect_url: JUPYTERHUB_API_URL is url_path_join(hub_connect_url, API path), keeping its path', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'hub-cfg-'));
  const input = { user: 'ann', server: '', apiToken: 't', hubApiUrl: 'http://127.0.0.1:8081/jh/hub/api', ip: '127.0.0.1', port: 9000, adminAccess: false, processEnv: {} };
  try {
    const plain = await loadConfig({ cwd: dir, env: {} });
    assert.equal(buildEnv({ ...input, config: plain.config }).JUPYTERHUB_API_URL, 'http://127.0.0.1:8081/jh/hub/api');
    const bare = await loadConfig({ cwd: dir, env: {}, overrides: ['Spawner.hub_connect_url=http://hub.internal:8081'] });
    assert.equal(buildEnv({ ...input, config: bare.config }).JUPYTERHUB_API_URL, 'http://hub.internal:8081/jh/hub/api');
    const withPath = await loadConfig({ cwd: dir, env: {}, overrides: ['Spawner.hub_connect_url=http://gw.internal/hubs/one/'] });
    const env = buildEnv({ ...input, config: withPath.config });
    assert.equal(env.JUPYTERHUB_API_URL, 'http://gw.internal/hubs/one/jh/hub/api');
    assert.equal(env.JUPYTERHUB_ACTIVITY_URL, 'http://gw.internal/hubs/one/jh/hub/api/users/ann/activity');
  } finally {
    await rm(dir, { recursive: true });
  }
});
