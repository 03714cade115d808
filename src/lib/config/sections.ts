/**
 * Lookups over the generated schema: which options a section accepts (its own and its ancestors', as
 * traitlets config inheritance works), the family a section belongs to, and option specs by 'Section.option'.
 */
import { SCHEMA, SECTION_NAMES, type SectionName } from './schema.generated.js';
import type { OptionSpec } from './types.js';

export const CONFIG_SECTIONS: readonly SectionName[] = SECTION_NAMES;

export function isSectionName(name: string): name is SectionName {
  return (SECTION_NAMES as readonly string[]).includes(name);
}

/** The section and its ancestors, root first: LocalProcessSpawner -> [Spawner, LocalProcessSpawner]. */
export function ancestry(section: SectionName): SectionName[] {
  const chain: SectionName[] = [];
  let current: string | null = section;
  while (current !== null && isSectionName(current)) {
    chain.unshift(current);
    current = SCHEMA[current].parent;
  }
  return chain;
}

export function familyRoot(section: SectionName): SectionName {
  return ancestry(section)[0] ?? section;
}

/** Every section whose root is `root`, in schema order (parents before children). */
export function familyMembers(root: SectionName): SectionName[] {
  return SECTION_NAMES.filter((s) => familyRoot(s) === root);
}

export interface OptionRef {
  /** The section whose class declares the option. */
  owner: SectionName;
  name: string;
  spec: OptionSpec;
}

const acceptedCache = new Map<SectionName, Map<string, OptionRef>>();

/** Options a section accepts: the ones its class adds and every ancestor's (a subclass may set those too). */
export function acceptedOptions(section: SectionName): Map<string, OptionRef> {
  let accepted = acceptedCache.get(section);
  if (accepted === undefined) {
    accepted = new Map();
    for (const owner of ancestry(section)) {
      for (const [name, spec] of Object.entries(SCHEMA[owner].options)) accepted.set(name, { owner, name, spec });
    }
    acceptedCache.set(section, accepted);
  }
  return accepted;
}

/** The spec of 'Section.option'; an inherited option is found under a subclass too ('LocalProcessSpawner.cmd'). */
export function describeOption(key: string): OptionSpec | undefined {
  const dot = key.indexOf('.');
  if (dot < 0) return undefined;
  const section = key.slice(0, dot);
  if (!isSectionName(section)) return undefined;
  return acceptedOptions(section).get(key.slice(dot + 1))?.spec;
}
