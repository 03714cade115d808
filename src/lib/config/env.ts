/**
 * Environment variables JupyterHub reads as option defaults: they apply only where the config leaves the
 * option unset, exactly as a traitlets dynamic default would.
 * (JPY_COOKIE_SECRET is the secrets module's business, since it competes with cookie_secret_file.)
 */
import { CRYPT_KEY_ENV, parseCryptKey, splitCryptKeys } from './crypt-key.js';
import type { Setting, Settings } from './settings.js';

export const PROXY_TOKEN_ENV = 'CONFIGPROXY_AUTH_TOKEN';

export interface EnvResult {
  settings: Setting[];
  problems: string[];
}

export function settingsFromEnv(env: NodeJS.ProcessEnv, settings: Settings): EnvResult {
  const out: EnvResult = { settings: [], problems: [] };
  const token = env[PROXY_TOKEN_ENV];
  if (token !== undefined && token !== '' && !settings.has('ConfigurableHTTPProxy.auth_token')) {
    out.settings.push({ section: 'ConfigurableHTTPProxy', option: 'auth_token', value: token, source: `environment variable ${PROXY_TOKEN_ENV}` });
  }
  const keys = env[CRYPT_KEY_ENV];
  if (keys !== undefined && !settings.has('CryptKeeper.keys')) {
    const parts = splitCryptKeys(keys);
    const parsed = parts.map((k) => parseCryptKey(k));
    const bad = parsed.flatMap((k, i) => (k === undefined ? [i + 1] : []));
    if (bad.length > 0) {
      // Never echo the keys themselves: this line ends up in logs.
      out.problems.push(
        `environment variable ${CRYPT_KEY_ENV}: key ${bad.join(', ')} of ${parts.length} is not 32 bytes, hex (64 digits) or base64 (44 characters) encoded`,
      );
    } else if (parsed.length > 0) {
      out.settings.push({ section: 'CryptKeeper', option: 'keys', value: parsed, source: `environment variable ${CRYPT_KEY_ENV}` });
    }
  }
  return out;
}
