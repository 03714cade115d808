import { openEventStream, type EventStream } from './event-stream.js';
import type { HubClient } from './hub-client.js';
import { asPressure, type PressureSnapshot } from './pressure-model.js';

/** hub's spawn-pressure feed: one snapshot on demand, or pushed on every change (and every 5 s) by the daemon. */
export async function getPressure(client: HubClient): Promise<PressureSnapshot> {
  return asPressure(await client.get('/hub/ext/pressure'));
}

export function watchPressure(client: HubClient, onSnapshot: (p: PressureSnapshot) => void): EventStream {
  return openEventStream(client.socketPath, '/hub/ext/events', (e) => {
    if (e.event !== 'pressure') return;
    let snapshot: PressureSnapshot;
    try {
      snapshot = asPressure(JSON.parse(e.data));
    } catch {
      // One malformed event is skipped; the next push (at most 5 s away) replaces it.
      return;
    }
    onSnapshot(snapshot);
  });
}
