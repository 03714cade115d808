#!/usr/bin/env node
// Rebuilds the README's command reference from oclif.manifest.json (run by `npm run build`; it also sorts the
// manifest's commands so the file is stable), so the README
// never drifts from the commands' own help. The reference sits between the two marker comments.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const root = path.join(path.dirname(new URL(import.meta.url).pathname), '..');
const manifestPath = path.join(root, 'oclif.manifest.json');
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
// oclif lists commands in the file system's directory order, which differs between checkouts; sorted by id,
// the committed manifest is the same wherever it is built (CI compares it).
manifest.commands = Object.fromEntries(Object.entries(manifest.commands).sort(([a], [b]) => a.localeCompare(b)));
writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
const readmePath = path.join(root, 'README.md');
const readme = readFileSync(readmePath, 'utf8');
const START = '<!-- commands -->';
const END = '<!-- commandsstop -->';

const ids = Object.keys(manifest.commands).sort();
const lines = [];
for (const id of ids) {
  const c = manifest.commands[id];
  const name = `hub ${id.replaceAll(':', ' ')}`;
  lines.push(`### \`${name}\``, '', c.summary ?? c.description ?? '', '');
  const flags = Object.values(c.flags ?? {}).filter((f) => !f.hidden && f.helpGroup !== 'GLOBAL');
  if (flags.length > 0) {
    lines.push('| flag | meaning |', '| --- | --- |');
    for (const f of flags.sort((a, b) => a.name.localeCompare(b.name))) {
      const flag = `${f.char ? `-${f.char}, ` : ''}--${f.name}${f.type === 'option' ? ' VALUE' : ''}`;
      lines.push(`| \`${flag}\` | ${(f.summary ?? f.description ?? '').replaceAll('|', '\\|')} |`);
    }
    lines.push('');
  }
  const examples = (c.examples ?? []).map((e) => (typeof e === 'string' ? e : e.command).replaceAll('<%= config.bin %>', 'hub'));
  if (examples.length > 0) lines.push('```', ...examples, '```', '');
}
lines.push('Every command also takes `-c/--config PATH`, `--socket PATH` and `--debug`.');
const start = readme.indexOf(START);
const end = readme.indexOf(END);
if (start < 0 || end < start) {
  console.error(`README.md has no ${START} ... ${END} markers`);
  process.exit(1);
}
const next = `${readme.slice(0, start + START.length)}\n${lines.join('\n')}\n${readme.slice(end)}`;
if (next !== readme) writeFileSync(readmePath, next);
