import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isHubError } from '../../src/lib/errors.js';
import { describeTarget, parseDbUrl, redactDbUrl, type DbTarget } from '../../src/daemon/db/db-url.js';

const CWD = '/srv/hub';

const GOOD: Array<[string, DbTarget]> = [
  ['sqlite:///jupyterhub.sqlite', { kind: 'sqlite', filename: '/srv/hub/jupyterhub.sqlite', memory: false, url: 'sqlite:///jupyterhub.sqlite' }],
  ['sqlite:///state/hub.sqlite', { kind: 'sqlite', filename: '/srv/hub/state/hub.sqlite', memory: false, url: 'sqlite:///state/hub.sqlite' }],
  ['sqlite:////var/lib/hub/jupyterhub.sqlite', { kind: 'sqlite', filename: '/var/lib/hub/jupyterhub.sqlite', memory: false, url: 'sqlite:////var/lib/hub/jupyterhub.sqlite' }],
  ['sqlite://', { kind: 'sqlite', filename: ':memory:', memory: true, url: 'sqlite://' }],
  ['sqlite:///:memory:', { kind: 'sqlite', filename: ':memory:', memory: true, url: 'sqlite:///:memory:' }],
  ['postgresql://hub:s3cret@db.example.org:5433/jupyterhub', {
    kind: 'postgres', url: 'postgresql://hub:s3cret@db.example.org:5433/jupyterhub',
    connection: { user: 'hub', password: 's3cret', host: 'db.example.org', port: 5433, database: 'jupyterhub' },
  }],
  ['postgres://hub@localhost/jh', {
    kind: 'postgres', url: 'postgres://hub@localhost/jh', connection: { user: 'hub', host: 'localhost', database: 'jh' },
  }],
  ['postgresql+psycopg2://u:p%40ss%2Fw@10.0.0.5/hub', {
    kind: 'postgres', url: 'postgresql+psycopg2://u:p%40ss%2Fw@10.0.0.5/hub',
    connection: { user: 'u', password: 'p@ss/w', host: '10.0.0.5', database: 'hub' },
  }],
  ['postgresql://hub@/jupyterhub?host=/var/run/postgresql', {
    kind: 'postgres', url: 'postgresql://hub@/jupyterhub?host=/var/run/postgresql',
    connection: { user: 'hub', host: '/var/run/postgresql', database: 'jupyterhub' },
  }],
  ['postgresql:///jupyterhub', { kind: 'postgres', url: 'postgresql:///jupyterhub', connection: { database: 'jupyterhub' } }],
  ['postgresql://[::1]:5432/hub?sslmode=require&application_name=hub', {
    kind: 'postgres', url: 'postgresql://[::1]:5432/hub?sslmode=require&application_name=hub',
    connection: { host: '::1', port: 5432, database: 'hub', ssl: { rejectUnauthorized: false }, application_name: 'hub' },
  }],
];

const BAD: Array<[string, RegExp]> = [
  ['mysql://hub:pw@localhost/jupyterhub', /MySQL/],
  ['mysql+pymysql://hub:pw@localhost/jupyterhub', /MySQL/],
  ['oracle://x', /unsupported scheme "oracle"/],
  ['jupyterhub.sqlite', /no scheme/],
  ['', /no scheme/],
  ['sqlite://host/file.sqlite', /no host/],
  ['sqlite:///file.sqlite?mode=ro', /query parameters/],
  ['postgresql://hub:pw@localhost:99999/db', /port "99999"/],
  ['postgresql://hub:pw@localhost:abc/db', /port "abc"/],
  ['postgresql://hub:pw@localhost/db?sslmode=sometimes', /sslmode/],
  ['postgresql://hub:pw@localhost/db?frobnicate=1', /frobnicate/],
];

describe('parseDbUrl', () => {
  for (const [url, expected] of GOOD) {
    it(`parses ${url || '(empty)'}`, () => {
      assert.deepEqual(parseDbUrl(url, CWD), expected);
    });
  }

  for (const [url, why] of BAD) {
    it(`refuses ${url || '(empty)'} with DB_URL_INVALID and a hint`, () => {
      assert.throws(() => parseDbUrl(url, CWD), (err: unknown) => {
        assert.ok(isHubError(err));
        assert.equal(err.code, 'DB_URL_INVALID');
        assert.match(err.message, why);
        assert.match(err.hint ?? '', /sqlite:\/\/\/.*postgresql:\/\//);
        return true;
      });
    });
  }

  it('never puts a password into an error message', () => {
    assert.throws(() => parseDbUrl('mysql://hub:hunter2@localhost/db', CWD), (err: unknown) => {
      assert.ok(err instanceof Error);
      assert.doesNotMatch(err.message, /hunter2/);
      return true;
    });
    assert.throws(() => parseDbUrl('postgresql://hub:hunter2@localhost:0/db', CWD), (err: unknown) => {
      assert.ok(err instanceof Error);
      assert.doesNotMatch(err.message, /hunter2/);
      return true;
    });
  });
});

describe('redactDbUrl', () => {
  const cases: Array<[string, string]> = [
    ['postgresql://hub:s3cret@db:5432/jh', 'postgresql://hub:[redacted]@db:5432/jh'],
    ['postgresql://hub:p@ss@db/jh', 'postgresql://hub:[redacted]@db/jh'],
    ['postgresql://hub@db/jh?password=s3cret&sslmode=require', 'postgresql://hub@db/jh?password=[redacted]&sslmode=require'],
    ['postgresql://hub@db/jh', 'postgresql://hub@db/jh'],
    ['sqlite:///jupyterhub.sqlite', 'sqlite:///jupyterhub.sqlite'],
    ['mysql://root:toor@x/y', 'mysql://root:[redacted]@x/y'],
  ];
  for (const [url, expected] of cases) {
    it(`redacts ${expected}`, () => {
      assert.equal(redactDbUrl(url), expected);
    });
  }
});

describe('describeTarget', () => {
  it('names host:port, socket paths and files, never credentials', () => {
    assert.equal(describeTarget(parseDbUrl('postgresql://u:pw@db:5433/jh', CWD)), 'db:5433/jh');
    assert.equal(describeTarget(parseDbUrl('postgresql://u@/jh?host=/run/pg', CWD)), '/run/pg/.s.PGSQL.5432/jh');
    assert.equal(describeTarget(parseDbUrl('sqlite:///x.sqlite', CWD)), '/srv/hub/x.sqlite');
  });
});
