#!/usr/bin/python3
"""Write src/lib/config/schema.generated.ts: hub's config schema and the TypeScript types of the loaded config.

Run with the system Python, which has Debian's JupyterHub 3.0:  /usr/bin/python3 scripts/gen-config-schema.py

Sources:
- the JupyterHub section comes from the reference text of JupyterHub's config docs
  (reference/jupyterhub-app-config.txt: name, trait type, default and help of each c.JupyterHub option);
- the other sections are introspected from the installed jupyterhub classes (class_own_traits(config=True)).
The tables below say what neither source does: item types of untyped containers, which `Any` traits are hooks,
static stand-ins for JupyterHub's dynamic defaults, and deprecations. The output depends only on those inputs
(options sorted, no timestamps), so running it twice gives the same file and CI can diff it.
"""
import ast
import inspect
import json
import os
import re
import sys

import traitlets
from jupyterhub.auth import Authenticator, DummyAuthenticator, LocalAuthenticator, PAMAuthenticator
from jupyterhub.crypto import CryptKeeper
from jupyterhub.proxy import ConfigurableHTTPProxy, Proxy
from jupyterhub.spawner import LocalProcessSpawner, SimpleLocalProcessSpawner, Spawner

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The shared references sit beside the repository (../shared).
REFERENCE = os.environ.get('HUB_CONFIG_REFERENCE', os.path.join(os.path.dirname(ROOT), 'shared', 'reference', 'jupyterhub-app-config.txt'))
OUTPUT = os.environ.get('HUB_SCHEMA_OUTPUT', os.path.join(ROOT, 'src', 'lib', 'config', 'schema.generated.ts'))

CLASSES = [Spawner, LocalProcessSpawner, SimpleLocalProcessSpawner, Authenticator, LocalAuthenticator,
           PAMAuthenticator, DummyAuthenticator, Proxy, ConfigurableHTTPProxy, CryptKeeper]

# JupyterHub's entry points (the reference's "Currently installed" lists): short name -> class.
BUILTIN_CLASSES = {
    # 'null' is in JupyterHub 3.0's entry points though the reference's list omits it; it has no options of its own.
    'Authenticator': ('pam', {'pam': 'PAMAuthenticator', 'dummy': 'DummyAuthenticator', 'null': 'NullAuthenticator'}),
    'Spawner': ('localprocess', {'localprocess': 'LocalProcessSpawner', 'simple': 'SimpleLocalProcessSpawner'}),
    'Proxy': ('configurable-http-proxy', {'configurable-http-proxy': 'ConfigurableHTTPProxy'}),
}

STR = {'kind': 'string'}
STR_LIST = {'kind': 'list', 'items': STR}
STR_SET = {'kind': 'set', 'items': STR}
HOOK = {'kind': 'callable', 'nullable': True}
LOG_LEVELS = {'DEBUG': 10, 'INFO': 20, 'WARN': 30, 'WARNING': 30, 'ERROR': 40, 'CRITICAL': 50}

