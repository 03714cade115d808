/**
 * authenticator_class, spawner_class and proxy_class. JupyterHub accepts an entry-point name ('pam'), a dotted
 * class name ('jupyterhub.auth.PAMAuthenticator') or the class; hub maps JupyterHub's own classes to its
 * built-in short names and otherwise takes a JS module to import (a path or package specifier), or the class
 * itself from a JS/TS config file.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILTIN_CLASSES, SCHEMA, type SectionName } from './schema.generated.js';
import { ancestry, familyMembers, isSectionName } from './sections.js';
import type { ClassFamily, ClassValue, ConfigConstructor, ConfigFunction } from './types.js';

export type ClassRef =
  | { kind: 'builtin'; name: string; section: string }
  | { kind: 'module'; specifier: string }
  | { kind: 'value'; value: ConfigFunction | ConfigConstructor };

function builtins(family: ClassFamily): { default: string; names: Readonly<Record<string, string>> } {
  const table = BUILTIN_CLASSES[family];
  if (table === undefined) throw new Error(`no built-in classes for ${family}`);
  return table;
}

export function builtinClassNames(family: ClassFamily): string[] {
  return Object.keys(builtins(family).names);
}

/** A JS module rather than a name: a path, a file: URL, a scoped or sub-path package, or a .js/.ts file. */
function looksLikeModule(value: string): boolean {
  return /^(\.{1,2}\/|\/|file:)/.test(value) || value.includes('/') || /\.(c|m)?(j|t)s$/.test(value);
}

/**
 * The normalised form of a class string, or an error text. Relative module paths resolve against `baseDir`
 * (the config file's directory) so the result can be imported from anywhere.
 */
export function normaliseClassName(family: ClassFamily, value: string, baseDir: string): { ok: true; value: string } | { ok: false; problem: string } {
  const table = builtins(family);
  const key = value.trim().toLowerCase();
  if (key === 'default') return { ok: true, value: table.default };
  if (Object.hasOwn(table.names, key)) return { ok: true, value: key };
  // 'jupyterhub.auth.PAMAuthenticator' or just 'PAMAuthenticator'.
  const dotted = value.trim();
  const className = dotted.slice(dotted.lastIndexOf('.') + 1);
  const modulePart = dotted.includes('.') ? dotted.slice(0, dotted.lastIndexOf('.')) : null;
  for (const [short, section] of Object.entries(table.names)) {
    if (section !== className) continue;
    // A class without options of its own (NullAuthenticator) has no section: any jupyterhub module names it.
    const module = isSectionName(section) ? SCHEMA[section].module : null;
    if (modulePart === null || modulePart === module || modulePart === 'jupyterhub' || (module === null && modulePart.startsWith('jupyterhub.'))) return { ok: true, value: short };
  }
  if (looksLikeModule(dotted)) {
    if (dotted.startsWith('file:')) return { ok: true, value: fileURLToPath(dotted) };
    // A file name is a path even without './' ('spawners/mine.js'); what is left is a package ('@org/hub-spawner').
    const isFile = /^\.{1,2}\//.test(dotted) || (/\.(c|m)?(j|t)s$/.test(dotted) && !dotted.startsWith('@'));
    return { ok: true, value: isFile ? resolve(baseDir, dotted) : dotted };
  }
  const known = familyMembers(family).filter((s) => s !== family).join(', ');
  return {
    ok: false,
    problem: `a built-in name (${builtinClassNames(family).join(', ')}), a JupyterHub class name (${known}) or a module path such as ./my-${family.toLowerCase()}.js`,
  };
}

/** What a loaded *_class value points at, for the code that instantiates it. */
export function resolveClassRef(family: ClassFamily, value: ClassValue): ClassRef {
  if (typeof value === 'function') return { kind: 'value', value };
  const section = builtins(family).names[value];
  if (section !== undefined) return { kind: 'builtin', name: value, section };
  return { kind: 'module', specifier: value };
}

/** The config sections that apply to a class, root first (traitlets applies Spawner, then LocalProcessSpawner, ...). */
export function sectionsForClass(family: ClassFamily, value: ClassValue): SectionName[] {
  const ref = resolveClassRef(family, value);
  if (ref.kind !== 'builtin') return [family];
  return isSectionName(ref.section) ? ancestry(ref.section) : [family];
}
