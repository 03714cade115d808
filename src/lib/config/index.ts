/**
 * hub's configuration: JupyterHub's option names and classes, read from hub.yml (or .json, .js, .ts, .hubrc...).
 *
 * Shape of the loaded HubConfig (see schema.generated.ts for every option):
 *
 *   config.JupyterHub                   JupyterHubConfig: port, base_url, spawner_class, ...
 *   config.Spawner                      every option of Spawner, LocalProcessSpawner and SimpleLocalProcessSpawner,
 *                                       resolved for the class JupyterHub.spawner_class selects:
 *                                       Spawner settings, then LocalProcessSpawner's, then (for 'simple')
 *                                       SimpleLocalProcessSpawner's. A custom class gets Spawner's settings only.
 *   config.LocalProcessSpawner          Spawner & LocalProcessSpawner options as a LocalProcessSpawner sees them
 *   config.SimpleLocalProcessSpawner    ... & SimpleLocalProcessSpawner options
 *   config.Authenticator                every option of Authenticator, LocalAuthenticator, PAMAuthenticator and
 *                                       DummyAuthenticator, resolved for JupyterHub.authenticator_class
 *   config.LocalAuthenticator, config.PAMAuthenticator, config.DummyAuthenticator   as each class sees them
 *   config.Proxy                        Proxy & ConfigurableHTTPProxy options, resolved for JupyterHub.proxy_class
 *   config.ConfigurableHTTPProxy        Proxy & ConfigurableHTTPProxy options as that class sees them
 *   config.CryptKeeper                  keys (Buffers), n_threads
 *   config.Hub                          hub's own options, which JupyterHub lacks: control_socket
 *
 * So generic code reads config.Spawner.cmd or config.Authenticator.admin_users, and a class's own implementation
 * may read its section (config.PAMAuthenticator.open_sessions); both agree for the configured class.
 * Values are normalised: commands are string[], sets are deduplicated arrays, log_level is a number, base_url
 * starts and ends with '/', cookie_secret is lower-case hex, CryptKeeper.keys are 32-byte Buffers, mem_limit is a number of bytes or
 * null, *_class is a built-in short name ('pam'), an absolute module path / package name, or the class itself
 * (resolveClassRef() tells which), and hooks are functions or null. JupyterHub.tornado_settings is a TornadoSettings with
 * every key hub reads filled in (its option-named keys already written over their options, see tornado-settings.ts);
 * extra_handlers entries carry their compiled, anchored RegExp; extra_log_handlers entries are {handle, level, label}.
 */
export type {
  HubConfig,
  SectionName,
  JupyterHubConfig,
  SpawnerConfig,
  LocalProcessSpawnerConfig,
  SimpleLocalProcessSpawnerConfig,
  AuthenticatorConfig,
  LocalAuthenticatorConfig,
  PAMAuthenticatorConfig,
  DummyAuthenticatorConfig,
  ProxyConfig,
  ConfigurableHTTPProxyConfig,
  CryptKeeperConfig,
  HubSectionConfig,
} from './schema.generated.js';
export { SCHEMA, BUILTIN_CLASSES } from './schema.generated.js';
export type {
  OptionSpec, OptionType, SectionSpec, DefaultValue, ClassValue, ClassFamily, ConfigFunction, ConfigConstructor,
  CookieKwargs, TornadoSettings, ExtraHandler, LogHandlerEntry,
} from './types.js';
export { configFileOverride, loadConfig, type LoadedConfig, type LoadOptions } from './load.js';
export { applyOverride, parseOverrideValue, type RawConfig } from './override.js';
export { generateConfigYaml } from './generate-yaml.js';
export { CONFIG_SECTIONS, describeOption } from './sections.js';
export { resolveClassRef, builtinClassNames, type ClassRef } from './class-ref.js';
export { SEARCH_PLACES } from './find-file.js';
export { PROXY_TOKEN_ENV } from './env.js';
export { CRYPT_KEY_ENV, parseCryptKey } from './crypt-key.js';
export { formatString } from './format-string.js';