# Types the sources leave vague: the reference names only the trait class, and traitlets containers are often
# untyped. Where JupyterHub 3.0's trait is a Union (default_url) or converts (cookie_secret), say so here.
TYPES = {
    'JupyterHub.admin_users': STR_SET,
    'JupyterHub.api_tokens': {'kind': 'dict', 'values': STR},
    'JupyterHub.service_tokens': {'kind': 'dict', 'values': STR},
    'JupyterHub.load_groups': {'kind': 'dict', 'values': STR_LIST},
    'JupyterHub.services': {'kind': 'list', 'items': {'kind': 'dict'}},
    'JupyterHub.external_ssl_authorities': {'kind': 'dict', 'values': {'kind': 'dict', 'values': STR}},
    'JupyterHub.template_paths': STR_LIST,
    'JupyterHub.trusted_alt_names': STR_LIST,
    'JupyterHub.trusted_downstream_ips': STR_LIST,
    'JupyterHub.default_url': {'kind': 'union', 'of': [STR, {'kind': 'callable'}]},
    'JupyterHub.user_redirect_hook': HOOK,
    'JupyterHub.load_roles': {'kind': 'list', 'items': {'kind': 'dict'}},
    'JupyterHub.custom_scopes': {'kind': 'dict', 'values': {'kind': 'dict'}},
    'JupyterHub.log_level': {'kind': 'enum', 'values': [0, 10, 20, 30, 40, 50], 'aliases': LOG_LEVELS, 'caseless': True},
    'Spawner.env_keep': STR_LIST,
    'Spawner.auth_state_hook': HOOK,
    'Spawner.pre_spawn_hook': HOOK,
    'Spawner.post_stop_hook': HOOK,
    'Spawner.options_from_form': HOOK,
    'Spawner.environment': {'kind': 'dict', 'values': {'kind': 'union', 'of': [STR, {'kind': 'callable'}]}},
    'Authenticator.post_auth_hook': HOOK,
    'Authenticator.username_map': {'kind': 'dict', 'values': STR},
    'LocalAuthenticator.uids': {'kind': 'dict', 'values': {'kind': 'int'}},
    'CryptKeeper.keys': {'kind': 'list', 'items': {'kind': 'crypt-key'}},
    'JupyterHub.tornado_settings': {'kind': 'tornado-settings'},
    'JupyterHub.extra_handlers': {'kind': 'list', 'items': {'kind': 'http-handler'}},
    'JupyterHub.extra_log_handlers': {'kind': 'list', 'items': {'kind': 'log-handler'}},
}

# JupyterHub computes these at runtime; the schema holds a static stand-in and the help says what JupyterHub does.
# load.ts applies the environment variables and the internal_ssl / trusted_alt_names dependencies.
DYNAMIC = {
    # The reference shows traitlets' class defaults; JupyterHub 3.0 overrides these three with @default methods
    # (app.py), and a hub admin expects what jupyterhub really prints: INFO, with a timestamp.
    'JupyterHub.log_level': (20, "Default: INFO (20), JupyterHub's effective default (app.py's @default); "
                                 "the reference shows the Application class default WARN (30)."),
    'JupyterHub.log_format': ('%(color)s[%(levelname)1.1s %(asctime)s.%(msecs).03d %(name)s %(module)s:%(lineno)d]%(end_color)s %(message)s',
                              "Default: JupyterHub's effective format (app.py's @default), with the time; the reference "
                              "shows the class default '[%(name)s]%(highlevel)s %(message)s'. hub has no line numbers: %(lineno)d is 0."),
    'JupyterHub.data_files_path': ('', "JupyterHub's default is the share/jupyterhub directory of its own installation "
                                       "(the reference shows the docs build's path). Empty means hub's bundled files."),
    'Spawner.options_from_form': (None, 'Default (null): the form data is used unchanged, as JupyterHub does.'),
    'Spawner.ssl_alt_names': ([], 'Default: the value of JupyterHub.trusted_alt_names.'),
    'LocalAuthenticator.add_user_cmd': (['adduser', '-q', '--gecos', '""', '--disabled-password'],
                                        "JupyterHub picks the default per platform: this one on Linux, "
                                        "['pw', 'useradd', '-m', '-n'] on BSD."),
    'ConfigurableHTTPProxy.api_url': ('http://127.0.0.1:8001', 'Default: http://127.0.0.1:8001, or https://127.0.0.1:8001 '
                                      'when JupyterHub.internal_ssl is set.'),
    'ConfigurableHTTPProxy.auth_token': ('', 'Default: the CONFIGPROXY_AUTH_TOKEN environment variable. When that is empty '
                                         'too and the hub starts the proxy, JupyterHub generates a new token.'),
    'CryptKeeper.keys': ([], 'Default: the JUPYTERHUB_CRYPT_KEY environment variable, one or more keys separated by ";".'),
    'CryptKeeper.n_threads': (2, 'JupyterHub defaults to the number of CPUs (at least 1).'),
}

