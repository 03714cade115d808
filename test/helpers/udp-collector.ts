import dgram from 'node:dgram';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/**
 * A statsd server stand-in: a UDP socket on 127.0.0.1 that keeps every line it receives (a packet may hold
 * several, newline-separated, as statsd allows), in arrival order.
 */
export interface UdpCollector {
  port: number;
  lines: string[];
  /** The index of the first `line` at or after `from`, once it arrives; rejects after `timeoutMs` showing what did. */
  waitForLine(line: string, from: number, timeoutMs?: number): Promise<number>;
  close(): Promise<void>;
}

export async function startUdpCollector(): Promise<UdpCollector> {
  const socket = dgram.createSocket('udp4');
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  socket.on('message', (msg) => {
    lines.push(...msg.toString('utf8').split('\n'));
    for (const w of waiters) w();
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    port: socket.address().port,
    lines,
    waitForLine: (line, from, timeoutMs = 20_000) => new Promise<number>((resolve, reject) => {
      const check = (): void => {
        const i = lines.indexOf(line, from);
        if (i < 0) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(i);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no statsd line ${line} within ${timeoutMs} ms; got:\n${lines.slice(from).join('\n')}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    }),
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

/** The UDP sockets (IPv4 and IPv6) this process holds, by inode: /proc/self/fd against /proc/net/udp{,6}. */
export function ownUdpSockets(): Set<string> {
  const mine = new Set<string>();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
      if (m?.[1]) mine.add(m[1]);
    } catch {
      /* the fd closed while we looked */
    }
  }
  const udp = new Set<string>();
  for (const table of ['/proc/net/udp', '/proc/net/udp6']) {
    for (const row of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const inode = row.trim().split(/\s+/)[9];
      if (inode !== undefined && mine.has(inode)) udp.add(inode);
    }
  }
  return udp;
}
