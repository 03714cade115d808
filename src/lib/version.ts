import { readFileSync } from 'node:fs';

/**
 * hub's own version (package.json) and the JupyterHub API level it implements. The latter goes into every
 * X-JupyterHub-Version header: it must be a PEP 440 version, or jupyterhub-singleuser crashes on start.
 */
function readOwnVersion(): string {
  const raw: unknown = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'));
  if (typeof raw === 'object' && raw !== null && 'version' in raw && typeof raw.version === 'string') return raw.version;
  return '0.0.0';
}

export const HUB_VERSION = readOwnVersion();
export const JUPYTERHUB_API_VERSION = '3.0.0';
/** The daemon answers every request with this header, so a CLI of another version can say so clearly. */
export const HUB_VERSION_HEADER = 'x-hub-version';
