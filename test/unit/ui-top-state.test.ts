import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Key } from 'ink';
import type { ServerRow } from '../../src/lib/client/servers-api.js';
import { initialView, onKey, rowKey, selectedIndex, visibleRows, type KeyPress, type ViewState } from '../../src/ui/top/top-state.js';
import { toKeyPresses } from '../../src/ui/top/key-presses.js';

function row(user: string, over: Partial<ServerRow> = {}): ServerRow {
  return { user, name: '', state: 'ready', url: `/user/${user}/`, started: '2026-01-01T00:00:00Z', last_activity: '2026-01-01T00:00:00Z', uptime_seconds: 60, ...over };
}

const rows = [row('carol', { uptime_seconds: 10 }), row('alice', { uptime_seconds: 300 }), row('bob', { state: 'spawning', uptime_seconds: null }), row('alice', { name: 'gpu', uptime_seconds: 5 })];

/** Presses keys in order; returns the final state and the effects, as strings. */
function press(v: ViewState, keys: KeyPress[]): [ViewState, string[]] {
  const effects: string[] = [];
  let state = v;
  for (const k of keys) {
    const [next, effect] = onKey(state, k, visibleRows(rows, state), 5);
    state = next;
    if (effect.kind === 'stop') effects.push(`stop ${rowKey(effect.target)}`);
    else if (effect.kind === 'quit') effects.push('quit');
  }
  return [state, effects];
}

test('the list sorts by user (then server name), cycles through state/uptime/activity, and reverses', () => {
  assert.deepEqual(visibleRows(rows, initialView).map(rowKey), ['alice/', 'alice/gpu', 'bob/', 'carol/']);
  const [byState] = press(initialView, [{ input: 's' }]);
  assert.equal(byState.sort, 'state');
  assert.equal(visibleRows(rows, byState)[0]?.user, 'bob', 'spawning servers first');
  const [byUptime] = press(byState, [{ input: 's' }]);
  assert.deepEqual(visibleRows(rows, byUptime).map(rowKey), ['alice/', 'carol/', 'alice/gpu', 'bob/'], 'longest uptime first');
  const [reversed] = press(byUptime, [{ input: 'r' }]);
  assert.equal(visibleRows(rows, reversed)[0]?.user, 'bob');
  const [cycled] = press(byUptime, [{ input: 's' }, { input: 's' }]);
  assert.equal(cycled.sort, 'user');
});

test('the filter is typed after /, applied on enter, cancelled by esc, cleared by esc in the list', () => {
  const [typing] = press(initialView, [{ input: '/' }, { input: 'a' }, { input: 'l' }]);
  assert.deepEqual(typing.mode, { kind: 'filter', draft: 'al' });
  assert.equal(typing.filter, '', 'not applied while typing');
  const [applied] = press(typing, [{ input: '', backspace: true }, { input: 'l' }, { input: '', enter: true }]);
  assert.equal(applied.filter, 'al');
  assert.deepEqual(visibleRows(rows, applied).map(rowKey), ['alice/', 'alice/gpu']);
  const [cancelled] = press(applied, [{ input: '/' }, { input: 'x' }, { input: '', escape: true }]);
  assert.equal(cancelled.filter, 'al', 'esc while typing keeps the old filter');
  const [cleared] = press(applied, [{ input: '', escape: true }]);
  assert.equal(cleared.filter, '');
  // A state matches whole, so "d" does not match every "ready" server.
  assert.deepEqual(visibleRows(rows, { ...initialView, filter: 'spawning' }).map(rowKey), ['bob/']);
  assert.deepEqual(visibleRows(rows, { ...initialView, filter: 'd' }).map(rowKey), []);
});

test('selection moves and clamps, follows the server when the order changes, and x asks before stopping', () => {
  const [down] = press(initialView, [{ input: '', down: true }, { input: 'j' }, { input: 'j' }, { input: 'j' }, { input: 'j' }]);
  assert.equal(down.selected, 'carol/', 'clamped at the last row');
  const [up] = press(down, [{ input: 'k' }, { input: '', up: true }]);
  assert.equal(up.selected, 'alice/gpu');
  const resorted = { ...up, sort: 'uptime' as const };
  assert.equal(visibleRows(rows, resorted)[selectedIndex(visibleRows(rows, resorted), resorted)]?.name, 'gpu', 'same server after re-sorting');

  const [asking, none] = press(up, [{ input: 'x' }]);
  assert.equal(asking.mode.kind, 'confirm');
  assert.deepEqual(none, []);
  const [, stopped] = press(asking, [{ input: 'y' }]);
  assert.deepEqual(stopped, ['stop alice/gpu']);
  const [back, notStopped] = press(asking, [{ input: 'n' }]);
  assert.deepEqual(notStopped, []);
  assert.equal(back.mode.kind, 'list');
  // A spawning server cannot be stopped (the hub refuses): x does nothing on it.
  const onBob = { ...initialView, selected: 'bob/' };
  const [still] = press(onBob, [{ input: 'x' }]);
  assert.equal(still.mode.kind, 'list');
  assert.deepEqual(press(initialView, [{ input: 'q' }])[1], ['quit']);
});

test('keys typed quickly arrive as one chunk and are split into single presses', () => {
  const none = {} as Key;
  assert.deepEqual(toKeyPresses('/al\r', none), [{ input: '/' }, { input: 'a' }, { input: 'l' }, { input: '', enter: true }]);
  assert.deepEqual(toKeyPresses('j', none).map((k) => k.input), ['j']);
  const arrow = toKeyPresses('', { upArrow: true } as Key);
  assert.equal(arrow.length, 1);
  assert.equal(arrow[0]?.up, true);
});
