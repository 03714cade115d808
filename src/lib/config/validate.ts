/**
 * Turn one raw source (a parsed file, one override) into Settings, collecting every problem rather than
 * stopping at the first, so an admin fixes a config file in one pass.
 */
import { coerce } from './coerce.js';
import { describeFound } from './describe-value.js';
import { acceptedOptions, isSectionName } from './sections.js';
import type { Setting } from './settings.js';
import { suggestSection, unknownOption } from './suggest.js';

export interface Layer {
  /** Prefix of problem lines and warnings: the file as the user would name it, or the override. */
  label: string;
  /** JS/TS config files may hold functions and classes; YAML, JSON and overrides cannot. */
  code: boolean;
  baseDir: string;
  raw: unknown;
}

export interface Validated {
  settings: Setting[];
  problems: string[];
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function didYouMean(suggestion: string | undefined): string {
  return suggestion === undefined ? '' : ` (did you mean ${suggestion}?)`;
}

export function validateLayer(layer: Layer): Validated {
  const out: Validated = { settings: [], problems: [] };
  const problem = (text: string): void => {
    out.problems.push(`${layer.label}: ${text}`);
  };
  // An empty file parses to undefined (YAML) or null; both mean "no settings".
  if (layer.raw === undefined || layer.raw === null) return out;
  if (!isMapping(layer.raw)) {
    problem(`the configuration must be a mapping of sections such as JupyterHub:, found ${describeFound(layer.raw)}`);
    return out;
  }
  for (const [section, body] of Object.entries(layer.raw)) {
    if (!isSectionName(section)) {
      const keys = isMapping(body) ? Object.keys(body) : [];
      problem(`unknown section ${section}${didYouMean(suggestSection(section, keys))}`);
      continue;
    }
    // `JupyterHub:` with every option commented out parses to null (generate-config output).
    if (body === null || body === undefined) continue;
    if (!isMapping(body)) {
      problem(`section ${section} must be a mapping of options, found ${describeFound(body)}`);
      continue;
    }
    const accepted = acceptedOptions(section);
    for (const [option, value] of Object.entries(body)) {
      const ref = accepted.get(option);
      if (ref === undefined) {
        problem(unknownOption(section, option));
        continue;
      }
      if (value === undefined) continue; // `{port: undefined}` in a JS file: not set
      const r = coerce(ref.spec.type, value, { path: `${section}.${option}`, code: layer.code, baseDir: layer.baseDir });
      if (r.ok) out.settings.push({ section, option, value: r.value, source: layer.label });
      else problem(r.problem);
    }
  }
  return out;
}
