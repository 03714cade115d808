import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger, formatRecord, strftime } from '../../src/lib/log.js';

const JH_FORMAT = '%(color)s[%(levelname)1.1s %(asctime)s.%(msecs).03d %(name)s %(module)s:%(lineno)d]%(end_color)s %(message)s';

test("JupyterHub's default log_format renders like Python's logging", () => {
  const when = new Date(2026, 10, 25, 17, 1, 2, 7);
  const line = formatRecord(JH_FORMAT, '%Y-%m-%d %H:%M:%S', { levelno: 20, name: 'JupyterHub', module: 'db', message: 'hello', when, color: false });
  assert.equal(line, '[I 2026-11-25 17:01:02.007 JupyterHub db:0] hello');
});

test('colour codes only when asked, and levels filter', () => {
  const lines: string[] = [];
  const log = createLogger({ level: 30, format: '%(color)s%(levelname)s%(end_color)s %(message)s', datefmt: '', color: true, write: (l) => lines.push(l) });
  log.info('hidden');
  log.warn('shown');
  assert.deepEqual(lines, ['\x1b[33mWARNING\x1b[0m shown']);
});

test('strftime directives and width flags', () => {
  const d = new Date(2026, 0, 5, 9, 3, 4);
  assert.equal(strftime('%y/%m/%d %I%p %b %a %%', d), '26/01/05 09AM Jan Mon %');
  assert.equal(formatRecord('%(levelname)-8s|%(name)5s|', '', { levelno: 40, name: 'db', message: '', when: d, color: false }), 'ERROR   |   db|');
});
