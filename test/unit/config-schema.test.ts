import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONFIG_SECTIONS, SCHEMA, describeOption, loadConfig } from '../../src/lib/config/index.js';
import type { OptionType } from '../../src/lib/config/index.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
// The shared references sit beside the repository (../shared), on developers' machines and in CI alike.
const REFERENCE = path.join(process.env.HUB_REFERENCE_DIR ?? path.join(ROOT, '..', 'shared', 'reference'), 'jupyterhub-app-config.txt');
const PYTHON = '/usr/bin/python3';
const hasReference = existsSync(REFERENCE);
const EMPTY_DIR = mkdtempSync(path.join(tmpdir(), 'hub-cfg-'));
after(() => rmSync(EMPTY_DIR, { recursive: true, force: true }));
const hasJupyterHub = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import jupyterhub'], { encoding: 'utf8' }).status === 0;

interface RefOption {
  name: string;
  trait: string;
  arg: string;
  firstHelpLine: string;
}

/** Parsed here independently of the generator, so a generator bug cannot hide behind its own parser. */
function readReference(): RefOption[] {
  const lines = readFileSync(REFERENCE, 'utf8').split('\n');
  const out: RefOption[] = [];
  lines.forEach((line, i) => {
    const m = /^(\w+) c\.JupyterHub\.(\w+) = (\w+)\((.*)\)$/.exec(line);
    if (!m) return;
    const firstHelpLine = lines.slice(i + 1).find((l) => l.trim() !== '') ?? '';
    out.push({ name: m[1] ?? '', trait: m[3] ?? '', arg: m[4] ?? '', firstHelpLine: firstHelpLine.trim() });
  });
  return out;
}

function pythonLiteral(trait: string, arg: string): unknown {
  if (arg === '') return ({ Set: [], List: [], Dict: {}, Command: [], Callable: null } as Record<string, unknown>)[trait];
  if (arg === 'None') return null;
  if (trait === 'Bool') return arg === 'True';
  if (['Int', 'Float', 'Enum'].includes(trait)) return Number(arg);
  const bytes = /^b'(.*)'$/.exec(arg);
  if (bytes) return Buffer.from(bytes[1] ?? '', 'latin1').toString('hex');
  const str = /^'(.*)'$/.exec(arg);
  if (str) return (str[1] ?? '').replace(/\\(.)/g, '$1');
  throw new Error(`unparsed default ${trait}(${arg})`);
}

const KIND_OF_TRAIT: Record<string, OptionType['kind'][]> = {
  Int: ['int'],
  Float: ['float'],
  Bool: ['bool'],
  Unicode: ['string', 'union'],
  Bytes: ['bytes'],
  URLPrefix: ['url-prefix'],
  Set: ['set'],
  List: ['list'],
  Dict: ['dict', 'tornado-settings'],
  Command: ['command'],
  Callable: ['callable'],
  Enum: ['enum'],
  EntryPointType: ['class'],
};

// data_files_path's reference default is the docs build machine's path; JupyterHub computes it at import time.
const DYNAMIC_IN_REFERENCE = new Set(['data_files_path']);
// The reference shows traitlets' class defaults; JupyterHub 3.0's app.py replaces these with @default methods,
// and hub follows what jupyterhub really does (INFO, timestamped lines).
const EFFECTIVE_DEFAULTS: Record<string, unknown> = {
  log_level: 20,
  log_format: '%(color)s[%(levelname)1.1s %(asctime)s.%(msecs).03d %(name)s %(module)s:%(lineno)d]%(end_color)s %(message)s',
};
// JupyterHub 3.0 options the reference page does not list, which RBAC, pagination and OAuth need.
const BEYOND_REFERENCE = ['api_page_default_limit', 'api_page_max_limit', 'custom_scopes', 'forwarded_host_header', 'hub_routespec', 'load_roles', 'oauth_token_expires_in', 'use_legacy_stopped_server_status_code'];

