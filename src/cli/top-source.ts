import { isHubError } from '../lib/errors.js';
import type { HubClient } from '../lib/client/hub-client.js';
import { listServers, stopServer, watchPressure } from '../lib/client/queries.js';
import type { Connection, TopSource } from '../ui/top/top-source.js';

/**
 * The dashboard's hub: the pushed pressure stream (reconnected with backoff if the daemon restarts), the server
 * list and stop over the control socket.
 */
const RETRY_MS = [500, 1000, 2000, 5000];

export function socketTopSource(client: HubClient): TopSource {
  return {
    watch(onPressure, onConnection: (c: Connection) => void) {
      let stopped = false;
      let close = (): void => undefined;
      let timer: NodeJS.Timeout | undefined;
      const connect = (attempt: number): void => {
        if (stopped) return;
        let live = false;
        const stream = watchPressure(client, (p) => {
          if (!live) onConnection({ state: 'live' });
          live = true;
          onPressure(p);
        });
        close = stream.close;
        const retry = (reason: string): void => {
          if (stopped) return;
          onConnection({ state: 'lost', reason: `${reason}; reconnecting` });
          const next = live ? 0 : attempt + 1;
          timer = setTimeout(() => connect(next), RETRY_MS[Math.min(next, RETRY_MS.length - 1)]);
        };
        // A HubError says why in its first clause ("hub is not running (no socket at ...)"); a reset stream
        // (the daemon stopping) only says "aborted".
        stream.done.then(
          () => retry('the hub closed the event stream'),
          (err: unknown) => retry(isHubError(err) ? (err.message.split(';')[0] ?? err.message) : 'lost the connection to the hub'),
        );
      };
      connect(0);
      return () => {
        stopped = true;
        if (timer) clearTimeout(timer);
        close();
      };
    },
    listServers: () => listServers(client),
    async stopServer(row) {
      return (await stopServer(client, row.user, row.name)) === 'stopped' ? 'stopped' : 'stopping';
    },
  };
}
