#!/usr/bin/env node
// Builds hub's PAM addon (native/pam) with node-gyp against the running node's own headers, so nothing is
// downloaded (hub's machines reach no header mirror). Needs libpam's headers (Debian: libpam0g-dev) and a C
// compiler. `--optional` turns a failed build into a warning: hub then runs without PAM (the 'dummy' or a custom
// authenticator still work) and says so at start.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const optional = process.argv.includes('--optional');

function fail(message) {
  console.error(`hub: the PAM addon was not built: ${message}`);
  console.error('hub: install libpam0g-dev (or your system\'s PAM headers) and a C compiler, then run `node native/pam/build.mjs`.');
  process.exit(optional ? 0 : 1);
}

// npm hands its own node-gyp to install scripts; otherwise use the one in node_modules.
let gyp = process.env.npm_config_node_gyp;
if (!gyp) {
  try {
    gyp = createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js');
  } catch {
    fail('node-gyp is not installed');
  }
}

const args = [gyp, 'rebuild', '--directory', here];
const nodedir = path.resolve(process.execPath, '..', '..');
if (existsSync(path.join(nodedir, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${nodedir}`);
const result = spawnSync(process.execPath, args, { stdio: 'inherit' });
if (result.status !== 0) fail(`node-gyp exited with ${result.status ?? result.signal}`);
