import type { ServerRow } from '../../lib/client/servers-api.js';

/**
 * The dashboard's view state and what keys do to it, as pure functions: the Ink component only dispatches,
 * and the tests drive this without a terminal.
 */
export const SORT_KEYS = ['user', 'state', 'uptime', 'activity'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export type Mode = { kind: 'list' } | { kind: 'filter'; draft: string } | { kind: 'confirm'; target: ServerRow };

export interface ViewState {
  sort: SortKey;
  desc: boolean;
  filter: string;
  mode: Mode;
  /** The selected row's key (user/name), so the selection follows the server when the list reorders. */
  selected: string | null;
}

export const initialView: ViewState = { sort: 'user', desc: false, filter: '', mode: { kind: 'list' }, selected: null };

export function rowKey(r: ServerRow): string {
  return `${r.user}/${r.name}`;
}

const STATE_ORDER: Record<ServerRow['state'], number> = { spawning: 0, unready: 1, stopping: 2, ready: 3, stopped: 4 };

function compare(a: ServerRow, b: ServerRow, key: SortKey): number {
  switch (key) {
    case 'user':
      return a.user.localeCompare(b.user) || a.name.localeCompare(b.name);
    case 'state':
      return STATE_ORDER[a.state] - STATE_ORDER[b.state];
    case 'uptime':
      return (b.uptime_seconds ?? -1) - (a.uptime_seconds ?? -1);
    case 'activity':
      return Date.parse(b.last_activity ?? '1970-01-01') - Date.parse(a.last_activity ?? '1970-01-01');
  }
}

/** Filtered (text in the user or server name, or exactly the state) and sorted; ties by user, for a stable order. */
export function visibleRows(rows: ServerRow[], v: ViewState): ServerRow[] {
  const f = v.filter.toLowerCase();
  const shown = f === '' ? rows : rows.filter((r) => r.user.toLowerCase().includes(f) || r.name.toLowerCase().includes(f) || r.state === f);
  const sign = v.desc ? -1 : 1;
  return [...shown].sort((a, b) => sign * compare(a, b, v.sort) || compare(a, b, 'user'));
}

export function selectedIndex(rows: ServerRow[], v: ViewState): number {
  if (rows.length === 0) return -1;
  const i = v.selected === null ? -1 : rows.findIndex((r) => rowKey(r) === v.selected);
  return i < 0 ? 0 : i;
}

export interface KeyPress {
  input: string;
  up?: boolean;
  down?: boolean;
  pageUp?: boolean;
  pageDown?: boolean;
  escape?: boolean;
  enter?: boolean;
  backspace?: boolean;
}

export type Effect = { kind: 'none' } | { kind: 'quit' } | { kind: 'stop'; target: ServerRow };

const NONE: Effect = { kind: 'none' };

/** What a key does, given the rows on screen and the page height (for PgUp/PgDn). */
export function onKey(v: ViewState, k: KeyPress, rows: ServerRow[], page: number): [ViewState, Effect] {
  switch (v.mode.kind) {
    case 'filter':
      return [filterKey(v, v.mode.draft, k), NONE];
    case 'confirm':
      if (k.input === 'y' || k.input === 'Y') return [{ ...v, mode: { kind: 'list' } }, { kind: 'stop', target: v.mode.target }];
      return [{ ...v, mode: { kind: 'list' } }, NONE];
    case 'list':
      return listKey(v, k, rows, page);
  }
}

function filterKey(v: ViewState, draft: string, k: KeyPress): ViewState {
  if (k.escape) return { ...v, mode: { kind: 'list' } };
  if (k.enter) return { ...v, filter: draft, mode: { kind: 'list' }, selected: null };
  if (k.backspace) return { ...v, mode: { kind: 'filter', draft: draft.slice(0, -1) } };
  if (k.input && [...k.input].every((c) => c >= ' ')) return { ...v, mode: { kind: 'filter', draft: draft + k.input } };
  return v;
}

function listKey(v: ViewState, k: KeyPress, rows: ServerRow[], page: number): [ViewState, Effect] {
  const i = selectedIndex(rows, v);
  const move = (delta: number): ViewState => {
    const j = Math.max(0, Math.min(rows.length - 1, i + delta));
    return { ...v, selected: rows[j] ? rowKey(rows[j]) : null };
  };
  if (k.input === 'q') return [v, { kind: 'quit' }];
  if (k.up || k.input === 'k') return [move(-1), NONE];
  if (k.down || k.input === 'j') return [move(1), NONE];
  if (k.pageUp) return [move(-page), NONE];
  if (k.pageDown) return [move(page), NONE];
  if (k.input === 'g') return [move(-rows.length), NONE];
  if (k.input === 'G') return [move(rows.length), NONE];
  if (k.input === 's') return [{ ...v, sort: SORT_KEYS[(SORT_KEYS.indexOf(v.sort) + 1) % SORT_KEYS.length] ?? 'user' }, NONE];
  if (k.input === 'r') return [{ ...v, desc: !v.desc }, NONE];
  if (k.input === '/') return [{ ...v, mode: { kind: 'filter', draft: v.filter } }, NONE];
  if (k.escape && v.filter !== '') return [{ ...v, filter: '' }, NONE];
  const row = rows[i];
  if ((k.input === 'x' || k.input === 'd') && row && (row.state === 'ready' || row.state === 'unready')) {
    return [{ ...v, mode: { kind: 'confirm', target: row } }, NONE];
  }
  return [v, NONE];
}
