import type { PressureSnapshot } from '../../lib/client/pressure-model.js';
import type { ServerRow } from '../../lib/client/servers-api.js';
import { serverColumns } from '../columns.js';
import { renderTable } from '../table.js';
import { lineText, pressureLines } from './pressure-lines.js';

/** `hub top` without a terminal: the same panel once, as plain text, then the server table. */
export function renderSnapshot(p: PressureSnapshot, servers: ServerRow[], width: number | undefined): string {
  const lines = pressureLines(p, [], width ?? 100).map(lineText);
  const table = servers.length === 0 ? 'no servers' : renderTable(serverColumns, servers, width);
  return [`hub top  ${p.time}`, ...lines, '', table].join('\n');
}
