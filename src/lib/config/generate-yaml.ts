/**
 * `hub generate-config`: every section and option with its help and default, all commented out. Help lines are
 * indented comments; option lines start at column 0 with "#   " so that deleting the "# " leaves a correctly
 * indented `  option: value`. Values are JSON, which is valid YAML, so an uncommented line always parses.
 * As written the file parses to sections that are all null, i.e. all defaults.
 */
import { describeExpected, takesFunctions } from './describe-value.js';
import { SCHEMA, SECTION_NAMES } from './schema.generated.js';
import type { OptionSpec, OptionType } from './types.js';

const WIDTH = 100;
const HELP_PREFIX = '  # ';

const HEADER = [
  '# Configuration file for hub, written by `hub generate-config`.',
  '#',
  "# Sections and options are JupyterHub's: `c.JupyterHub.port = 8000` in jupyterhub_config.py",
  '# is `JupyterHub: {port: 8000}` here. Options set under Spawner apply to LocalProcessSpawner too,',
  '# and so on down each class family; the more specific section wins.',
  '#',
  '# Every option is listed with its help and default, commented out. To set one, delete the "# "',
  '# in front of it and edit the value (YAML; JSON works too). Hooks and other functions can only be',
  '# set in a hub.config.js or hub.config.ts file that does `export default { JupyterHub: {...} }`.',
];

/** Wrap one help line at WIDTH, keeping its indentation so code samples and bullets stay readable. */
function wrap(line: string, width: number): string[] {
  const indent = /^\s*/.exec(line)?.[0] ?? '';
  const words = line.slice(indent.length).split(/ +/);
  const out: string[] = [];
  let current = indent;
  for (const word of words) {
    if (current.trim() !== '' && current.length + 1 + word.length > width) {
      out.push(current);
      current = indent + word;
    } else {
      current = current.trim() === '' ? indent + word : `${current} ${word}`;
    }
  }
  out.push(current);
  return out;
}

function comment(text: string): string[] {
  return text.split('\n').flatMap((line) => (line.trim() === '' ? [HELP_PREFIX.trimEnd()] : wrap(line, WIDTH - HELP_PREFIX.length).map((l) => HELP_PREFIX + l)));
}

function typeLabel(type: OptionType): string {
  if (takesFunctions(type)) {
    return `${describeExpected(type)} (functions only from hub.config.js/.ts)`;
  }
  return describeExpected(type);
}

function optionBlock(name: string, spec: OptionSpec): string[] {
  const lines: string[] = [];
  const deprecation = spec.deprecated?.message;
  if (deprecation !== undefined) {
    lines.push(...comment(/^(DEPRECATED|PENDING DEPRECATION)/.test(deprecation) ? deprecation : `DEPRECATED: ${deprecation}`));
  }
  // Several deprecated options' whole help is the deprecation notice: say it once.
  if (spec.help !== deprecation) {
    if (deprecation !== undefined) lines.push(HELP_PREFIX.trimEnd());
    lines.push(...comment(spec.help === '' ? name : spec.help));
  }
  lines.push(HELP_PREFIX.trimEnd());
  lines.push(...comment(`Type: ${typeLabel(spec.type)}. Default: ${JSON.stringify(spec.default)}`));
  lines.push(`#   ${name}: ${JSON.stringify(spec.default)}`);
  return lines;
}

export function generateConfigYaml(): string {
  const out: string[] = [...HEADER];
  for (const section of SECTION_NAMES) {
    const spec = SCHEMA[section];
    const inherits = spec.parent === null ? '' : ` Also accepts every ${spec.parent} option.`;
    out.push('', '#'.repeat(WIDTH), ...wrap(`# ${section}: ${spec.help}${inherits}`, WIDTH).map((l) => (l.startsWith('#') ? l : `# ${l}`)), '#'.repeat(WIDTH), `${section}:`);
    for (const [name, option] of Object.entries(spec.options)) out.push('', ...optionBlock(name, option));
  }
  return `${out.join('\n')}\n`;
}
