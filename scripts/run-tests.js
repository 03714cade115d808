#!/usr/bin/env node
// Runs every compiled test file with node's test runner; its closing summary (tests/pass/fail) is what CI reads.
// Usage: node scripts/run-tests.js [unit|integration|e2e ...]  (default: all)
import { readdirSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.join(path.dirname(new URL(import.meta.url).pathname), '..');
const suites = process.argv.slice(2);
const dirs = (suites.length > 0 ? suites : ['unit', 'integration', 'e2e']).map((s) => path.join(root, 'dist', 'test', s));

function walk(dir) {
  let out = [];
  let entries = [];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries.sort()) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(walk(p));
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const files = dirs.flatMap(walk);
if (files.length === 0) {
  console.error('no compiled test files found under dist/test; run npm run build first');
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--test', '--test-reporter=spec', '--test-concurrency=2', ...files], { stdio: 'inherit', cwd: root });
process.exit(r.status ?? 1);
