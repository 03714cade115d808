import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/lib/config/index.js';

// Expected values are what JupyterHub 3.0's traits give for the same config (JupyterHub(config=c) in Python).
const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function load(jh: Record<string, unknown>): ReturnType<typeof loadConfig> {
  const dir = await mkdtemp(path.join(tmpdir(), 'hub-url-'));
  dirs.push(dir);
  await writeFile(path.join(dir, 'hub.yml'), JSON.stringify({ JupyterHub: jh }));
  return loadConfig({ cwd: dir, env: {} });
}

const BOTH = /Both bind_url and ip\/port\/base_url have been configured/;

test('base_url comes from the path of bind_url, made a prefix; hub_routespec follows it', async () => {
  const a = await load({ bind_url: 'http://10.0.0.1:9000/foo' });
  assert.equal(a.config.JupyterHub.bind_url, 'http://10.0.0.1:9000/foo');
  assert.equal(a.config.JupyterHub.base_url, '/foo/');
  assert.equal(a.config.JupyterHub.hub_routespec, '/foo/');
  assert.deepEqual(a.warnings, []);
  const b = await load({ bind_url: 'http://10.0.0.1:9000' });
  assert.equal(b.config.JupyterHub.base_url, '/');
  assert.equal(b.config.JupyterHub.hub_routespec, '/');
});

test('ip, port and base_url rebuild bind_url from all three, with JupyterHub warning when bind_url is set too', async () => {
  const ip = await load({ bind_url: 'http://10.0.0.1:9000/foo/', ip: '1.2.3.4' });
  assert.equal(ip.config.JupyterHub.bind_url, 'http://1.2.3.4:8000/foo/');
  assert.equal(ip.config.JupyterHub.base_url, '/foo/');
  assert.match(ip.warnings.join('\n'), BOTH);
  const port = await load({ bind_url: 'http://10.0.0.1:9000/foo/', port: 9001 });
  assert.equal(port.config.JupyterHub.bind_url, 'http://:9001/foo/');
  const base = await load({ bind_url: 'http://10.0.0.1:9000/foo/', base_url: '/bar/' });
  assert.equal(base.config.JupyterHub.bind_url, 'http://:8000/bar/');
  assert.equal(base.config.JupyterHub.hub_routespec, '/bar/');
  const alone = await load({ base_url: 'a/b' });
  assert.equal(alone.config.JupyterHub.bind_url, 'http://:8000/a/b/');
  assert.equal(alone.config.JupyterHub.base_url, '/a/b/');
  assert.deepEqual(alone.warnings, []);
  const same = await load({ bind_url: 'http://1.2.3.4:9000/foo/', ip: '1.2.3.4', port: 9000, base_url: '/foo/' });
  assert.deepEqual(same.warnings, [], 'no warning when the parts agree with bind_url');
  const v6 = await load({ ip: '::1' });
  assert.equal(v6.config.JupyterHub.bind_url, 'http://[::1]:8000/');
});

test('bind_url is https exactly when ssl_cert is set', async () => {
  assert.equal((await load({ ssl_cert: '/x/cert.pem', ssl_key: '/x/key.pem' })).config.JupyterHub.bind_url, 'https://:8000');
  assert.equal((await load({ ssl_cert: '/x/cert.pem', port: 9000 })).config.JupyterHub.bind_url, 'https://:9000/');
  assert.equal((await load({ bind_url: 'https://:8000/a/' })).config.JupyterHub.bind_url, 'http://:8000/a/');
});

test('subdomain_host gets https:// when it has no scheme, and makes the hub route /', async () => {
  const a = await load({ subdomain_host: 'hub.example.org', bind_url: 'http://:8000/foo' });
  assert.equal(a.config.JupyterHub.subdomain_host, 'https://hub.example.org');
  assert.equal(a.config.JupyterHub.hub_routespec, '/');
  const b = await load({ subdomain_host: 'hub.example.org', hub_routespec: 'hub.example.org/a' });
  assert.equal(b.config.JupyterHub.hub_routespec, 'hub.example.org/a/');
  await assert.rejects(load({ subdomain_host: 'https://' }), /JupyterHub\.subdomain_host is not a host URL/);
});

test('a custom hub_routespec gets its slashes and a warning', async () => {
  const a = await load({ base_url: '/x/', hub_routespec: 'hub' });
  assert.equal(a.config.JupyterHub.hub_routespec, '/hub/');
  assert.match(a.warnings.join('\n'), /Using custom route for Hub: \/hub\/\. Requests for not-running servers may not be handled\./);
  assert.match(a.warnings.join('\n'), /Hub API prefix \/x\/hub\/api\/ not on prefix \/hub\//);
  const b = await load({ hub_routespec: '/hub/api' });
  assert.equal(b.config.JupyterHub.hub_routespec, '/hub/api/');
  assert.doesNotMatch(b.warnings.join('\n'), /not on prefix/);
});

test('a bind_url that is not an http URL is a config error naming the option', async () => {
  await assert.rejects(load({ bind_url: 'localhost:8000' }), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'CONFIG_INVALID');
    assert.match(err.message, /JupyterHub\.bind_url is not an http\(s\) URL: "localhost:8000"/);
    return true;
  });
  await assert.rejects(load({ bind_url: 'ftp://host:21/' }), /JupyterHub\.bind_url is not an http\(s\) URL/);
});