# Help where JupyterHub has none, and notes on how hub reads a value.
NOTES = {
    'CryptKeeper.keys': 'Encryption keys for auth_state, each 32 bytes, hex or base64 encoded. The first key encrypts; '
                        'all of them are tried to decrypt, which allows key rotation.',
    'JupyterHub.cookie_secret': 'In a YAML or JSON file, give the secret as a hex string (64 hex digits for 32 bytes).',
    'JupyterHub.default_url': 'In hub.config.js/.ts it may be a function (async allowed), called as JupyterHub calls it with '
                              'the handler: {request, current_user ({name, admin} or null), base_url, hub_base_url}; it '
                              'returns the URL. One that throws is logged and ignored.',
    'JupyterHub.log_level': 'Names (DEBUG, INFO, WARN, WARNING, ERROR, CRITICAL) are normalised to their numbers.',
    'JupyterHub.authenticator_class': "In hub: 'pam', 'dummy', 'null' (API tokens only, no login), one of the JupyterHub class names above, a module path "
                                      '(./my-authenticator.js, relative to the config file), or in hub.config.js/.ts the class itself.',
    'JupyterHub.spawner_class': "In hub: 'localprocess', 'simple', one of the JupyterHub class names above, a module path "
                                '(./my-spawner.js, relative to the config file), or in hub.config.js/.ts the class itself.',
    'JupyterHub.proxy_class': "In hub: 'configurable-http-proxy' (or 'default', or the JupyterHub class name above) only; "
                              'another proxy is used through its CHP-compatible REST API: ConfigurableHTTPProxy.command, '
                              'or should_start: false with api_url and auth_token.',
    'JupyterHub.tornado_settings': 'In hub: the settings JupyterHub\'s handlers read keep their meaning: headers (extra '
                                   'headers on every hub response; a Content-Security-Policy replaces the default), '
                                   'cookie_options and xsrf_cookie_kwargs (cookie attributes: domain, path, expires, '
                                   'expires_days, max_age, secure, httponly, samesite), csp_report_uri, slow_spawn_timeout '
                                   'and slow_stop_timeout (default 10 s), spawn_throttle_retry_range (default [30, 60]), '
                                   'user_redirect_limit (default 4). Keys that are JupyterHub options handlers read '
                                   '(concurrent_spawn_limit, active_server_limit, admin_access, default_url, ...) override '
                                   'that option. Other keys have no effect and are warned about at start.',
    'JupyterHub.extra_handlers': 'In hub (hub.config.js/.ts only): a list of [pattern, handler] pairs. The pattern (a string '
                                 'or RegExp) is matched, anchored, against the path after <base_url>hub, after hub\'s own '
                                 'routes; handler(req, res, match, hub) gets node:http\'s request and response, the match '
                                 '(groups percent-decoded) and {currentUser(), log, baseUrl, hubPrefix, url}.',
    'JupyterHub.extra_log_handlers': 'In hub (hub.config.js/.ts only): functions, or objects with a handle(record) method, '
                                     'called with every log record at or above log_level: {name, levelno, levelname, msg, '
                                     'message, created, msecs, asctime, module, process, formatted, getMessage()}.',
}

