import { useEffect, useMemo, useState } from 'react';
import type { PressureSnapshot } from '../../lib/client/pressure-model.js';
import type { ServerRow } from '../../lib/client/servers-api.js';
import { RefreshThrottle } from './refresh-throttle.js';
import { pushSample } from './sparkline.js';
import type { Connection, TopSource } from './top-source.js';

/**
 * What the dashboard shows of the hub: the pushed pressure snapshots (and a history of pending spawns), the
 * stream's connection, and the server list, re-read (throttled) on each push and whenever `refresh` is called.
 */
const PENDING_SAMPLES = 60;
const STATUS_MS = 6000;

export interface Status {
  text: string;
  bad: boolean;
}

export interface HubFeed {
  pressure: PressureSnapshot | null;
  pending: number[];
  servers: ServerRow[];
  connection: Connection;
  refresh: () => void;
}

export function useHubFeed(source: TopSource, onError: (s: Status) => void): HubFeed {
  const [pressure, setPressure] = useState<PressureSnapshot | null>(null);
  const [pending, setPending] = useState<number[]>([]);
  const [servers, setServers] = useState<ServerRow[]>([]);
  const [connection, setConnection] = useState<Connection>({ state: 'connecting' });
  const throttle = useMemo(
    () =>
      new RefreshThrottle(async () => {
        try {
          setServers(await source.listServers());
        } catch (err) {
          onError({ text: `listing servers: ${err instanceof Error ? err.message : String(err)}`, bad: true });
        }
      }),
    // onError is a state setter: stable for the component's life.
    [source, onError],
  );
  useEffect(() => {
    const stop = source.watch((p) => {
      setPressure(p);
      setPending((h) => pushSample(h, p.servers.pending_spawn, PENDING_SAMPLES));
      throttle.request();
    }, setConnection);
    return () => {
      stop();
      throttle.stop();
    };
  }, [source, throttle]);
  return { pressure, pending, servers, connection, refresh: () => throttle.request() };
}

/** A message (a stop's outcome, an error) stays a few seconds, then the list summary returns. */
export function useStatus(): [Status | null, (s: Status | null) => void] {
  const [status, setStatus] = useState<Status | null>(null);
  useEffect(() => {
    if (!status) return undefined;
    const t = setTimeout(() => setStatus(null), STATUS_MS);
    return () => clearTimeout(t);
  }, [status]);
  return [status, setStatus];
}