test('every c.JupyterHub option of the reference is in the schema with its type, default and help', { skip: !hasReference && `${REFERENCE} missing` }, async () => {
  const ref = readReference();
  assert.equal(ref.length, 82, 'the reference lists 82 c.JupyterHub options');
  const defaults = (await loadConfig({ cwd: EMPTY_DIR, env: {} })).config.JupyterHub as unknown as Record<string, unknown>;
  for (const opt of ref) {
    const spec = SCHEMA.JupyterHub.options[opt.name];
    assert.ok(spec, `JupyterHub.${opt.name} missing from the schema`);
    assert.ok(KIND_OF_TRAIT[opt.trait]?.includes(spec.type.kind), `JupyterHub.${opt.name}: ${opt.trait} became ${spec.type.kind}`);
    assert.ok(spec.help.includes(opt.firstHelpLine), `JupyterHub.${opt.name}: help lacks "${opt.firstHelpLine}"`);
    if (DYNAMIC_IN_REFERENCE.has(opt.name)) {
      assert.match(opt.arg, /readthedocs/);
      continue;
    }
    if (opt.trait === 'EntryPointType') {
      // The reference names the Python class; loading that name must give the same value as the default.
      const dotted = /<class '([\w.]+)'>/.exec(opt.arg)?.[1] ?? '';
      const loaded = await loadConfig({ cwd: EMPTY_DIR, env: {}, overrides: [`JupyterHub.${opt.name}=${dotted}`] }).catch(() => undefined);
      assert.equal((loaded?.config.JupyterHub as unknown as Record<string, unknown> | undefined)?.[opt.name], defaults[opt.name], opt.name);
      continue;
    }
    if (opt.name in EFFECTIVE_DEFAULTS) {
      assert.deepEqual(spec.default, EFFECTIVE_DEFAULTS[opt.name], `JupyterHub.${opt.name} effective default`);
      assert.match(spec.help, /reference shows/, `JupyterHub.${opt.name}: help explains the difference`);
      continue;
    }
    assert.deepEqual(spec.default, pythonLiteral(opt.trait, opt.arg), `JupyterHub.${opt.name} default`);
  }
  assert.deepEqual(Object.keys(SCHEMA.JupyterHub.options).sort(), [...ref.map((o) => o.name), ...BEYOND_REFERENCE].sort(), 'only the listed 3.0 options beyond the reference');
});

test("log_level is JupyterHub's effective INFO, and the known JupyterHub defaults hold", async () => {
  const { config } = await loadConfig({ cwd: EMPTY_DIR, env: {} });
  assert.equal(config.JupyterHub.log_level, 20);
  assert.equal(config.JupyterHub.api_page_default_limit, 50);
  assert.equal(config.JupyterHub.api_page_max_limit, 200);
  assert.deepEqual(config.JupyterHub.load_roles, []);
  assert.equal(config.JupyterHub.port, 8000);
  assert.equal(config.JupyterHub.base_url, '/');
  assert.equal(config.JupyterHub.authenticator_class, 'pam');
  assert.equal(config.JupyterHub.spawner_class, 'localprocess');
  assert.equal(config.JupyterHub.proxy_class, 'configurable-http-proxy');
  assert.equal(config.JupyterHub.cookie_secret, '');
  assert.deepEqual(config.Spawner.cmd, ['jupyterhub-singleuser']);
  assert.equal(config.Spawner.mem_limit, null);
  assert.equal(config.SimpleLocalProcessSpawner.home_dir_template, '/tmp/{username}');
  assert.equal(config.PAMAuthenticator.service, 'login');
  assert.deepEqual(config.ConfigurableHTTPProxy.command, ['configurable-http-proxy']);
  assert.equal(config.ConfigurableHTTPProxy.api_url, 'http://127.0.0.1:8001');
  assert.deepEqual(config.CryptKeeper.keys, []);
  assert.equal(config.Hub.control_socket, '');
});