# Deprecated options: (warning, replacement). The messages are JupyterHub's own (reference text or 3.0's code).
DEPRECATED = {
    'JupyterHub.admin_users': ('DEPRECATED since version 0.7.2, use Authenticator.admin_users instead.', 'Authenticator.admin_users'),
    'JupyterHub.api_tokens': ('PENDING DEPRECATION: consider using services (JupyterHub.service_tokens).', None),
    'JupyterHub.confirm_no_ssl': ('DEPRECATED: does nothing', None),
    'JupyterHub.debug_proxy': ('DEPRECATED since version 0.8: Use ConfigurableHTTPProxy.debug', 'ConfigurableHTTPProxy.debug'),
    'JupyterHub.extra_log_file': ('DEPRECATED: use output redirection instead, e.g. jupyterhub &>> /var/log/jupyterhub.log', None),
    'JupyterHub.hub_connect_port': ('DEPRECATED since version 0.9: Use hub_connect_url', 'JupyterHub.hub_connect_url'),
    'JupyterHub.proxy_api_ip': ('DEPRECATED since version 0.8 : Use ConfigurableHTTPProxy.api_url', 'ConfigurableHTTPProxy.api_url'),
    'JupyterHub.proxy_api_port': ('DEPRECATED since version 0.8 : Use ConfigurableHTTPProxy.api_url', 'ConfigurableHTTPProxy.api_url'),
    'JupyterHub.proxy_auth_token': ('DEPRECATED since version 0.8: Use ConfigurableHTTPProxy.auth_token', 'ConfigurableHTTPProxy.auth_token'),
    # The reference predates this deprecation; JupyterHub 3.0 maps it (app.py _proxy_config_map) and warns.
    'JupyterHub.proxy_check_interval': ('DEPRECATED since version 0.8: Use ConfigurableHTTPProxy.check_running_interval',
                                        'ConfigurableHTTPProxy.check_running_interval'),
    'JupyterHub.proxy_cmd': ('DEPRECATED since version 0.8. Use ConfigurableHTTPProxy.command', 'ConfigurableHTTPProxy.command'),
    'Spawner.oauth_roles': ('Deprecated in 3.0: use oauth_client_allowed_scopes', 'Spawner.oauth_client_allowed_scopes'),
    'Authenticator.whitelist': ('Deprecated, use `Authenticator.allowed_users`', 'Authenticator.allowed_users'),
    'LocalAuthenticator.group_whitelist': ('DEPRECATED: use allowed_groups', 'LocalAuthenticator.allowed_groups'),
}

# hub's own options, which no JupyterHub class has: one section, after JupyterHub's.
HUB_SECTION = {
    'parent': None,
    'module': '',
    'help': "hub's own options (not JupyterHub's).",
    'options': {
        'control_socket': {
            'type': STR,
            'default': '',
            'help': 'Path of the control socket: the unix socket (mode 0600) on which the hub serves its REST API to '
                    'the operator, e.g. the `hub` command line. A relative path is relative to the working directory.\n\n'
                    'Default (empty): .hub/hub.sock in the directory of the SQLite database, or in the working directory '
                    'for other databases. The HUB_SOCKET environment variable and the --socket flag take precedence.',
        },
    },
}

REF_OPTION = re.compile(r'^(\w+) c\.JupyterHub\.(\w+) = (\w+)\((.*)\)$')


def fail(msg):
    sys.exit(f'gen-config-schema: {msg}')


def clean_help(text):
    """Dedent, drop outer blank lines, and collapse runs of blank lines, keeping code blocks' indentation."""
    lines = [line.rstrip() for line in inspect.cleandoc(text or '').split('\n')]
    out = []
    for line in lines:
        if line == '' and (not out or out[-1] == ''):
            continue
        out.append(line)
    while out and out[-1] == '':
        out.pop()
    return '\n'.join(out)


def short_class_name(dotted):
    module, _, name = dotted.rpartition('.')
    for family, (_, names) in BUILTIN_CLASSES.items():
        for short, section in names.items():
            if section == name and module.startswith('jupyterhub.'):
                return short
    fail(f'no short name for class {dotted}')


def reference_type(key, trait):
    if key in TYPES:
        return TYPES[key]
    simple = {'Int': {'kind': 'int'}, 'Float': {'kind': 'float'}, 'Bool': {'kind': 'bool'}, 'Unicode': STR,
              'Bytes': {'kind': 'bytes'}, 'URLPrefix': {'kind': 'url-prefix'}, 'List': {'kind': 'list'},
              'Set': {'kind': 'set'}, 'Dict': {'kind': 'dict'}, 'Command': {'kind': 'command'}, 'Callable': HOOK}
    if trait in simple:
        return simple[trait]
    if trait == 'EntryPointType':
        family = {'authenticator_class': 'Authenticator', 'spawner_class': 'Spawner', 'proxy_class': 'Proxy'}[key.split('.')[1]]
        return {'kind': 'class', 'base': family}
    fail(f'{key}: no kind for reference trait type {trait}')


