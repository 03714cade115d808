import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultLoaders } from 'cosmiconfig';
import { CONFIG_SECTIONS, SCHEMA, generateConfigYaml, loadConfig } from '../../src/lib/config/index.js';

const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

const yaml = generateConfigYaml();
const OPTION_LINE = /^# ( {2}(\w+): .*)$/;

async function parseYaml(text: string): Promise<unknown> {
  const loader = defaultLoaders['.yaml'];
  assert.ok(loader);
  return loader('generated.yml', text);
}

async function loadText(text: string): ReturnType<typeof loadConfig> {
  const dir = await mkdtemp(path.join(tmpdir(), 'hub-gen-'));
  dirs.push(dir);
  await writeFile(path.join(dir, 'hub.yml'), text);
  return loadConfig({ cwd: dir, env: {} });
}

async function defaults(): ReturnType<typeof loadConfig> {
  const dir = await mkdtemp(path.join(tmpdir(), 'hub-gen-'));
  dirs.push(dir);
  return loadConfig({ cwd: dir, env: {} });
}

test('generate-config output parses to all-null sections and loads to the defaults', async () => {
  const parsed = await parseYaml(yaml);
  assert.deepEqual(parsed, Object.fromEntries(CONFIG_SECTIONS.map((s) => [s, null])));
  const loaded = await loadText(yaml);
  assert.deepEqual(loaded.config, (await defaults()).config);
  assert.deepEqual(loaded.warnings, []);
  assert.equal(loaded.explicit.size, 0);
});

test('every option appears once, commented out, after its help; deprecated ones are marked', () => {
  const lines = yaml.split('\n');
  assert.match(lines[0] ?? '', /^# Configuration file for hub/);
  for (const section of CONFIG_SECTIONS) {
    const start = lines.indexOf(`${section}:`);
    assert.ok(start > 0, `section ${section} missing`);
    const end = lines.findIndex((l, i) => i > start && /^\w+:$/.test(l));
    const body = lines.slice(start + 1, end < 0 ? undefined : end);
    const names = body.flatMap((l) => OPTION_LINE.exec(l)?.[2] ?? []);
    assert.deepEqual(names, Object.keys(SCHEMA[section].options), section);
  }
  const port = lines.indexOf('#   port: 8000');
  assert.ok(port > 0);
  assert.match(lines.slice(port - 6, port).join('\n'), /The public facing port of the proxy\./);
  const proxyCmd = lines.indexOf('#   proxy_cmd: []');
  assert.match(lines.slice(proxyCmd - 4, proxyCmd).join('\n'), /DEPRECATED since version 0\.8\. Use ConfigurableHTTPProxy\.command/);
  const whitelist = lines.indexOf('#   whitelist: []');
  assert.match(lines.slice(whitelist - 4, whitelist).join('\n'), /DEPRECATED/);
});

test('help comments are wrapped at 100 columns', () => {
  const long = yaml.split('\n').filter((l) => l.startsWith('  #') && l.length > 100 && l.trim().includes(' ', 4));
  assert.deepEqual(long, []);
});

test('uncommenting every option line still loads to the defaults, without warnings', async () => {
  const uncommented = yaml
    .split('\n')
    .map((l) => OPTION_LINE.exec(l)?.[1] ?? l)
    .join('\n');
  const parsed = (await parseYaml(uncommented)) as Record<string, Record<string, unknown>>;
  for (const section of CONFIG_SECTIONS) {
    assert.deepEqual(Object.keys(parsed[section] ?? {}), Object.keys(SCHEMA[section].options), section);
  }
  const loaded = await loadText(uncommented);
  assert.deepEqual(loaded.config, (await defaults()).config);
  assert.deepEqual(loaded.warnings, []);
  assert.ok(loaded.explicit.has('JupyterHub.port'));
});

test('a single uncommented and edited option takes effect', async () => {
  const edited = yaml.replace('#   port: 8000', '  port: 8443').replace('#   cmd: ["jupyterhub-singleuser"]', '  cmd: ["/opt/bin/jupyterhub-singleuser"]');
  const { config } = await loadText(edited);
  assert.equal(config.JupyterHub.port, 8443);
  assert.deepEqual(config.Spawner.cmd, ['/opt/bin/jupyterhub-singleuser']);
});
