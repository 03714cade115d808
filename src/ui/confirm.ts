import readline from 'node:readline/promises';
import { HubError } from '../lib/errors.js';

/**
 * Destructive actions ask on a terminal; elsewhere (scripts, systemd, CI) they need an explicit
 * --answer-yes, and we say so instead of waiting for input that will never come.
 */
export async function confirm(question: string, opts: { answerYes: boolean; flag?: string }): Promise<void> {
  if (opts.answerYes) return;
  const flag = opts.flag ?? '--answer-yes';
  if (!process.stdin.isTTY || !process.stderr.isTTY) {
    throw new HubError('CONFIRMATION_REQUIRED', `${question} — refusing without confirmation (not on a terminal)`, { hint: `Run again with ${flag} to confirm.` });
  }
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = (await rl.question(`${question} [y/N] `)).trim().toLowerCase();
    if (answer !== 'y' && answer !== 'yes') throw new HubError('ABORTED', 'aborted; nothing was changed');
  } finally {
    rl.close();
  }
}
