#!/usr/bin/env node
// The build regenerates oclif.manifest.json and the README command reference. In CI (a fresh clone) any
// difference from what is committed means someone changed a command without rebuilding: fail loudly.
import { spawnSync } from 'node:child_process';

const r = spawnSync('git', ['diff', '--stat', '--exit-code', '--', 'oclif.manifest.json', 'README.md'], { encoding: 'utf8' });
if (r.status === 0) process.exit(0);
const msg = `generated files differ from the committed ones:\n${r.stdout}Run npm run build and commit oclif.manifest.json and README.md.`;
if (process.env.CI) {
  console.error(msg);
  process.exit(1);
}
console.error(`warning: ${msg}`);
