import type { Key } from 'ink';
import type { KeyPress } from './top-state.js';

/**
 * Keys typed quickly (or pasted, or sent by tmux send-keys) reach Ink as one chunk such as `/al\r`: it is
 * split here into one press per character, so a filter typed fast is the same as one typed slowly.
 */
export function toKeyPresses(input: string, key: Key): KeyPress[] {
  const special = key.upArrow || key.downArrow || key.pageUp || key.pageDown || key.escape || key.return || key.backspace || key.delete;
  if (special || input.length <= 1) {
    return [{ input, up: key.upArrow, down: key.downArrow, pageUp: key.pageUp, pageDown: key.pageDown, escape: key.escape, enter: key.return, backspace: key.backspace || key.delete }];
  }
  return [...input].map((ch) => (ch === '\r' || ch === '\n' ? { input: '', enter: true } : ch === '\x7f' || ch === '\b' ? { input: '', backspace: true } : { input: ch }));
}
