/**
 * The vocabulary of the config schema: the kinds of values an option can hold and the shape of an option's
 * entry. schema.generated.ts is written in these terms, so a kind added here must also be taught to
 * scripts/gen-config-schema.py (which emits it), coerce.ts (which checks and normalises it) and
 * generate-yaml.ts (which describes it).
 */

/**
 * One kind per traitlets trait type that JupyterHub's config uses. Values are checked and normalised per kind
 * (coerce.ts): e.g. `command` turns a string into a one-element list, `enum` maps names to canonical values.
 */
export type OptionType =
  | { readonly kind: 'int'; readonly nullable?: boolean }
  | { readonly kind: 'float'; readonly nullable?: boolean }
  | { readonly kind: 'bool' }
  | { readonly kind: 'string'; readonly nullable?: boolean }
  /**
   * Bytes given as a hex string (JupyterHub accepts the same for cookie_secret) or, from JS, a Buffer; a lower-case
   * hex string after loading, the form the cookie secret also has in JPY_COOKIE_SECRET and its file.
   */
  | { readonly kind: 'bytes' }
  /** A 32-byte encryption key, hex or base64 encoded (jupyterhub/crypto.py `_validate_key`); a Buffer after loading. */
  | { readonly kind: 'crypt-key' }
  /** A URL path, normalised to start and end with '/'. */
  | { readonly kind: 'url-prefix' }
  /**
   * One of `values`; `aliases` maps other accepted spellings to a value (log_level: 'INFO' -> 20).
   * `caseless` compares strings ignoring case, as traitlets' CaselessStrEnum does.
   */
  | {
      readonly kind: 'enum';
      readonly values: readonly (string | number)[];
      readonly aliases?: Readonly<Record<string, string | number>>;
      readonly caseless?: boolean;
    }
  | { readonly kind: 'list'; readonly items?: OptionType }
  /** An array without duplicates (traitlets' Set); a JS Set is accepted too. */
  | { readonly kind: 'set'; readonly items?: OptionType }
  /** A plain object with string keys. */
  | { readonly kind: 'dict'; readonly values?: OptionType }
  /** A string or a list of strings; always a list after loading. */
  | { readonly kind: 'command' }
  /**
   * authenticator_class & co: a built-in name ('pam'), a JupyterHub class name mapped to it, a module path, or
   * (JS/TS config only) the class itself. `base` names the section family the class belongs to.
   */
  | { readonly kind: 'class'; readonly base: ClassFamily }
  /** A function; only a JS/TS config file can give one. */
  | { readonly kind: 'callable'; readonly nullable?: boolean }
  /** A size in bytes: an integer, or a string with suffix K, M, G or T (units of 1024); null means unset. */
  | { readonly kind: 'byte-size' }
  /**
   * JupyterHub.tornado_settings: the handler settings hub gives meaning to (headers, cookie_options,
   * slow_spawn_timeout, ...) normalised with their defaults, keys that are also JupyterHub options checked as that
   * option, and the rest kept aside to be warned about (tornado-settings.ts).
   */
  | { readonly kind: 'tornado-settings' }
  /** One JupyterHub.extra_handlers entry: a [pattern, handler function] pair (JS/TS config only; extra-handler.ts). */
  | { readonly kind: 'http-handler' }
  /** One JupyterHub.extra_log_handlers entry: a function, or an object with a handle(record) method (JS/TS config only). */
  | { readonly kind: 'log-handler' }
  /** The first member kind that accepts the value wins. */
  | { readonly kind: 'union'; readonly of: readonly OptionType[] }
  | { readonly kind: 'any' };

export type OptionKind = OptionType['kind'];

export type ClassFamily = 'Authenticator' | 'Spawner' | 'Proxy';

/** Defaults are stored as they would be written in a YAML file, and normalised like user input when loaded. */
export type DefaultValue = null | boolean | number | string | readonly DefaultValue[] | { readonly [key: string]: DefaultValue };

export interface Deprecation {
  /** The warning, in JupyterHub's words. */
  readonly message: string;
  /** The option that replaces this one, as 'Section.option'. */
  readonly replacement?: string;
}

export interface OptionSpec {
  readonly type: OptionType;
  readonly default: DefaultValue;
  readonly help: string;
  readonly deprecated?: Deprecation;
}

