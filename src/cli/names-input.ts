import { readFile } from 'node:fs/promises';
import { Flags } from '@oclif/core';
import { HubError, errnoCode } from '../lib/errors.js';

/** --file of the commands that take many names. */
export function namesFileFlag(what = 'names') {
  return Flags.string({ char: 'f', summary: `Read ${what} from this file, one a line (- for stdin).` });
}

/**
 * Names for the commands that take many (`hub users add`, `rm`, `groups members add`): as arguments, from a
 * file (--file), or from stdin (`-` as an argument or as the file). Files have one name a line; blank lines and
 * `#` comments are skipped; duplicates are dropped, keeping the first position.
 */
export async function readNames(args: string[], file: string | undefined, stdin: NodeJS.ReadableStream = process.stdin): Promise<string[]> {
  const names: string[] = [];
  const wantsStdin = args.includes('-') || file === '-';
  for (const a of args) if (a !== '-') names.push(a);
  if (file !== undefined && file !== '-') names.push(...parseNames(await readNamesFile(file)));
  if (wantsStdin) names.push(...parseNames(await readAll(stdin)));
  const unique = [...new Set(names.map((n) => n.trim()).filter((n) => n !== ''))];
  if (unique.length === 0) throw new HubError('USAGE', 'no names given', { hint: 'Pass names as arguments, --file FILE (one a line), or - to read them from stdin.' });
  return unique;
}

export function parseNames(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.replace(/#.*$/, '').trim())
    .filter((line) => line !== '');
}

async function readNamesFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new HubError(errnoCode(err) === 'ENOENT' ? 'NOT_FOUND' : 'IO_ERROR', `cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : c);
  return Buffer.concat(chunks).toString('utf8');
}
