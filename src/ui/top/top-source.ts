import type { PressureSnapshot } from '../../lib/client/pressure-model.js';
import type { ServerRow } from '../../lib/client/servers-api.js';

/** Everything the dashboard needs from a hub, so tests can render it against a fake one. */
export type Connection = { state: 'connecting' } | { state: 'live' } | { state: 'lost'; reason: string };

export interface TopSource {
  /** Calls onPressure for every pushed snapshot and onConnection when the stream's state changes; returns stop(). */
  watch(onPressure: (p: PressureSnapshot) => void, onConnection: (c: Connection) => void): () => void;
  listServers(): Promise<ServerRow[]>;
  /** Stops the server; resolves with what happened ("stopped", "stopping"). */
  stopServer(row: ServerRow): Promise<string>;
}
