/**
 * jupyterhub/crypto.py CryptKeeper: JSON values encrypted as Fernet tokens under CryptKeeper.keys (from the
 * config, or JUPYTERHUB_CRYPT_KEY split on ';', parsed by lib/config/crypt-key.ts as `_validate_key` does).
 * The first key encrypts, every key decrypts (MultiFernet), which is how keys are rotated.
 *
 * JupyterHub runs Fernet in a thread pool (n_threads); auth_state is a few hundred bytes and AES-CBC on that
 * takes microseconds, so this does it inline and n_threads is accepted but has no use.
 */
import { HubError } from '../../lib/errors.js';
import type { CryptKeeperConfig } from '../../lib/config/index.js';
import { fernetDecrypt, fernetEncrypt } from './fernet.js';

export const AUTH_STATE_KEY_HINT =
  'Set one or more 32-byte keys (the first encrypts, the others still decrypt): export JUPYTERHUB_CRYPT_KEY=$(openssl rand -hex 32), ' +
  'or CryptKeeper.keys in the config file; or turn Authenticator.enable_auth_state off';

export class CryptKeeper {
  readonly keys: readonly Buffer[];

  constructor(keys: readonly Buffer[]) {
    this.keys = keys;
  }

  get available(): boolean {
    return this.keys.length > 0;
  }

  /** crypto.py `check_available`: NoEncryptionKeys, as a HubError an operator can act on. */
  checkAvailable(): void {
    if (!this.available) {
      throw new HubError('CONFIG_INVALID', 'auth_state is enabled, but encryption is not available: Encryption keys must be specified in JUPYTERHUB_CRYPT_KEY env', { hint: AUTH_STATE_KEY_HINT });
    }
  }

  /** `fernet.encrypt(json.dumps(data).encode('utf8'))`: the token's ASCII bytes, as JupyterHub stores them. */
  encrypt(value: unknown): Buffer {
    this.checkAvailable();
    const [first] = this.keys;
    if (first === undefined) throw new Error('unreachable: checkAvailable passed without a key');
    return Buffer.from(fernetEncrypt(first, Buffer.from(JSON.stringify(value), 'utf8')), 'ascii');
  }

  /** Throws InvalidToken (wrong keys, damaged value) or SyntaxError (not JSON); the caller decides how loud. */
  decrypt(blob: Buffer | string): unknown {
    this.checkAvailable();
    return JSON.parse(fernetDecrypt(this.keys, blob).toString('utf8')) as unknown;
  }
}

/**
 * One keeper per loaded config, as JupyterHub's CryptKeeper is a singleton: the API routes, the login page and
 * the spawn hooks all see the config, so none of them needs one more constructor argument.
 */
const keepers = new WeakMap<CryptKeeperConfig, CryptKeeper>();

export function cryptKeeperFor(config: CryptKeeperConfig): CryptKeeper {
  let keeper = keepers.get(config);
  if (keeper === undefined) {
    keeper = new CryptKeeper(config.keys);
    keepers.set(config, keeper);
  }
  return keeper;
}