test('every section of JupyterHub 3.0 has exactly the configurable traits the installed jupyterhub declares', { skip: !hasJupyterHub && 'no /usr/bin/python3 with jupyterhub' }, () => {
  const script = [
    'import json',
    'from jupyterhub.spawner import Spawner, LocalProcessSpawner, SimpleLocalProcessSpawner',
    'from jupyterhub.auth import Authenticator, LocalAuthenticator, PAMAuthenticator, DummyAuthenticator',
    'from jupyterhub.proxy import Proxy, ConfigurableHTTPProxy',
    'from jupyterhub.crypto import CryptKeeper',
    'cs = [Spawner, LocalProcessSpawner, SimpleLocalProcessSpawner, Authenticator, LocalAuthenticator, PAMAuthenticator, DummyAuthenticator, Proxy, ConfigurableHTTPProxy, CryptKeeper]',
    'print(json.dumps({c.__name__: sorted(c.class_own_traits(config=True)) for c in cs}))',
  ].join('\n');
  const r = spawnSync(PYTHON, ['-c', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const traits = JSON.parse(r.stdout) as Record<string, string[]>;
  assert.equal(Object.keys(traits).length, 10);
  for (const [section, names] of Object.entries(traits)) {
    const spec = (SCHEMA as Record<string, { options: Record<string, unknown> } | undefined>)[section];
    assert.ok(spec, `section ${section} missing`);
    assert.deepEqual(Object.keys(spec.options).sort(), names, section);
  }
  assert.deepEqual([...CONFIG_SECTIONS].sort(), ['JupyterHub', 'Hub', ...Object.keys(traits)].sort());
});

test('the generator is deterministic and the committed schema.generated.ts is up to date', { skip: !(hasJupyterHub && hasReference) && 'needs /usr/bin/python3 with jupyterhub and the reference' }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hub-gen-'));
  try {
    const outs = [1, 2].map((n) => {
      const out = path.join(dir, `schema${n}.ts`);
      const r = spawnSync(PYTHON, [path.join(ROOT, 'scripts/gen-config-schema.py')], { encoding: 'utf8', env: { ...process.env, HUB_SCHEMA_OUTPUT: out } });
      assert.equal(r.status, 0, r.stderr);
      return readFileSync(out, 'utf8');
    });
    assert.equal(outs[0], outs[1]);
    assert.equal(outs[0], readFileSync(path.join(ROOT, 'src/lib/config/schema.generated.ts'), 'utf8'), 'run /usr/bin/python3 scripts/gen-config-schema.py and commit');
    assert.match(outs[0] ?? '', /^\/\/ generated by scripts\/gen-config-schema\.py; do not edit/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('describeOption finds options by full key, inherited ones under subclasses too', () => {
  assert.equal(describeOption('JupyterHub.port')?.default, 8000);
  assert.equal(describeOption('LocalProcessSpawner.cmd'), describeOption('Spawner.cmd'));
  assert.equal(describeOption('PAMAuthenticator.admin_users')?.type.kind, 'set');
  assert.equal(describeOption('Spawner.home_dir_template'), undefined, 'options of subclasses do not climb up');
  assert.equal(describeOption('JupyterHub.prot'), undefined);
  assert.equal(describeOption('port'), undefined);
  assert.equal(describeOption('JupyterHub.proxy_cmd')?.deprecated?.replacement, 'ConfigurableHTTPProxy.command');
});

test('deprecated options carry their message and replacement', () => {
  const deprecated = CONFIG_SECTIONS.flatMap((s) =>
    Object.entries(SCHEMA[s].options).flatMap(([name, spec]) => (spec.deprecated ? [`${s}.${name}`] : [])),
  );
  for (const key of ['JupyterHub.admin_users', 'JupyterHub.proxy_cmd', 'JupyterHub.proxy_auth_token', 'JupyterHub.proxy_api_ip', 'JupyterHub.proxy_api_port', 'JupyterHub.debug_proxy', 'JupyterHub.hub_connect_port', 'JupyterHub.confirm_no_ssl', 'Authenticator.whitelist']) {
    assert.ok(deprecated.includes(key), key);
  }
  assert.equal(describeOption('JupyterHub.confirm_no_ssl')?.deprecated?.message, 'DEPRECATED: does nothing');
  assert.ok(!deprecated.includes('JupyterHub.port'));
});
