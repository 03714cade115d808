import { useRef, useState } from 'react';
import { Box, Text, useApp, useInput } from 'ink';
import type { PressureSnapshot } from '../../lib/client/pressure-model.js';
import type { ServerRow } from '../../lib/client/servers-api.js';
import { describeRow } from './describe.js';
import { KeyBar } from './key-bar.js';
import { PressurePanel } from './pressure-panel.js';
import { pressureLines, type Line } from './pressure-lines.js';
import { ServerTable } from './server-table.js';
import { toKeyPresses } from './key-presses.js';
import { initialView, onKey, selectedIndex, visibleRows, type ViewState } from './top-state.js';
import type { Connection, TopSource } from './top-source.js';
import { useHubFeed, useStatus } from './use-hub-feed.js';
import { useTerminalSize } from './use-terminal-size.js';

export type { Connection, TopSource } from './top-source.js';

/** Title, pressure, blank, table header, status line, key bar: what the server list leaves room for. */
const CHROME_LINES = 5;

function clock(iso: string | undefined): string {
  const t = iso ? new Date(iso) : undefined;
  return t && !Number.isNaN(t.getTime()) ? t.toTimeString().slice(0, 8) : '--:--:--';
}

function Title({ pressure, connection }: { pressure: PressureSnapshot | null; connection: Connection }) {
  const conn = connection.state === 'live' ? <Text color="green">● live</Text> : connection.state === 'connecting' ? <Text color="yellow">○ connecting</Text> : <Text color="red">✕ {connection.reason}</Text>;
  return (
    <Text wrap="truncate">
      <Text bold>hub top</Text>
      {`  ${clock(pressure?.time)}  `}
      {conn}
    </Text>
  );
}

function statusText(view: ViewState, shown: number, total: number): string {
  const filter = view.filter ? `  filter "${view.filter}" (esc clears)` : '';
  return `${shown === total ? total : `${shown} of ${total}`} server${total === 1 ? '' : 's'}  sorted by ${view.sort}${view.desc ? ' (reversed)' : ''}${filter}`;
}

/**
 * `hub top`: spawn pressure pushed by the daemon, and the server list re-read (throttled) on each push.
 * Everything it shows comes through `source`, so tests render it with a fake hub.
 */
export function TopApp({ source }: { source: TopSource }) {
  const { exit } = useApp();
  const { columns, rows: termRows } = useTerminalSize();
  const [status, setStatus] = useStatus();
  const feed = useHubFeed(source, setStatus);
  const [view, setView] = useState<ViewState>(initialView);
  // Keys can arrive before React has re-subscribed the input handler after a render: the handler reads the
  // latest view and rows from refs, never from a stale closure.
  const viewRef = useRef(view);
  const rowsRef = useRef<ServerRow[]>([]);
  rowsRef.current = feed.servers;

  const lines: Line[] = feed.pressure ? pressureLines(feed.pressure, feed.pending, columns) : [[{ text: 'waiting for the first snapshot from the hub…', tone: 'dim' }]];
  const shown = visibleRows(feed.servers, view);
  const listHeight = Math.max(1, termRows - 1 - CHROME_LINES - lines.length);

  const stop = (target: ServerRow): void => {
    const what = describeRow(target);
    setStatus({ text: `stopping ${what}…`, bad: false });
    source
      .stopServer(target)
      .then(
        (result) => setStatus({ text: `${what}: ${result}`, bad: false }),
        (err: unknown) => setStatus({ text: `${what}: ${err instanceof Error ? err.message : String(err)}`, bad: true }),
      )
      .finally(feed.refresh);
  };

  useInput((input, key) => {
    // A key means the message was read: the list summary (sort, filter) is what the next key needs to see.
    setStatus(null);
    for (const press of toKeyPresses(input, key)) {
      const [next, effect] = onKey(viewRef.current, press, visibleRows(rowsRef.current, viewRef.current), listHeight);
      viewRef.current = next;
      if (effect.kind === 'quit') exit();
      if (effect.kind === 'stop') stop(effect.target);
    }
    setView(viewRef.current);
  });

  return (
    <Box flexDirection="column" width={columns}>
      <Title pressure={feed.pressure} connection={feed.connection} />
      <PressurePanel lines={lines} />
      <Text> </Text>
      <ServerTable rows={shown} selected={selectedIndex(shown, view)} height={listHeight} width={columns} />
      <Text wrap="truncate" color={status?.bad ? 'red' : undefined} dimColor={!status}>
        {status ? status.text : statusText(view, shown.length, feed.servers.length)}
      </Text>
      <KeyBar view={view} />
    </Box>
  );
}
