/**
 * `hub start` (a real daemon process) with JupyterHub.extra_log_handlers and tornado_settings from a JS config:
 * the handlers get the daemon's records at or above log_level as LogRecord-like objects, a throwing handler is
 * reported once and breaks nothing; override notices and unused-key warnings appear at start. YAML giving
 * strings for handlers is a configuration error: exit code 3, one line per problem, no stack trace.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runCli, startDaemon, tempDir } from '../helpers/cli.js';

const BASE = `ConfigurableHTTPProxy: {api_url: 'http://127.0.0.1:0'}
JupyterHub:
  hub_ip: 127.0.0.1
  hub_port: 0
  db_url: 'sqlite:///hub.sqlite'
`;

interface Record_ {
  name: string;
  levelno: number;
  levelname: string;
  msg: string;
  message: string;
  created: number;
  asctime: string;
  module: string;
  formatted: string;
  viaMethod?: boolean;
}

test('extra_log_handlers get the daemon log records; a throwing one is reported once', { timeout: 90_000 }, async () => {
  const dir = await tempDir('hub-log-handlers-');
  const all = path.join(dir, 'all.jsonl');
  const warnings = path.join(dir, 'warnings.jsonl');
  await writeFile(path.join(dir, 'hub.config.mjs'), `
import { appendFileSync } from 'node:fs';
const line = (r, extra = {}) => JSON.stringify({ name: r.name, levelno: r.levelno, levelname: r.levelname, msg: r.msg, message: r.getMessage(),
  created: r.created, asctime: r.asctime, module: r.module, formatted: r.formatted, ...extra }) + '\\n';
class WarningFile {
  level = 30;
  handle(record) { appendFileSync(${JSON.stringify(warnings)}, line(record, { viaMethod: this instanceof WarningFile })); }
}
export default {
  ConfigurableHTTPProxy: { api_url: 'http://127.0.0.1:0' },
  JupyterHub: {
    hub_ip: '127.0.0.1', hub_port: 0, ip: '127.0.0.1', port: 0, db_url: 'sqlite:///hub.sqlite',
    log_datefmt: '%Y',
    tornado_settings: { compress_response: true, active_server_limit: 7 },
    extra_log_handlers: [
      (record) => appendFileSync(${JSON.stringify(all)}, line(record)),
      new WarningFile(),
      () => { throw new Error('this handler always fails'); },
    ],
  },
};
`);
  const daemon = await startDaemon([], { cwd: dir });
  const result = await daemon.stop();
  assert.equal(result.code, 0, result.stderr);
  const read = async (f: string): Promise<Record_[]> => (await readFile(f, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record_);

  const records = await read(all);
  const ready = records.find((r) => r.message.startsWith('hub ') && r.message.includes('is ready'));
  assert.ok(ready, records.map((r) => r.message).join('\n'));
  assert.equal(ready.name, 'JupyterHub');
  assert.equal(ready.levelname, 'INFO');
  assert.equal(ready.levelno, 20);
  assert.equal(ready.msg, ready.message);
  assert.ok(Math.abs(ready.created - Date.now() / 1000) < 120, String(ready.created));
  assert.equal(ready.asctime, String(new Date().getFullYear()), 'asctime follows log_datefmt');
  assert.ok(ready.formatted.endsWith(ready.message) && !ready.formatted.includes('\x1b['), ready.formatted);
  assert.ok(records.some((r) => r.message.includes('hub stopped cleanly')), 'records keep coming until the end');
  assert.ok(records.every((r) => r.levelno >= 20), 'only records at or above log_level INFO');
  assert.ok(records.some((r) => r.message === 'JupyterHub.tornado_settings.active_server_limit overrides JupyterHub.active_server_limit: 7 instead of the default 0'));

  const warned = await read(warnings);
  assert.ok(warned.length > 0 && warned.every((r) => r.levelno >= 30 && r.viaMethod === true), JSON.stringify(warned));
  assert.ok(warned.some((r) => r.levelname === 'WARNING' && r.message === 'JupyterHub.tornado_settings.compress_response has no effect in hub (it is a tornado setting hub does not use)'));

  const failures = result.stderr.split('\n').filter((l) => l.includes('JupyterHub.extra_log_handlers[2] failed: this handler always fails'));
  assert.equal(failures.length, 1, result.stderr);
  assert.ok(result.stderr.includes('hub stopped cleanly'));
});

test('hub start: handlers given as strings in YAML are a configuration error naming each index, no stack trace', { timeout: 60_000 }, async () => {
  const dir = await tempDir('hub-bad-handlers-');
  await writeFile(path.join(dir, 'hub.yml'), `${BASE}  extra_handlers: [["/my-page", "mymodule.MyHandler"]]
  extra_log_handlers: [logging.StreamHandler]
  tornado_settings: {slow_spawn_timeout: soon}
`);
  const r = await runCli(['start'], { cwd: dir });
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /JupyterHub\.extra_handlers\[0\]\[1\] must be a function \(req, res, match, hub\), found "mymodule\.MyHandler" \(string\); functions can only be set in a JS\/TS config file/);
  assert.match(r.stderr, /JupyterHub\.extra_log_handlers\[0\] must be a function \(record\) or an object with a handle\(record\) method, found "logging\.StreamHandler" \(string\)/);
  assert.match(r.stderr, /JupyterHub\.tornado_settings\.slow_spawn_timeout must be a number of seconds \(0 or more\), found "soon" \(string\)/);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
});

test('hub start: an extra_handlers pattern that does not compile is named with its index', { timeout: 60_000 }, async () => {
  const dir = await tempDir('hub-bad-pattern-');
  await writeFile(path.join(dir, 'hub.config.mjs'), `export default { JupyterHub: { extra_handlers: [['/ok', () => {}], ['/broken/(', () => {}]] } };\n`);
  const r = await runCli(['start'], { cwd: dir });
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /JupyterHub\.extra_handlers\[1\]\[0\] is not a valid regular expression: /);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
});