export interface SectionSpec {
  /** The JupyterHub class this section's class inherits configuration from, or null. */
  readonly parent: string | null;
  /** The Python module of the JupyterHub class, for mapping dotted class names ('jupyterhub.auth.PAMAuthenticator'). */
  readonly module: string;
  readonly help: string;
  /** The options the class itself adds; inherited ones live in the parent's section. */
  readonly options: Readonly<Record<string, OptionSpec>>;
}

export interface BuiltinClasses {
  /** The short name JupyterHub's default entry point resolves to. */
  readonly default: string;
  /** Short name -> the section that configures that class. */
  readonly names: Readonly<Record<string, string>>;
}

/**
 * A function from a JS/TS config file. Callers cast it to the signature the hook has where they call it;
 * `never[]` parameters make every function assignable here without `any`.
 */
export type ConfigFunction = (...args: never[]) => unknown;

/** A class from a JS/TS config file (authenticator_class: MyAuthenticator). */
export type ConfigConstructor = abstract new (...args: never[]) => unknown;

/**
 * A loaded *_class value: a built-in short name ('pam'), an absolute path or package specifier to import, or
 * the class/function itself. resolveClassRef() in class-ref.ts tells them apart.
 */
export type ClassValue = string | ConfigFunction | ConfigConstructor;

/**
 * Attributes for a cookie, with the names tornado's set_cookie takes (cookie_options, xsrf_cookie_kwargs).
 * `expires` is a Unix time in seconds; `expires_days` is counted from the moment the cookie is set, and null
 * makes a session cookie (tornado's `expires_days=None`).
 */
export interface CookieKwargs {
  readonly domain?: string;
  readonly path?: string;
  readonly expires?: number;
  readonly expires_days?: number | null;
  readonly max_age?: number;
  readonly secure?: boolean;
  readonly httponly?: boolean;
  readonly samesite?: 'Strict' | 'Lax' | 'None';
}

/** A loaded JupyterHub.tornado_settings: every key hub reads, with JupyterHub's default where not set. */
export interface TornadoSettings {
  /** Extra headers on every response of the hub port (a Content-Security-Policy here replaces hub's). */
  readonly headers: Readonly<Record<string, string>>;
  /** Merged into the attributes of the hub's login and session cookies; passed to servers as JUPYTERHUB_COOKIE_OPTIONS. */
  readonly cookie_options: CookieKwargs;
  /** Attributes of the `_xsrf` cookie. */
  readonly xsrf_cookie_kwargs: CookieKwargs;
  /** The report-uri of the default Content-Security-Policy; '' means `<base_url>hub/security/csp-report`. */
  readonly csp_report_uri: string;
  /** Seconds a spawn request waits for the server before answering 202 / redirecting to spawn-pending (10). */
  readonly slow_spawn_timeout: number;
  /** Seconds a stop request waits before answering 202 (10). */
  readonly slow_stop_timeout: number;
  /** [min, max] seconds for Retry-After when concurrent_spawn_limit refuses a spawn ([30, 60]). */
  readonly spawn_throttle_retry_range: readonly [number, number];
  /** Redirects through /user/... before hub reports a redirect loop (4). */
  readonly user_redirect_limit: number;
  /** Keys that are JupyterHub options too (concurrent_spawn_limit, ...), checked as that option; loading applies them. */
  readonly overrides: Readonly<Record<string, unknown>>;
  /** Keys hub has no use for (tornado's own debug, compress_response, ...), as given; loading warns about each. */
  readonly unused: Readonly<Record<string, unknown>>;
}

/** A loaded JupyterHub.extra_handlers entry. */
export interface ExtraHandler {
  /** The pattern as configured, for log lines. */
  readonly pattern: string;
  /** Anchored at both ends; matched against the request path after `<base_url>hub`. */
  readonly regex: RegExp;
  readonly handler: ConfigFunction;
}

/** A loaded JupyterHub.extra_log_handlers entry: `handle` is called with each record at or above `level`. */
export interface LogHandlerEntry {
  readonly handle: ConfigFunction;
  /** Python's Handler.level: records below it are skipped (0: all). */
  readonly level: number;
  /** 'JupyterHub.extra_log_handlers[0]', for the one report of a failing handler. */
  readonly label: string;
}
