import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/**
 * The stand-in single-user server (standin.c), compiled on first use into a cache directory keyed by the
 * source's hash, so tests and benchmarks share one binary and a changed source is rebuilt.
 */
const run = promisify(execFile);

/** The C source, beside this file when run from source, or at the repository's bench/standin when compiled to dist/. */
function sourcePath(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.join(here, 'standin.c'), path.resolve(here, '..', '..', '..', 'bench', 'standin', 'standin.c')];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`standin.c not found (looked in ${candidates.join(', ')})`);
  return found;
}

export async function buildStandin(cacheRoot = path.join(os.tmpdir(), 'hub-standin')): Promise<string> {
  const src = sourcePath();
  const hash = createHash('sha256').update(await readFile(src)).digest('hex').slice(0, 16);
  const dir = path.join(cacheRoot, hash);
  const bin = path.join(dir, 'standin');
  if (existsSync(bin)) return bin;
  await mkdir(dir, { recursive: true });
  // Compile to a private name and rename: concurrent test files may build at the same moment.
  const tmp = `${bin}.${process.pid}.${Date.now()}`;
  await run(process.env.CC ?? 'gcc', ['-O2', '-Wall', '-o', tmp, src]);
  await rename(tmp, bin);
  return bin;
}
