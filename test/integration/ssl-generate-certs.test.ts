/** `hub generate-certs` as an admin runs it: bin/run.js in a directory with a hub.yml. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli, tempDir } from '../helpers/cli.js';

interface JsonResult {
  location: string;
  internalSsl: boolean;
  warnings: string[];
  entries: Array<{ name: string; kind: string; action: string; files: { key?: string; cert?: string }; reason?: string; altNames?: string[] }>;
}

describe('hub generate-certs', () => {
  let cwd = '';

  before(async () => {
    cwd = await tempDir('hub-gencerts-');
    writeFileSync(path.join(cwd, 'hub.yml'), 'JupyterHub:\n  internal_ssl: true\n  trusted_alt_names: ["DNS:hub.example.org"]\n');
  });
  after(() => rmSync(cwd, { recursive: true, force: true }));

  test('creates the store and lists what it made; keys never appear in the output', async () => {
    const r = await runCli(['generate-certs', '-c', 'hub.yml'], { cwd });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Certificates in internal-ssl/);
    for (const name of ['hub-ca', 'notebooks-ca', 'proxy-api-ca', 'proxy-client-ca', 'services-ca', 'hub-internal', 'proxy-api', 'proxy-client']) {
      assert.match(r.stdout, new RegExp(`^${name} +(authority|certificate) +created +internal-ssl/${name}/${name}\\.crt`, 'm'));
    }
    assert.match(r.stdout, /^hub-ca_trust\.crt +trust-bundle +written/m);
    assert.match(r.stdout, /DNS:hub\.example\.org/);
    assert.doesNotMatch(`${r.stdout}${r.stderr}`, /PRIVATE KEY/);
    assert.equal(statSync(path.join(cwd, 'internal-ssl/hub-internal/hub-internal.key')).mode & 0o777, 0o600);
    execFileSync('openssl', ['verify', '-CAfile', path.join(cwd, 'internal-ssl/hub-ca_trust.crt'), path.join(cwd, 'internal-ssl/proxy-api/proxy-api.crt')], { stdio: 'ignore' });
  });

  test('a second run reuses everything; --json prints the same entries for scripts', async () => {
    const r = await runCli(['generate-certs', '-c', 'hub.yml', '--json'], { cwd });
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout) as JsonResult;
    assert.equal(result.location, path.join(cwd, 'internal-ssl'));
    assert.equal(result.internalSsl, true);
    assert.deepEqual(result.warnings, []);
    assert.equal(result.entries.length, 13);
    assert.ok(result.entries.every((e) => e.action === 'reused' || e.action === 'unchanged'), r.stdout);
    assert.equal(result.entries.find((e) => e.name === 'hub-internal')?.files.key, path.join(cwd, 'internal-ssl/hub-internal/hub-internal.key'));
  });

  test('recreate_internal_certs in the config replaces the store', async () => {
    writeFileSync(path.join(cwd, 'recreate.yml'), 'JupyterHub:\n  recreate_internal_certs: true\n');
    const r = await runCli(['generate-certs', '-c', 'recreate.yml', '--json'], { cwd });
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout) as JsonResult;
    assert.ok(result.entries.filter((e) => e.kind !== 'trust-bundle').every((e) => e.action === 'created'));
    // internal_ssl is off in this config: the command still works and says the certificates are not in use yet.
    assert.ok(result.warnings.some((w) => w.includes('internal_ssl is off')), r.stdout);
    const text = await runCli(['generate-certs', '-c', 'recreate.yml'], { cwd });
    assert.match(text.stderr, /internal_ssl is off/);
  });

  test('JupyterHub.generate_certs (jupyterhub --generate-certs): hub start writes the store at internal_certs_location and exits without starting', async () => {
    const dir = await tempDir('hub-gencerts-');
    try {
      const r = await runCli(['start', '--set', 'JupyterHub.generate_certs=true', '--set', 'JupyterHub.internal_certs_location=certs/internal'], { cwd: dir });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /You'll need to enable internal_ssl/);
      assert.match(r.stderr, new RegExp(`Certificates written to directory \`${dir}/certs/internal\``));
      for (const name of ['hub-ca', 'notebooks-ca', 'proxy-api-ca', 'proxy-client-ca', 'services-ca', 'hub-internal', 'proxy-api', 'proxy-client']) {
        assert.ok(existsSync(path.join(dir, 'certs/internal', name, `${name}.crt`)), name);
      }
      assert.ok(!existsSync(path.join(dir, 'internal-ssl')), 'not at the default location');
      assert.ok(!existsSync(path.join(dir, 'jupyterhub.sqlite')), 'the hub did not start');
      assert.doesNotMatch(r.stderr, /PRIVATE KEY/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a mismatched external authority fails with the config exit code, naming both files, writing nothing', async () => {
    const dir = await tempDir('hub-gencerts-');
    try {
      for (const n of ['a', 'b']) {
        execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, `${n}.key`), '-out', path.join(dir, `${n}.crt`), '-days', '1', '-subj', `/CN=${n}`], { stdio: 'ignore' });
      }
      writeFileSync(path.join(dir, 'hub.yml'), `JupyterHub:\n  external_ssl_authorities:\n    hub-ca: {key: ${dir}/b.key, cert: ${dir}/a.crt}\n`);
      const r = await runCli(['generate-certs', '-c', 'hub.yml'], { cwd: dir });
      assert.equal(r.code, 3, r.stderr);
      assert.match(r.stderr, new RegExp(`certificate ${dir}/a\\.crt does not match key ${dir}/b\\.key`));
      assert.ok(!existsSync(path.join(dir, 'internal-ssl')));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
