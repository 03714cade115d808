import { Box, Text } from 'ink';
import type { ServerRow } from '../../lib/client/servers-api.js';
import { serverName } from '../columns.js';
import { duration, stateColor } from '../format.js';
import { ago, renderTable, type Column } from '../table.js';

/**
 * The server list: one text table over every visible row (so columns keep their width while scrolling), of
 * which a window of `height` lines around the selection is shown. The selected row has a `>` marker, and is
 * inverted where colour is allowed, so it shows with NO_COLOR too.
 */
const columns: Column<ServerRow>[] = [
  { header: 'USER', get: (s) => s.user, shrink: true },
  { header: 'SERVER', get: (s) => serverName(s.name), shrink: true },
  { header: 'STATE', get: (s) => s.state, color: (s) => stateColor(s.state) },
  { header: 'UPTIME', get: (s) => duration(s.uptime_seconds), align: 'right' },
  { header: 'LAST ACTIVITY', get: (s) => ago(s.last_activity) },
  { header: 'URL', get: (s) => s.url, shrink: true },
];

export function windowStart(selected: number, count: number, height: number): number {
  if (count <= height || selected < 0) return 0;
  return Math.min(Math.max(0, selected - Math.floor(height / 2)), count - height);
}

export function ServerTable({ rows, selected, height, width }: { rows: ServerRow[]; selected: number; height: number; width: number }) {
  const lines = renderTable(columns, rows, width - 2).split('\n');
  const header = lines[0] ?? '';
  const body = lines.slice(1);
  const start = windowStart(selected, body.length, height);
  const shown = body.slice(start, start + height);
  return (
    <Box flexDirection="column">
      <Text wrap="truncate">{`  ${header}`}</Text>
      {rows.length === 0 ? <Text dimColor>  no servers</Text> : null}
      {shown.map((line, i) => {
        const isSelected = start + i === selected;
        return (
          <Text key={start + i} wrap="truncate" inverse={isSelected}>
            {`${isSelected ? '>' : ' '} ${line}`}
          </Text>
        );
      })}
    </Box>
  );
}