def reference_default(key, trait, arg):
    if key in DYNAMIC:
        return DYNAMIC[key][0]
    if trait == 'EntryPointType':
        return short_class_name(re.fullmatch(r"<class '([\w.]+)'>", arg).group(1))
    if arg == '':
        return {'Set': [], 'List': [], 'Command': [], 'Dict': {}}.get(trait) if trait != 'Callable' else None
    value = ast.literal_eval(arg)
    return value.hex() if isinstance(value, bytes) else value


def parse_reference():
    options = {}
    current = None
    with open(REFERENCE, encoding='utf-8') as f:
        for line in f.read().split('\n'):
            m = REF_OPTION.match(line)
            if m:
                name, attr, trait, arg = m.groups()
                if name != attr:
                    fail(f'reference line names {name} but sets {attr}')
                key = f'JupyterHub.{name}'
                current = {'type': reference_type(key, trait), 'default': reference_default(key, trait, arg), 'help': []}
                options[name] = current
            elif current is not None:
                current['help'].append(line)
    for opt in options.values():
        opt['help'] = clean_help('\n'.join(opt['help']))
    return options


def trait_type(key, trait):
    if key in TYPES:
        return TYPES[key]
    name = type(trait).__name__
    nullable = {'nullable': True} if trait.allow_none else {}
    if name in ('Int', 'Integer'):
        return {'kind': 'int', **nullable}
    if name == 'Float':
        return {'kind': 'float', **nullable}
    if name == 'Bool':
        return {'kind': 'bool'}
    if name == 'Unicode':
        return {'kind': 'string', **nullable}
    if name == 'ByteSpecification':
        return {'kind': 'byte-size'}
    if name == 'Command':
        return {'kind': 'command'}
    if name == 'Callable':
        return {'kind': 'callable', **nullable}
    if name == 'CaselessStrEnum':
        return {'kind': 'enum', 'values': list(trait.values), 'caseless': True}
    if name in ('List', 'Set'):
        item = trait._trait
        kind = name.lower()
        if item is None:
            # Every untyped Set in these classes holds user or group names.
            return STR_SET if kind == 'set' else {'kind': 'list'}
        return {'kind': kind, 'items': trait_type(key + '[]', item)}
    if name == 'Dict':
        value = trait._value_trait
        return {'kind': 'dict', 'values': trait_type(key + '{}', value)} if value is not None else {'kind': 'dict'}
    if name == 'Union':
        return {'kind': 'union', 'of': [trait_type(key, t) for t in trait.trait_types]}
    fail(f'{key}: no kind for trait type {name}; add it to TYPES')


def jsonable(value):
    if value is traitlets.Undefined:
        return None
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    fail(f'cannot write default {value!r}')


def introspect(cls):
    options = {}
    for name, trait in sorted(cls.class_own_traits(config=True).items()):
        key = f'{cls.__name__}.{name}'
        if key in DYNAMIC:
            default = DYNAMIC[key][0]
        else:
            default = jsonable(trait.default())
        options[name] = {'type': trait_type(key, trait), 'default': default, 'help': clean_help(trait.help)}
    return options


def decorate(section, options):
    for name, opt in options.items():
        key = f'{section}.{name}'
        notes = [n for n in (NOTES.get(key), DYNAMIC.get(key, (None, None))[1]) if n]
        if notes:
            opt['help'] = '\n\n'.join(([opt['help']] if opt['help'] else []) + notes)
        if key in DEPRECATED:
            message, replacement = DEPRECATED[key]
            opt['deprecated'] = {'message': message, **({'replacement': replacement} if replacement else {})}
    unused = [k for k in list(TYPES) + list(DYNAMIC) + list(NOTES) + list(DEPRECATED)
              if k.split('.')[0] == section and k.split('.')[1] not in options]
    if unused:
        fail(f'tables name options that do not exist: {unused}')
    return options


