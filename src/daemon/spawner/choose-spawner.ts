import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { resolveClassRef, type HubConfig } from '../../lib/config/index.js';
import { HubError } from '../../lib/errors.js';
import type { Logger } from '../../lib/log.js';
import { LocalProcessSpawner } from './local-process-spawner.js';
import type { Spawner } from './spawner.js';

/**
 * JupyterHub.spawner_class: 'localprocess' (default), 'simple', or a module (path or package) whose default
 * export is a class implementing Spawner, constructed with {config, log}; in a JS/TS config the class itself.
 */
type SpawnerClass = new (o: { config: HubConfig; log: Logger }) => Spawner;

export async function chooseSpawner(config: HubConfig, log: Logger, logDir: string, configDir: string): Promise<Spawner> {
  const ref = resolveClassRef('Spawner', config.JupyterHub.spawner_class);
  switch (ref.kind) {
    case 'builtin':
      return new LocalProcessSpawner({ config, log, logDir, simple: ref.name === 'simple' });
    case 'module': {
      const target = ref.specifier.startsWith('.') ? pathToFileURL(path.resolve(configDir, ref.specifier)).href : ref.specifier;
      const mod: unknown = await import(target).catch((err: unknown) => {
        throw new HubError('CONFIG_INVALID', `cannot load spawner_class ${ref.specifier}: ${err instanceof Error ? err.message : String(err)}`);
      });
      const cls = typeof mod === 'object' && mod !== null && 'default' in mod ? mod.default : undefined;
      if (typeof cls !== 'function') throw new HubError('CONFIG_INVALID', `spawner_class ${ref.specifier} has no default export class`);
      return new (cls as SpawnerClass)({ config, log });
    }
    case 'value':
      return new (ref.value as SpawnerClass)({ config, log });
  }
}
