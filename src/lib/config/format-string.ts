import { resolveClassRef } from './class-ref.js';
import type { HubConfig } from './schema.generated.js';

/**
 * JupyterHub 3.0's templates: Spawner.format_string is Python's `str.format(**spawner.template_namespace())`,
 * whose namespace holds `username` (the user's name as it is, not escaped) and `base_url` (the server's prefix,
 * `/user/ada/`); SimpleLocalProcessSpawner formats home_dir_template with `username` alone. `{{` and `}}` are
 * literal braces. An unknown field is a KeyError at every spawn in JupyterHub; hub reports it when the config is
 * loaded instead, with the fields there are. Only plain `{field}` is taken: a conversion or format spec
 * (`{username!r}`, `{username:>8}`) is reported too, as nobody needs one in a path or URL.
 */

/** The fields each template option can use (spawner.py template_namespace, SimpleLocalProcessSpawner._default_home_dir). */
export const TEMPLATE_FIELDS = {
  'Spawner.notebook_dir': ['username', 'base_url'],
  'Spawner.default_url': ['username', 'base_url'],
  'SimpleLocalProcessSpawner.home_dir_template': ['username'],
} as const;

type Piece = { text: string } | { field: string };

/** Splits a template into text and fields, or says what Python's str.format would reject. */
function parse(template: string): Piece[] | { problem: string } {
  const pieces: Piece[] = [];
  const token = /\{\{|\}\}|\{([^{}]*)\}|[{}]/g;
  let last = 0;
  for (let m = token.exec(template); m !== null; m = token.exec(template)) {
    if (m.index > last) pieces.push({ text: template.slice(last, m.index) });
    last = m.index + m[0].length;
    if (m[0] === '{{' || m[0] === '}}') pieces.push({ text: m[0][0] ?? '' });
    else if (m[0] === '{') return { problem: "a single '{' with no field after it (write '{{' for a literal brace)" };
    else if (m[0] === '}') return { problem: "a single '}' (write '}}' for a literal brace)" };
    else if (!/^[A-Za-z_]\w*$/.test(m[1] ?? '')) return { problem: `the field {${m[1] ?? ''}}: only plain {name} fields are supported` };
    else pieces.push({ field: m[1] ?? '' });
  }
  if (last < template.length) pieces.push({ text: template.slice(last) });
  return pieces;
}

/** The problem with `template` for `option` (unknown field, stray brace), or null. */
export function templateProblem(option: keyof typeof TEMPLATE_FIELDS, template: string): string | null {
  const fields: readonly string[] = TEMPLATE_FIELDS[option];
  const parsed = parse(template);
  const known = fields.map((f) => `{${f}}`).join(' and ');
  if ('problem' in parsed) return `${option} ${JSON.stringify(template)} has ${parsed.problem}; its fields are ${known}`;
  const unknown = parsed.flatMap((p) => ('field' in p && !fields.includes(p.field) ? [`{${p.field}}`] : []));
  if (unknown.length === 0) return null;
  return `${option} ${JSON.stringify(template)} uses ${unknown.join(', ')}, which JupyterHub 3.0 does not know (a KeyError at every spawn there); its fields are ${known}`;
}

/** Every template option's problem, for loadConfig; home_dir_template only counts when the simple spawner runs. */
export function templateProblems(config: HubConfig): string[] {
  const spawner = resolveClassRef('Spawner', config.JupyterHub.spawner_class);
  const simple = spawner.kind === 'builtin' && spawner.name === 'simple';
  const problems = [
    templateProblem('Spawner.notebook_dir', config.Spawner.notebook_dir),
    templateProblem('Spawner.default_url', config.Spawner.default_url),
    simple ? templateProblem('SimpleLocalProcessSpawner.home_dir_template', config.SimpleLocalProcessSpawner.home_dir_template) : null,
  ];
  return problems.filter((p): p is string => p !== null);
}

/**
 * Python's `template.format(**ns)` for the templates above. loadConfig has checked them; a field missing from
 * `ns` all the same is left as written rather than failing a spawn.
 */
export function formatString(template: string, ns: Readonly<Record<string, string>>): string {
  const parsed = parse(template);
  if ('problem' in parsed) return template;
  return parsed.map((p) => ('text' in p ? p.text : (ns[p.field] ?? `{${p.field}}`))).join('');
}
