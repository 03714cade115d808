import { Text } from 'ink';
import { describeRow } from './describe.js';
import type { Mode, ViewState } from './top-state.js';

/** The bottom line: what the keys do now (list), the filter being typed, or the stop confirmation. */
export function keyHints(mode: Mode): string {
  switch (mode.kind) {
    case 'filter':
      return `filter: ${mode.draft}_   (enter apply, esc cancel)`;
    case 'confirm':
      return `Stop ${describeRow(mode.target)}? y to stop, any other key cancels`;
    case 'list':
      return '↑↓/jk select  s sort  r reverse  / filter  x stop  q quit';
  }
}

export function KeyBar({ view }: { view: ViewState }) {
  const confirm = view.mode.kind === 'confirm';
  return (
    <Text wrap="truncate" bold={confirm} color={confirm ? 'yellow' : 'cyan'}>
      {keyHints(view.mode)}
    </Text>
  );
}
