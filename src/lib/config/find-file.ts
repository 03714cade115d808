/**
 * Locate and parse the config file with cosmiconfig. The search looks in the working directory only: a hub.yml
 * in a parent directory (or the home directory) silently configuring a hub would be a nasty surprise. We list
 * the candidates ourselves rather than calling explorer.search(), which skips unreadable files without a word.
 */
import { spawnSync } from 'node:child_process';
import { access, readFile, stat } from 'node:fs/promises';
import { dirname, extname, isAbsolute, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import { cosmiconfig } from 'cosmiconfig';
import { errnoCode, HubError } from '../errors.js';
import { readPythonConfig } from './python-config.js';

export const SEARCH_PLACES = [
  'hub.yml',
  'hub.yaml',
  'hub.json',
  'hub.config.js',
  'hub.config.mjs',
  'hub.config.cjs',
  'hub.config.ts',
  '.hubrc',
  '.hubrc.json',
  '.hubrc.yaml',
  '.hubrc.yml',
  '.hubrc.js',
  '.hubrc.mjs',
  '.hubrc.cjs',
  // JupyterHub's own default config file, read by Python (python-config.ts): hub can take over a JupyterHub
  // directory as it is. Last, so that a hub.yml written beside it wins.
  'jupyterhub_config.py',
] as const;

const CODE_EXTENSIONS = new Set(['.js', '.mjs', '.cjs', '.ts']);

export interface ConfigFile {
  filepath: string;
  /** How problem lines name the file: relative to cwd when inside it. */
  label: string;
  /** JS/TS: may hold functions. */
  code: boolean;
  raw: unknown;
  /** What could not be read into `raw` (a Python config's functions), reported with the validation's problems. */
  problems?: string[];
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

function labelFor(filepath: string, cwd: string): string {
  const rel = relative(cwd, filepath);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : filepath;
}

async function parse(filepath: string, cwd: string, env: NodeJS.ProcessEnv): Promise<ConfigFile> {
  const label = labelFor(filepath, cwd);
  const ext = extname(filepath);
  if (ext === '.py') return { filepath, label, code: false, ...(await readPythonConfig(filepath, label, env)) };
  // No caching: a reload must see an edited file.
  const explorer = cosmiconfig('hub', { searchPlaces: SEARCH_PLACES.filter((p) => extname(p) !== '.py'), searchStrategy: 'none', cache: false, ignoreEmptySearchPlaces: false });
  try {
    const result = await explorer.load(filepath);
    const raw: unknown = result?.isEmpty === true ? undefined : result?.config;
    const code = CODE_EXTENSIONS.has(ext);
    if (code && raw === undefined && (await readFile(filepath, 'utf8')).trim() !== '') {
      // cosmiconfig reads a module without a default export as an empty config; that is almost surely a mistake.
      throw new HubError('CONFIG_INVALID', `${label}: the module has no default export`, {
        hint: `end ${filepath} with \`export default { JupyterHub: { ... } }\` (or \`module.exports = { ... }\` in CommonJS)`,
      });
    }
    return { filepath, label, code, raw };
  } catch (err) {
    if (err instanceof HubError) throw err;
    if (errnoCode(err) === 'EACCES') {
      throw new HubError('CONFIG_INVALID', `${label}: cannot read the configuration: permission denied`, {
        hint: `make ${filepath} readable by the user running hub (chmod/chown it), or pass another file with -c`,
        cause: err,
      });
    }
    const message = JS_EXTENSIONS.has(ext) ? await moduleError(filepath, err) : firstParagraph(err);
    throw new HubError('CONFIG_INVALID', `${label}: cannot read the configuration: ${message}`, {
      hint: `fix ${filepath}; hub reads YAML (.yml, .yaml, no extension), JSON, and JS/TS modules that export the config as default`,
      cause: err,
    });
  }
}

const JS_EXTENSIONS = new Set(['.js', '.mjs', '.cjs']);

/**
 * cosmiconfig's JSON errors show the code frame twice; the first paragraphs say it all. The frame is coloured
 * whenever its library thinks the terminal can take it (CI=true is enough), so the escapes are taken out: the
 * message goes to logs and files as well as terminals.
 */
function firstParagraph(err: unknown): string {
  const text = stripVTControlCharacters(err instanceof Error ? err.message : String(err));
  const frame = text.indexOf('\n\n> ');
  const again = frame === -1 ? -1 : text.indexOf('\n\n> ', frame + 1);
  return (again === -1 ? text : text.slice(0, again)).trimEnd();
}

/**
 * What went wrong in a JS config module. cosmiconfig imports it and, when that fails, tries require() and
 * reports require's error instead, which for a module with a syntax error is Node's baffling "Cannot require()
 * ES Module ... not yet fully loaded". Importing again gives the first error (the module map keeps it, so the
 * module does not run twice); a syntax error gets its line from `node --check`, which import() does not give.
 */
async function moduleError(filepath: string, original: unknown): Promise<string> {
  let err: unknown = original;
  try {
    await import(pathToFileURL(filepath).href);
  } catch (e) {
    err = e;
  }
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof SyntaxError) {
    const check = spawnSync(process.execPath, ['--check', filepath], { encoding: 'utf8', timeout: 10_000 });
    const line = /^\S*:(\d+)$/m.exec(check.stderr ?? '')?.[1];
    return line === undefined ? `syntax error: ${message}` : `syntax error at line ${line}: ${message}`;
  }
  // An error the module threw: where in the file it was thrown.
  const at = err instanceof Error ? new RegExp(`${escapeRegExp(pathToFileURL(filepath).href)}:(\\d+)`).exec(err.stack ?? '')?.[1] : undefined;
  return at === undefined ? message : `${message} (thrown at line ${at})`;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The config file: `path` when given (it must exist), else the first of SEARCH_PLACES in `cwd`, else null.
 * Returns warnings too (several candidates present). `env` is the environment a Python config file runs in.
 */
export async function findConfigFile(path: string | undefined, cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<{ file: ConfigFile | null; warnings: string[] }> {
  if (path !== undefined) {
    const filepath = resolve(cwd, path);
    const info = await stat(filepath).catch(() => undefined);
    if (info === undefined) {
      throw new HubError('CONFIG_NOT_FOUND', `config file ${path} does not exist`, {
        hint: `create it with \`hub generate-config > ${path}\`, or leave out the path to use hub.yml (or hub.config.js, ...) from ${cwd}`,
      });
    }
    if (!info.isFile()) {
      // A directory holds the file; a device or socket (/dev/null) is no place for one.
      const hint = info.isDirectory() ? `name a file, e.g. ${resolve(filepath, 'hub.yml')}` : 'name a config file (hub.yml, hub.json, hub.config.js, jupyterhub_config.py, ...)';
      throw new HubError('CONFIG_NOT_FOUND', `config file ${path} is not a file`, { hint });
    }
    return { file: await parse(filepath, cwd, env), warnings: [] };
  }
  const present: string[] = [];
  for (const place of SEARCH_PLACES) if (await exists(resolve(cwd, place))) present.push(place);
  const first = present[0];
  if (first === undefined) return { file: null, warnings: [] };
  const warnings = present.length > 1
    ? [`found several config files in ${cwd} (${present.join(', ')}); using ${first} and ignoring the others`]
    : [];
  const file = await parse(resolve(cwd, first), cwd, env);
  return { file, warnings };
}

export function configDir(file: ConfigFile | null, cwd: string): string {
  return file === null ? cwd : dirname(file.filepath);
}