# Options JupyterHub 3.0 has that the reference page does not list (jupyterhub-facts.md marks them ◇); the RBAC,
# pagination and OAuth parts of hub need them, so they are taken from the installed jupyterhub.app.JupyterHub.
EXTRA_JUPYTERHUB_OPTIONS = ['api_page_default_limit', 'api_page_max_limit', 'custom_scopes', 'forwarded_host_header',
                            'hub_routespec', 'load_roles', 'oauth_token_expires_in', 'use_legacy_stopped_server_status_code']


def jupyterhub_options():
    from jupyterhub.app import JupyterHub
    options = parse_reference()
    live = JupyterHub.class_traits(config=True)
    for name in EXTRA_JUPYTERHUB_OPTIONS:
        if name in options:
            fail(f'{name} is in the reference now; drop it from EXTRA_JUPYTERHUB_OPTIONS')
        trait = live[name]
        key = f'JupyterHub.{name}'
        options[name] = {'type': trait_type(key, trait), 'default': jsonable(trait.default()),
                         'help': clean_help(trait.help) + '\n\n(A JupyterHub 3.0 option that the reference page does not list.)'}
    return dict(sorted(options.items()))


def build_sections():
    sections = {'JupyterHub': {'parent': None, 'module': 'jupyterhub.app',
                               'help': 'An Application for starting a Multi-User Jupyter Notebook server.',
                               'options': decorate('JupyterHub', jupyterhub_options())}}
    for cls in CLASSES:
        parent = cls.__mro__[1].__name__
        sections[cls.__name__] = {
            'parent': parent if parent in sections else None,
            'module': cls.__module__,
            'help': clean_help(cls.__doc__).split('\n\n')[0].replace('\n', ' '),
            'options': decorate(cls.__name__, introspect(cls)),
        }
    sections['Hub'] = HUB_SECTION
    return sections


# ---- TypeScript output ----

def ts_value(value, indent):
    pad = '  ' * indent
    if isinstance(value, dict):
        if not value:
            return '{}'
        if 'help' not in value and 'options' not in value:
            inline = '{ ' + ', '.join(f'{ts_key(k)}: {ts_value(v, indent)}' for k, v in value.items()) + ' }'
            if len(inline) + len(pad) < 100:
                return inline
        items = [f"{pad}  {ts_key(k)}: {ts_value(v, indent + 1)}," for k, v in value.items()]
        return '{\n' + '\n'.join(items) + f'\n{pad}}}'
    if isinstance(value, list):
        inner = ', '.join(ts_value(v, indent) for v in value)
        return f'[{inner}]'
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return json.dumps(value, ensure_ascii=False)


def ts_key(key):
    return key if re.fullmatch(r'[A-Za-z_$][\w$]*', key) else json.dumps(key)


def ts_type(t):
    kind = t['kind']
    null = ' | null' if t.get('nullable') else ''
    if kind in ('int', 'float'):
        return 'number' + null
    if kind == 'bool':
        return 'boolean'
    if kind in ('string', 'url-prefix'):
        return 'string' + null
    if kind == 'bytes':
        return 'string'
    if kind == 'crypt-key':
        return 'Buffer'
    if kind == 'enum':
        return ' | '.join(json.dumps(v) for v in t['values'])
    if kind in ('list', 'set'):
        item = ts_type(t['items']) if 'items' in t else 'unknown'
        return f'({item})[]' if '|' in item else f'{item}[]'
    if kind == 'dict':
        return f"Record<string, {ts_type(t['values']) if 'values' in t else 'unknown'}>"
    if kind == 'command':
        return 'string[]'
    if kind == 'class':
        return 'ClassValue'
    if kind == 'callable':
        return 'ConfigFunction' + null
    if kind == 'byte-size':
        return 'number | null'
    if kind == 'union':
        return ' | '.join(ts_type(m) for m in t['of'])
    if kind in ('tornado-settings', 'http-handler', 'log-handler'):
        return {'tornado-settings': 'TornadoSettings', 'http-handler': 'ExtraHandler', 'log-handler': 'LogHandlerEntry'}[kind]
    return 'unknown'


