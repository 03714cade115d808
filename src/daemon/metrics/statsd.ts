import dgram from 'node:dgram';
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import { errnoCode, HubError } from '../../lib/errors.js';
import type { Logger } from '../../lib/log.js';
import { counterLine, gaugeLine, prefixProblem, statName, timingLine } from './statsd-line.js';

/**
 * JupyterHub.statsd_host/statsd_port/statsd_prefix: metrics as UDP statsd lines, one packet per metric as the
 * Python `statsd` client sends them. Fire and forget: no call waits or throws, a lost packet is a lost metric.
 * With no host the hub gets NO_STATSD, whose methods do nothing (JupyterHub's EmptyClass), so the metric
 * points cost one empty call when metrics are off.
 */
export interface Statsd {
  incr(stat: string, count?: number): void;
  /** Milliseconds. */
  timing(stat: string, ms: number): void;
  gauge(stat: string, value: number): void;
  close(): Promise<void>;
}

export const NO_STATSD: Statsd = {
  incr: () => undefined,
  timing: () => undefined,
  gauge: () => undefined,
  close: async () => undefined,
};

export interface StatsdSettings {
  statsd_host: string;
  statsd_port: number;
  statsd_prefix: string;
}

/** Lines kept while the host name is being resolved; the hub emits nothing at that rate, so none are lost. */
const QUEUE_MAX = 100;
/** After a failed lookup, the next metric tries again, at most this often. */
const RETRY_LOOKUP_MS = 60_000;

type Target =
  | { state: 'resolving'; queue: string[] }
  | { state: 'ready'; address: string; socket: dgram.Socket }
  | { state: 'unresolved'; retryAt: number }
  | { state: 'closed' };

/** Refuses settings that cannot work (a URL or host:port as host, a port out of range, a separator in the prefix). */
export function checkStatsdSettings(s: StatsdSettings): void {
  const host = s.statsd_host;
  if (host === '') return;
  const hint = 'Set JupyterHub.statsd_host to a host name or IP address (e.g. 127.0.0.1), statsd_port to its UDP port.';
  if (/[\s/]/.test(host) || (host.includes(':') && net.isIP(host) === 0)) {
    throw new HubError('CONFIG_INVALID', `JupyterHub.statsd_host ${JSON.stringify(host)} is not a host name or IP address`, { hint });
  }
  if (!Number.isInteger(s.statsd_port) || s.statsd_port < 1 || s.statsd_port > 65535) {
    throw new HubError('CONFIG_INVALID', `JupyterHub.statsd_port ${s.statsd_port} is not a UDP port (1-65535)`, { hint });
  }
  const problem = prefixProblem(s.statsd_prefix);
  if (problem !== null) {
    throw new HubError('CONFIG_INVALID', `JupyterHub.statsd_prefix ${JSON.stringify(s.statsd_prefix)} ${problem}`, { hint: "Use dotted words, e.g. 'jupyterhub' or 'hubs.prod'." });
  }
}

/** The client for these settings, or NO_STATSD for an empty host. Throws HubError('CONFIG_INVALID') for bad settings. */
export function createStatsd(s: StatsdSettings, log: Logger): Statsd {
  checkStatsdSettings(s);
  if (s.statsd_host === '') return NO_STATSD;
  return new StatsdClient(s.statsd_host, s.statsd_port, s.statsd_prefix, log);
}

export class StatsdClient implements Statsd {
  private readonly host: string;
  private readonly port: number;
  private readonly prefix: string;
  private readonly log: Logger;
  private target: Target = { state: 'resolving', queue: [] };
  private sendErrorLogged = false;
  private lookupErrorLogged = false;

  constructor(host: string, port: number, prefix: string, log: Logger) {
    this.host = host;
    this.port = port;
    this.prefix = prefix;
    this.log = log;
    this.resolve([]);
    log.info(`Sending statsd metrics to ${host}:${port} with prefix ${JSON.stringify(prefix)}`);
  }

  incr(stat: string, count = 1): void {
    this.send(counterLine(statName(this.prefix, stat), count));
  }

  timing(stat: string, ms: number): void {
    this.send(timingLine(statName(this.prefix, stat), ms));
  }

  gauge(stat: string, value: number): void {
    this.send(gaugeLine(statName(this.prefix, stat), value));
  }

  async close(): Promise<void> {
    const t = this.target;
    this.target = { state: 'closed' };
    if (t.state === 'ready') await new Promise<void>((resolve) => t.socket.close(() => resolve()));
  }

  private send(line: string | null): void {
    if (line === null) return;
    const t = this.target;
    switch (t.state) {
      case 'ready':
        t.socket.send(line, this.port, t.address, (err) => {
          if (err) this.sendFailed(err);
        });
        return;
      case 'resolving':
        if (t.queue.length < QUEUE_MAX) t.queue.push(line);
        return;
      case 'unresolved':
        if (Date.now() >= t.retryAt) this.resolve([line]);
        return;
      case 'closed':
        return;
    }
  }

  /**
   * Once, as the Python client does when it is made; IPv4 first, as it asks getaddrinfo for AF_INET. Node's
   * dgram would look the name up again for every packet if given the name.
   */
  private resolve(queue: string[]): void {
    this.target = { state: 'resolving', queue };
    const family = net.isIP(this.host);
    const found = family !== 0
      ? Promise.resolve({ address: this.host, family })
      : lookup(this.host, { family: 4 }).catch(() => lookup(this.host));
    found.then(
      ({ address, family: fam }) => {
        const t = this.target;
        if (t.state !== 'resolving') return;
        const socket = dgram.createSocket(fam === 6 ? 'udp6' : 'udp4');
        socket.on('error', (err) => this.sendFailed(err));
        socket.unref();
        this.target = { state: 'ready', address, socket };
        for (const line of t.queue) this.send(line);
      },
      (err: unknown) => {
        if (this.target.state !== 'resolving') return;
        this.target = { state: 'unresolved', retryAt: Date.now() + RETRY_LOOKUP_MS };
        const text = `statsd: cannot resolve JupyterHub.statsd_host ${this.host} (${errnoCode(err) ?? String(err)}); metrics are dropped until it resolves (tried again at most once a minute)`;
        if (this.lookupErrorLogged) this.log.debug(text);
        else this.log.warn(text);
        this.lookupErrorLogged = true;
      },
    );
  }

  /** Logged once: a statsd server that is down must not flood the hub's log with one line per metric. */
  private sendFailed(err: Error): void {
    if (this.sendErrorLogged) return;
    this.sendErrorLogged = true;
    this.log.warn(`statsd: sending to ${this.host}:${this.port} failed (${errnoCode(err) ?? err.message}); further send errors are not logged`);
  }
}
