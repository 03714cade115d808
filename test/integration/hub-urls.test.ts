import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startTestHub, request, type TestHub } from '../helpers/hub.js';
import { tempDir } from '../helpers/cli.js';
import { freePort } from '../helpers/proxy-http.js';

/** A hub whose one managed service writes its environment to env.txt, so we see what services are told. */
async function hubWithEnvService(overrides: string[]): Promise<{ t: TestHub; env: () => Promise<Record<string, string>> }> {
  const dir = await tempDir();
  const envFile = path.join(dir, 'env.txt');
  const services = [{ name: 'envdump', command: ['sh', '-c', `env > ${envFile}.tmp && mv ${envFile}.tmp ${envFile}; exec sleep 60`] }];
  await writeFile(path.join(dir, 'hub.yml'), JSON.stringify({ JupyterHub: { authenticator_class: 'dummy', services } }));
  const t = await startTestHub({ dir, withProxy: true, overrides, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  const env = async (): Promise<Record<string, string>> => {
    for (let i = 0; i < 100; i++) {
      const text = await readFile(envFile, 'utf8').catch(() => undefined);
      if (text !== undefined) return Object.fromEntries(text.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the service never wrote its environment');
  };
  return { t, env };
}

async function hubRouteTarget(t: TestHub, spec: string): Promise<unknown> {
  const routes = (await t.hub.proxy?.client.getAllRoutes()) as Record<string, { target?: string }> | undefined;
  return routes?.[spec]?.target;
}

test('hub_connect_ip: the proxy, services and servers reach the hub by that name', async () => {
  const { t, env } = await hubWithEnvService(['JupyterHub.hub_connect_ip=localhost']);
  try {
    const port = new URL(t.status.hub_url).port;
    assert.equal(await hubRouteTarget(t, '/'), `http://localhost:${port}`);
    assert.equal((await env()).JUPYTERHUB_API_URL, `http://localhost:${port}/hub/api`);
    assert.ok(t.logs.some((l) => l.includes(`Private Hub API connect url http://localhost:${port}/hub/`)));
  } finally {
    await t.stop();
  }
});

test('hub_connect_url: its origin is used and its path becomes <base_url>hub/, as in JupyterHub', async () => {
  const hubPort = await freePort();
  const { t, env } = await hubWithEnvService([`JupyterHub.hub_port=${hubPort}`, `JupyterHub.hub_connect_url=http://localhost:${hubPort}/elsewhere/`]);
  try {
    assert.equal(await hubRouteTarget(t, '/'), `http://localhost:${hubPort}`);
    assert.equal((await env()).JUPYTERHUB_API_URL, `http://localhost:${hubPort}/hub/api`);
    // The proxy really reaches the hub there.
    const r = await request({ url: `${t.status.public_url}hub/api/` });
    assert.equal(r.status, 200);
  } finally {
    await t.stop();
  }
});

test('hub_connect_port (deprecated) changes the port servers are told, not the one the hub binds', async () => {
  const { t, env } = await hubWithEnvService(['JupyterHub.hub_connect_port=9999']);
  try {
    assert.equal((await env()).JUPYTERHUB_API_URL, 'http://127.0.0.1:9999/hub/api');
    assert.notEqual(new URL(t.status.hub_url).port, '9999');
  } finally {
    await t.stop();
  }
});

test('bind_url with a path: the hub serves under it and the proxy routes it', async () => {
  const t = await startTestHub({ withProxy: true, overrides: ['JupyterHub.bind_url=http://127.0.0.1:0/jh/'] });
  try {
    assert.equal(t.hub.config.JupyterHub.base_url, '/jh/');
    assert.match(t.status.public_url, /\/jh\/$/);
    assert.match(t.status.hub_url, /\/jh\/hub\/$/);
    assert.equal(await hubRouteTarget(t, '/jh/'), new URL(t.status.hub_url).origin);
    assert.equal((await request({ url: `${t.status.public_url}hub/api/` })).status, 200);
  } finally {
    await t.stop();
  }
});

test('hub_bind_url unix+http://: the hub API listens on that socket (0600); the proxy uses hub_connect_url', async () => {
  const dir = await tempDir();
  const sock = path.join(dir, 'hub-api.sock');
  const hubUrl = `unix+http://${encodeURIComponent(sock)}`;
  const t = await startTestHub({ dir, withProxy: true, overrides: [`JupyterHub.hub_bind_url=${hubUrl}`, 'JupyterHub.hub_connect_url=http://10.255.255.1:8081'] });
  try {
    const r = await request({ socketPath: sock, path: '/hub/api/' });
    assert.equal(r.status, 200);
    assert.equal((r.body as { version?: unknown }).version !== undefined, true);
    assert.equal((await stat(sock)).mode & 0o777, 0o600);
    assert.equal(await hubRouteTarget(t, '/'), 'http://10.255.255.1:8081');
  } finally {
    await t.stop();
  }
  await assert.rejects(stat(sock), /ENOENT/, 'the socket is removed at stop');
});

test('hub_bind_url unix+http:// without hub_connect_url is a config error naming both options', async () => {
  const dir = await tempDir();
  const hubUrl = `unix+http://${encodeURIComponent(path.join(dir, 'h.sock'))}`;
  await assert.rejects(startTestHub({ dir, overrides: [`JupyterHub.hub_bind_url=${hubUrl}`] }), (err: Error & { code?: string; hint?: string }) => {
    assert.equal(err.code, 'CONFIG_INVALID');
    assert.match(err.message, /JupyterHub\.hub_bind_url is a unix socket .* but JupyterHub\.hub_connect_url is not set/);
    return true;
  });
});