def doc_comment(opt, pad):
    first = opt['help'].split('\n\n')[0].replace('*/', '*\\/')
    lines = [first.replace('\n', ' ')]
    if 'deprecated' in opt:
        lines.append('@deprecated ' + opt['deprecated']['message'].replace('*/', '*\\/'))
    return '\n'.join([f'{pad}/**'] + [f'{pad} * {line}' for line in lines] + [f'{pad} */'])


def family_of(sections, name):
    while sections[name]['parent']:
        name = sections[name]['parent']
    return name


def chain(sections, name):
    out = []
    while name:
        out.insert(0, name)
        name = sections[name]['parent']
    return out


def interface_name(section):
    # 'HubConfig' is the whole loaded config; hub's own section needs another name.
    return 'HubSectionConfig' if section == 'Hub' else f'{section}Config'


def render(sections):
    names = list(sections)
    out = [
        '// generated by scripts/gen-config-schema.py; do not edit.',
        '// Run `/usr/bin/python3 scripts/gen-config-schema.py` after changing the script or the reference it reads.',
        "import type { BuiltinClasses, ClassValue, ConfigFunction, ExtraHandler, LogHandlerEntry, SectionSpec, TornadoSettings } from './types.js';",
        '',
        '/** The config file\'s sections, named after JupyterHub\'s classes, parents before children. */',
        f"export const SECTION_NAMES = [{', '.join(json.dumps(n) for n in names)}] as const;",
        'export type SectionName = (typeof SECTION_NAMES)[number];',
        '',
        'export const SCHEMA: Readonly<Record<SectionName, SectionSpec>> = {',
    ]
    for name, section in sections.items():
        body = {k: v for k, v in section.items()}
        out.append(f'  {name}: {ts_value(body, 1)},')
    out.append('};')
    out.append('')
    out.append("/** JupyterHub's entry-point names for the built-in classes, per family. */")
    builtins = {fam: {'default': d, 'names': n} for fam, (d, n) in BUILTIN_CLASSES.items()}
    out.append(f'export const BUILTIN_CLASSES: Readonly<Record<string, BuiltinClasses>> = {ts_value(builtins, 0)};')
    for name, section in sections.items():
        out.append('')
        out.append(f'/** Options {name} adds ({section["help"].replace("*/", "")}) */')
        out.append(f'export interface {interface_name(name)} {{')
        for opt_name, opt in section['options'].items():
            out.append(doc_comment(opt, '  '))
            out.append(f'  {opt_name}: {ts_type(opt["type"])};')
        out.append('}')
    out.append('')
    out.append('/**')
    out.append(' * The loaded configuration. Each section holds every option its class sees (its own and inherited).')
    out.append(' * A family root (Spawner, Authenticator, Proxy) holds the options of the whole family, resolved for the')
    out.append(' * class JupyterHub.*_class selects, so callers read config.Spawner.cmd whichever spawner runs.')
    out.append(' */')
    out.append('export interface HubConfig {')
    for name in names:
        if sections[name]['parent'] is None and any(family_of(sections, n) == name and n != name for n in names):
            members = [n for n in names if family_of(sections, n) == name]
        else:
            members = chain(sections, name)
        out.append(f"  {name}: {' & '.join(interface_name(m) for m in members)};")
    out.append('}')
    out.append('')
    return '\n'.join(out)


def main():
    sections = build_sections()
    text = render(sections)
    with open(OUTPUT, 'w', encoding='utf-8') as f:
        f.write(text)
    counts = ', '.join(f'{n} {len(s["options"])}' for n, s in sections.items())
    print(f'wrote {os.path.relpath(OUTPUT, ROOT)}: {counts}')


if __name__ == '__main__':
    main()
