/**
 * The internal_ssl store on disk: layout, modes, what openssl accepts with which trust bundle, reuse,
 * recreate, replaced components, and the admin's own authorities (external_ssl_authorities).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AUTHORITY_NAMES, TRUST_TABLE, type AuthorityName } from '../../src/daemon/ssl/authorities.js';
import { InternalSsl } from '../../src/daemon/ssl/internal-ssl.js';
import { HubError } from '../../src/lib/errors.js';
import { tempDir } from '../helpers/cli.js';

function openssl(args: string[]): { ok: boolean; out: string } {
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  return { ok: r.status === 0, out: `${r.stdout}${r.stderr}` };
}

function verify(bundle: string, cert: string, purpose?: 'sslserver' | 'sslclient'): boolean {
  return openssl(['verify', '-x509_strict', ...(purpose ? ['-purpose', purpose] : []), '-CAfile', bundle, cert]).ok;
}

function mode(file: string): number {
  return statSync(file).mode & 0o777;
}

function init(cwd: string, extra: Partial<Parameters<typeof InternalSsl.init>[0]> = {}): Promise<InternalSsl> {
  return InternalSsl.init({ location: 'internal-ssl', cwd, hostname: 'hub.test', ...extra });
}

describe('internal_ssl store', () => {
  let cwd = '';
  let ssl: InternalSsl;
  let userCert = '';

  before(async () => {
    cwd = await tempDir('hub-ssl-');
    ssl = await init(cwd, { trustedAltNames: ['DNS:hub.example.org', 'IP:10.1.2.3'] });
    userCert = (await ssl.issueServerCert({ name: 'alice', altNames: ['DNS:alice.example.org'] })).certfile;
  });
  after(() => rmSync(cwd, { recursive: true, force: true }));

  test('Certipy layout, keys 0600 in 0700 directories, certipy.json as JupyterHub writes it', () => {
    const dir = path.join(cwd, 'internal-ssl');
    assert.equal(ssl.dir, dir);
    assert.equal(mode(dir), 0o700);
    for (const name of [...AUTHORITY_NAMES, 'hub-internal', 'proxy-api', 'proxy-client']) {
      assert.equal(mode(path.join(dir, name)), 0o700, name);
      assert.equal(mode(path.join(dir, name, `${name}.key`)), 0o600, name);
      assert.match(readFileSync(path.join(dir, name, `${name}.key`), 'utf8'), /^-----BEGIN PRIVATE KEY-----/);
    }
    for (const ca of AUTHORITY_NAMES) assert.ok(existsSync(path.join(dir, `${ca}_trust.crt`)));
    const index = JSON.parse(readFileSync(path.join(dir, 'certipy.json'), 'utf8')) as Record<string, { parent_ca: string; is_ca: boolean; signees: unknown; files: Record<string, string> }>;
    assert.deepEqual(index['hub-internal']?.files, { key: 'internal-ssl/hub-internal/hub-internal.key', cert: 'internal-ssl/hub-internal/hub-internal.crt', ca: 'internal-ssl/hub-ca/hub-ca.crt' });
    assert.equal(index['proxy-api']?.parent_ca, 'proxy-api-ca');
    assert.deepEqual(index['notebooks-ca']?.signees, { 'user-alice': 1 });
    assert.equal(index['hub-ca']?.is_ca, true);
    assert.deepEqual(ssl.hub, { keyfile: path.join(dir, 'hub-internal/hub-internal.key'), certfile: path.join(dir, 'hub-internal/hub-internal.crt'), cafile: path.join(dir, 'hub-ca_trust.crt') });
    assert.equal(ssl.proxyApi?.cafile, path.join(dir, 'proxy-api-ca_trust.crt'));
    assert.equal(ssl.proxyClient?.cafile, path.join(dir, 'proxy-client-ca_trust.crt'));
  });

  test('authorities: v3, CA:TRUE pathlen:0, keyCertSign, EKU server+client, RSA 2048 sha256, 5 years', () => {
    const text = openssl(['x509', '-noout', '-text', '-in', path.join(ssl.dir, 'hub-ca/hub-ca.crt')]).out;
    assert.match(text, /Version: 3/);
    assert.match(text, /CA:TRUE, pathlen:0/);
    assert.match(text, /Certificate Sign, CRL Sign/);
    assert.match(text, /TLS Web Server Authentication, TLS Web Client Authentication/);
    assert.match(text, /Public-Key: \(2048 bit\)/);
    assert.match(text, /sha256WithRSAEncryption/);
    const end = openssl(['x509', '-noout', '-enddate', '-in', path.join(ssl.dir, 'hub-ca/hub-ca.crt')]).out;
    const years = (Date.parse(end.replace('notAfter=', '')) - Date.now()) / (365.25 * 24 * 3600 * 1000);
    assert.ok(years > 4.99 && years < 5.01, end);
  });

  test('component SANs: localhost, 127.0.0.1, the host name and trusted_alt_names; per-spawn: local + ssl_alt_names', () => {
    const san = (file: string): string => openssl(['x509', '-noout', '-ext', 'subjectAltName', '-in', file]).out;
    for (const c of ['hub-internal', 'proxy-api', 'proxy-client']) {
      assert.match(san(path.join(ssl.dir, c, `${c}.crt`)), /IP Address:127\.0\.0\.1, DNS:localhost, DNS:hub\.test, DNS:hub\.example\.org, IP Address:10\.1\.2\.3/, c);
    }
    assert.match(san(userCert), /DNS:localhost, IP Address:127\.0\.0\.1, DNS:alice\.example\.org/);
  });

  test('openssl verify: each certificate against each bundle exactly as the trust table says', () => {
    const leaves: Array<[string, AuthorityName]> = [
      [path.join(ssl.dir, 'hub-internal/hub-internal.crt'), 'hub-ca'],
      [path.join(ssl.dir, 'proxy-api/proxy-api.crt'), 'proxy-api-ca'],
      [path.join(ssl.dir, 'proxy-client/proxy-client.crt'), 'proxy-client-ca'],
      [userCert, 'notebooks-ca'],
    ];
    for (const [cert, issuer] of leaves) {
      for (const bundle of AUTHORITY_NAMES) {
        const expected = TRUST_TABLE[bundle].includes(issuer);
        const file = path.join(ssl.dir, `${bundle}_trust.crt`);
        assert.equal(verify(file, cert), expected, `${path.basename(cert)} against ${bundle}_trust.crt`);
        // Every leaf serves and authenticates as a client (EKU serverAuth + clientAuth).
        if (expected) assert.ok(verify(file, cert, 'sslserver') && verify(file, cert, 'sslclient'), cert);
      }
    }
  });

  test('a second run reuses everything, byte for byte', async () => {
    const before = readFileSync(path.join(ssl.dir, 'hub-internal/hub-internal.crt'), 'utf8');
    const again = await init(cwd, { trustedAltNames: ['DNS:hub.example.org', 'IP:10.1.2.3'] });
    assert.deepEqual(new Set(again.report.map((e) => e.action)), new Set(['reused', 'unchanged']));
    assert.equal(readFileSync(path.join(ssl.dir, 'hub-internal/hub-internal.crt'), 'utf8'), before);
  });

  test('a component is reissued when its names no longer cover trusted_alt_names or its files are gone', async () => {
    const more = await init(cwd, { trustedAltNames: ['DNS:hub.example.org', 'IP:10.1.2.3', 'DNS:new.example.org'] });
    const hubInternal = more.report.find((e) => e.name === 'hub-internal');
    assert.equal(hubInternal?.action, 'replaced');
    assert.match(hubInternal?.reason ?? '', /DNS:new\.example\.org/);
    assert.equal(more.report.find((e) => e.name === 'hub-ca')?.action, 'reused');
    rmSync(path.join(ssl.dir, 'proxy-api/proxy-api.key'));
    const healed = await init(cwd, { trustedAltNames: ['DNS:hub.example.org', 'IP:10.1.2.3', 'DNS:new.example.org'] });
    const proxyApi = healed.report.find((e) => e.name === 'proxy-api');
    assert.deepEqual([proxyApi?.action, proxyApi?.reason], ['replaced', 'its files are missing']);
    assert.ok(verify(path.join(ssl.dir, 'hub-ca_trust.crt'), path.join(ssl.dir, 'proxy-api/proxy-api.crt')));
  });

  test('per-spawn certificates: concurrent issues all land in the index, each re-issue counts', async () => {
    const names = ['bob', 'carol', 'dave', 'erin'];
    const issued = await Promise.all(names.map((name) => ssl.issueServerCert({ name })));
    await ssl.issueServerCert({ name: 'bob' });
    const index = JSON.parse(readFileSync(path.join(ssl.dir, 'certipy.json'), 'utf8')) as Record<string, { serial: number }>;
    for (const name of names) assert.ok(index[`user-${name}`], name);
    assert.equal(index['user-bob']?.serial, 1);
    for (const files of issued) {
      assert.equal(mode(files.keyfile), 0o600);
      assert.equal(files.cafile, path.join(ssl.dir, 'notebooks-ca_trust.crt'));
    }
    await assert.rejects(ssl.issueServerCert({ name: '../escape' }), (err: unknown) => err instanceof HubError && err.code === 'CONFIG_INVALID');
  });
});

describe('recreate_internal_certs', () => {
  test('replaces every authority and certificate, and leaves other files alone', async () => {
    const cwd = await tempDir('hub-ssl-');
    try {
      const first = await init(cwd);
      writeFileSync(path.join(first.dir, 'README.admin'), 'mine');
      const caBefore = readFileSync(path.join(first.dir, 'hub-ca/hub-ca.crt'), 'utf8');
      const oldLeaf = path.join(cwd, 'old-hub-internal.crt');
      writeFileSync(oldLeaf, readFileSync(first.hub.certfile));
      const second = await init(cwd, { recreate: true });
      assert.ok(second.report.filter((e) => e.kind !== 'trust-bundle').every((e) => e.action === 'created'));
      assert.notEqual(readFileSync(path.join(second.dir, 'hub-ca/hub-ca.crt'), 'utf8'), caBefore);
      assert.equal(readFileSync(path.join(second.dir, 'README.admin'), 'utf8'), 'mine');
      // Nothing issued before is trusted any more: that is what recreating is for.
      assert.ok(verify(path.join(first.dir, 'hub-ca_trust.crt'), second.hub.certfile));
      assert.ok(!verify(path.join(second.dir, 'hub-ca_trust.crt'), oldLeaf));
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});

describe('external_ssl_authorities', () => {
  let cwd = '';
  let adminDir = '';

  function makeCa(name: string): { key: string; cert: string } {
    const key = path.join(adminDir, `${name}.key`);
    const cert = path.join(adminDir, `${name}.crt`);
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '30', '-subj', `/CN=${name}`,
      '-addext', 'basicConstraints=critical,CA:TRUE,pathlen:0', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], { stdio: 'ignore' });
    return { key, cert };
  }

  before(async () => {
    cwd = await tempDir('hub-ssl-');
    adminDir = await tempDir('hub-ssl-admin-');
  });
  after(() => {
    rmSync(cwd, { recursive: true, force: true });
    rmSync(adminDir, { recursive: true, force: true });
  });

  test("the admin's authority signs hub-internal, joins the bundles, and is recorded with the admin's paths", async () => {
    const own = makeCa('corp-hub-ca');
    const ssl = await init(cwd, { externalAuthorities: { 'hub-ca': { key: own.key, cert: own.cert } } });
    assert.equal(ssl.report.find((e) => e.name === 'hub-ca')?.action, 'external');
    assert.ok(readFileSync(path.join(ssl.dir, 'notebooks-ca_trust.crt'), 'utf8').includes(readFileSync(own.cert, 'utf8').trim()));
    assert.ok(verify(own.cert, ssl.hub.certfile));
    const index = JSON.parse(readFileSync(path.join(ssl.dir, 'certipy.json'), 'utf8')) as Record<string, { files: Record<string, string> }>;
    assert.equal(index['hub-ca']?.files.key, own.key);
    // Dropped from the config again: our own authority comes back, the admin's files stay untouched.
    const back = await init(cwd, { recreate: true });
    assert.equal(back.report.find((e) => e.name === 'hub-ca')?.action, 'created');
    assert.ok(existsSync(own.key) && existsSync(own.cert));
    const noLonger = await init(cwd, { externalAuthorities: { 'hub-ca': { key: own.key, cert: own.cert } } });
    assert.equal(noLonger.report.find((e) => e.name === 'hub-internal')?.action, 'replaced');
    const mine = await init(cwd);
    assert.deepEqual([mine.report.find((e) => e.name === 'hub-ca')?.action, mine.report.find((e) => e.name === 'hub-ca')?.reason], ['replaced', 'it is no longer external']);
    assert.ok(existsSync(own.key), "the admin's key is never deleted");
  });

  test('a certificate that does not match its key is refused, naming both files, before anything is written', async () => {
    const a = makeCa('a-ca');
    const b = makeCa('b-ca');
    const fresh = await tempDir('hub-ssl-');
    try {
      await assert.rejects(init(fresh, { externalAuthorities: { 'proxy-api-ca': { key: b.key, cert: a.cert } } }), (err: unknown) => {
        assert.ok(err instanceof HubError && err.code === 'CONFIG_INVALID');
        assert.ok(err.message.includes(a.cert) && err.message.includes(b.key), err.message);
        return true;
      });
      assert.ok(!existsSync(path.join(fresh, 'internal-ssl')));
      await assert.rejects(init(fresh, { externalAuthorities: { 'web-ca': { cert: a.cert } } }), /unknown authority 'web-ca'/);
      await assert.rejects(init(fresh, { externalAuthorities: { 'hub-ca': { cert: path.join(adminDir, 'missing.crt') } } }), /missing\.crt does not exist/);
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  });

  test('an authority given without a key is trusted but cannot sign: its component is skipped', async () => {
    const own = makeCa('corp-proxy-client-ca');
    const fresh = await tempDir('hub-ssl-');
    try {
      const ssl = await init(fresh, { externalAuthorities: { 'proxy-client-ca': { cert: own.cert } } });
      assert.equal(ssl.report.find((e) => e.name === 'proxy-client')?.action, 'skipped');
      assert.equal(ssl.proxyClient, undefined);
      assert.ok(ssl.proxyApi !== undefined);
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  });
});

describe('JupyterHub interoperability', { skip: !existsSync('/usr/bin/jupyterhub') && 'jupyterhub is not installed' }, () => {
  test('JupyterHub 3.0 --generate-certs reuses a store we made', async () => {
    const cwd = await tempDir('hub-ssl-');
    try {
      await init(cwd);
      const r = spawnSync('/usr/bin/jupyterhub', ['--generate-certs'], { cwd, encoding: 'utf8', timeout: 60_000 });
      assert.equal(r.status, 0, r.stderr);
      for (const c of ['hub-internal', 'proxy-api', 'proxy-client']) assert.match(r.stderr, new RegExp(`Using existing ${c} CA`));
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
