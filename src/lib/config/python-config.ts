/**
 * A JupyterHub `jupyterhub_config.py`, read as JupyterHub reads it: executed by Python with traitlets'
 * PyFileConfigLoader (so `c`, `get_config()` and `load_subconfig()` work, and the file may compute values,
 * read the environment or import modules), then handed to hub as plain data: the same sections and option
 * names as hub.yml, validated by the same code. Bytes become hex, the form hub.yml gives them in (so a raw
 * `cookie_secret` is the same secret). What cannot become data is reported per option:
 * Python functions (hooks belong in a JS/TS config), and objects of other kinds. Classes become their dotted
 * names, so `c.JupyterHub.spawner_class = SimpleLocalProcessSpawner` means what it means in JupyterHub.
 * `c.Spawner.env_keep.append(...)` and the other in-place edits are applied to JupyterHub's own default, and
 * `c.Application.*` (traitlets' base class, e.g. log_level) to JupyterHub where its own section is silent.
 *
 * The interpreter is Debian's /usr/bin/python3 (the one with the `jupyterhub` package and its traitlets), or
 * $HUB_PYTHON. The file's own output goes to stderr; only the result comes back on stdout.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { HubError } from '../errors.js';
import { SCHEMA } from './schema.generated.js';

const DEFAULT_PYTHON = '/usr/bin/python3';
const TIMEOUT_MS = 60_000;

const SCRIPT = String.raw`
import json, os, sys, traceback
result = sys.stdout
sys.stdout = sys.stderr  # print() in the config file must not mix with the result
path, modules = sys.argv[1], json.loads(sys.argv[2])
out = {"config": {}, "problems": []}

def finish():
    result.write(json.dumps(out))
    result.flush()
    sys.exit(0)

try:
    from traitlets.config.loader import PyFileConfigLoader, LazyConfigValue
except Exception as e:
    out["fatal"] = "reading a Python config file needs Python's traitlets (%s: %s)" % (type(e).__name__, e)
    out["hint"] = "apt-get install -y jupyterhub (or python3-traitlets), or set HUB_PYTHON to a python3 that has it"
    finish()

try:
    cfg = PyFileConfigLoader(os.path.basename(path), path=os.path.dirname(os.path.abspath(path))).load_config()
except BaseException as e:
    if isinstance(e, SyntaxError):
        out["fatal"] = "line %s: %s" % (e.lineno, e.msg)
    else:
        mine = [f for f in traceback.extract_tb(e.__traceback__) if os.path.abspath(f.filename) == os.path.abspath(path)]
        where = "line %d: " % mine[-1].lineno if mine else ""
        out["fatal"] = "%s%s: %s" % (where, type(e).__name__, e)
    finish()

SKIP = object()

def default_of(section, key):
    import importlib
    mod = importlib.import_module(modules[section])
    return getattr(mod, section).class_traits()[key].default()

def convert(value, where):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, bytes):
        return value.hex()  # hub's form of a bytes option (cookie_secret): hex, the same secret
    if isinstance(value, type):
        return "%s.%s" % (value.__module__, value.__qualname__)
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [convert(v, where) for v in value]
        items = [v for v in items if v is not SKIP]
        if isinstance(value, (set, frozenset)):
            try:
                items.sort()
            except TypeError:
                pass
        return items
    if isinstance(value, dict):
        converted = {}
        for k, v in value.items():
            c = convert(v, "%s[%r]" % (where, k))
            if c is not SKIP:
                converted[str(k)] = c
        return converted
    if callable(value):
        out["problems"].append("%s: a Python %s; hub runs hooks and other callables written in JavaScript: set this option in a hub.config.js (see the README) and leave it out here" % (where, type(value).__name__))
        return SKIP
    out["problems"].append("%s: a Python %s cannot be passed to hub; use a string, number, list or dict" % (where, type(value).__name__))
    return SKIP

for section, options in cfg.items():
    if not hasattr(options, "items"):
        out["problems"].append("c.%s: a value where a section (a config class) was expected" % section)
        continue
    converted = {}
    for key, value in options.items():
        where = "c.%s.%s" % (section, key)
        if isinstance(value, LazyConfigValue):
            try:
                value = value.get_value(default_of(section, key))
            except Exception as e:
                out["problems"].append("%s: changed in place (append, extend, update...), but JupyterHub's default for it could not be found (%s); assign the whole value instead" % (where, e))
                continue
        c = convert(value, where)
        if c is not SKIP:
            converted[key] = c
    out["config"][section] = converted

# c.Application.log_level and friends: traitlets applies a base class's section to JupyterHub (an Application)
# unless JupyterHub's own section sets the option.
base = out["config"].pop("Application", None)
if base:
    own = out["config"].setdefault("JupyterHub", {})
    for key, value in base.items():
        own.setdefault(key, value)
finish()
`;

interface PythonResult {
  config?: Record<string, unknown>;
  problems?: string[];
  fatal?: string;
  hint?: string;
}

function pythonBinary(env: NodeJS.ProcessEnv): string {
  const chosen = env.HUB_PYTHON;
  if (chosen !== undefined && chosen !== '') return chosen;
  return existsSync(DEFAULT_PYTHON) ? DEFAULT_PYTHON : 'python3';
}

/**
 * The config of `filepath` as raw sections (validated by the caller like any other file), and the options that
 * could not be taken over, one line each, for the caller to report with its own findings.
 */
export async function readPythonConfig(filepath: string, label: string, env: NodeJS.ProcessEnv = process.env): Promise<{ raw: unknown; problems: string[] }> {
  const python = pythonBinary(env);
  const modules = Object.fromEntries(Object.entries(SCHEMA).map(([section, s]) => [section, s.module]));
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(python, ['-c', SCRIPT, filepath, JSON.stringify(modules)], { env, timeout: TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 }, (err, out, stderr) => {
      if (err === null) {
        resolve(out);
        return;
      }
      const code = (err as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT'
        ? `${python} was not found`
        : err.killed ? `it did not finish within ${TIMEOUT_MS / 1000} s` : (stderr.trim().split('\n').pop() ?? err.message);
      reject(new HubError('CONFIG_INVALID', `${label}: Python could not read it: ${why}`, {
        hint: 'Python config files are run by /usr/bin/python3 with traitlets (apt-get install -y jupyterhub), or $HUB_PYTHON; or translate the file to hub.yml',
      }));
    });
  });
  let parsed: PythonResult;
  try {
    parsed = JSON.parse(stdout) as PythonResult;
  } catch {
    throw new HubError('CONFIG_INVALID', `${label}: Python gave no readable result`, { hint: 'check that the file does not write to the process\'s stdout by other means than print()' });
  }
  if (parsed.fatal !== undefined) {
    throw new HubError('CONFIG_INVALID', `${label}: ${parsed.fatal}`, { hint: parsed.hint ?? `fix ${filepath} (it is run as JupyterHub runs it, by Python)` });
  }
  return { raw: parsed.config ?? {}, problems: (parsed.problems ?? []).map((p) => `${label}: ${p}`) };
}
