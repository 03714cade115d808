import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { HubError } from '../../../lib/errors.js';
import { resolveClassRef, type HubConfig } from '../../../lib/config/index.js';
import type { Logger } from '../../../lib/log.js';
import { CustomAuthenticator, instantiateCustom } from './custom-authenticator.js';
import { DummyAuthenticator } from './dummy-authenticator.js';
import { NullAuthenticator } from './null-authenticator.js';
import { PAMAuthenticator } from './pam-authenticator.js';
import type { Authenticator } from './types.js';

/**
 * `JupyterHub.authenticator_class`: 'pam' (the default), 'dummy', 'null', a module path / package name, or a class
 * from a JS/TS config file. config.Authenticator already holds the options resolved for the chosen class.
 */
export async function createAuthenticator(config: HubConfig, log: Logger): Promise<Authenticator> {
  const ref = resolveClassRef('Authenticator', config.JupyterHub.authenticator_class);
  const c = config.Authenticator;
  switch (ref.kind) {
    case 'builtin':
      if (ref.name === 'pam') return new PAMAuthenticator({ config: c, log });
      if (ref.name === 'dummy') return new DummyAuthenticator({ config: c, log });
      if (ref.name === 'null') return new NullAuthenticator({ config: c, log });
      throw new HubError('CONFIG_INVALID', `unknown built-in authenticator ${ref.name}`, { hint: "Use 'pam', 'dummy' or 'null', or a module path." });
    case 'module': {
      const exported = await importAuthenticator(ref.specifier);
      const init = { config: c, hubConfig: config, log };
      return new CustomAuthenticator(instantiateCustom(exported, init, ref.specifier), init);
    }
    case 'value': {
      const init = { config: c, hubConfig: config, log };
      return new CustomAuthenticator(instantiateCustom(ref.value, init, 'JupyterHub.authenticator_class'), init);
    }
  }
}

/** The module's default export, or its only exported class with an authenticate method. */
async function importAuthenticator(specifier: string): Promise<unknown> {
  const target = path.isAbsolute(specifier) ? pathToFileURL(specifier).href : specifier;
  let mod: unknown;
  try {
    mod = await import(target);
  } catch (err) {
    throw new HubError('CONFIG_INVALID', `cannot load authenticator_class ${specifier}: ${err instanceof Error ? err.message : String(err)}`, {
      hint: 'Point JupyterHub.authenticator_class at a JS module (a path relative to the config file, or an installed package).',
    });
  }
  if (typeof mod !== 'object' || mod === null) return undefined;
  const exports = mod as Record<string, unknown>;
  if (typeof exports.default === 'function') return exports.default;
  const candidates = Object.values(exports).filter((v) => {
    if (typeof v !== 'function') return false;
    const proto: unknown = v.prototype;
    return typeof proto === 'object' && proto !== null && typeof (proto as Record<string, unknown>).authenticate === 'function';
  });
  return candidates.length === 1 ? candidates[0] : undefined;
}
