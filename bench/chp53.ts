/**
 * configurable-http-proxy 5.3 from npm for the benches, installed on demand into a cache directory and reused
 * from there: it is something to compare against, never a dependency of the hub (Debian ships only 4.5).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const VERSION = '5.3.x';
const CACHE = path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'hub-bench', 'chp53');
const BIN = path.join(CACHE, 'node_modules', 'configurable-http-proxy', 'bin', 'configurable-http-proxy');

/** The command that runs CHP 5.3, installing it first if the cache does not hold it; undefined if that fails. */
export async function chp53Command(log: (line: string) => void): Promise<string[] | undefined> {
  if (!existsSync(BIN)) {
    log(`installing configurable-http-proxy@${VERSION} into ${CACHE} (once)`);
    try {
      await promisify(execFile)('npm', ['install', '--prefix', CACHE, '--no-audit', '--no-fund', '--loglevel=error', `configurable-http-proxy@${VERSION}`], { timeout: 300_000 });
    } catch (err) {
      log(`cannot install configurable-http-proxy@${VERSION}: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
  }
  return [process.execPath, BIN];
}
