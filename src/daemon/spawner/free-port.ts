import { readFileSync } from 'node:fs';
import net from 'node:net';

/** A port nothing listens on right now (JupyterHub's random_port): bind port 0, read it, release it. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Ports for servers. freePort's port comes from the kernel's ephemeral range, which outgoing connections use too:
 * in a storm (a thousand clients connected, readiness probes, proxy calls) a port picked for a server that has not
 * bound it yet is soon the source port of some connection, and the server fails with "Address already in use".
 * So servers get ports above that range (outgoing connections never take those, and unlike the ports below it,
 * no well-known service, nor the hub's own 8000/8081 while restarting, lives there), checked free by binding them,
 * and each stays reserved here from the moment it is picked until its spawn is over (ready, so bound; or failed),
 * so two starting servers never get the same one. JupyterHub's random_port makes no such distinction.
 */
const reserved = new Set<number>();

/** net.ipv4.ip_local_port_range; Linux's default when it cannot be read. */
function ephemeralRange(): [number, number] {
  try {
    const [lo, hi] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (lo !== undefined && hi !== undefined && Number.isInteger(lo) && Number.isInteger(hi) && lo <= hi) return [lo, hi];
  } catch {
    /* not Linux, or no /proc */
  }
  return [32768, 60999];
}

/** A random port above the ephemeral range, or null if it reaches 65535. */
function above([, hi]: [number, number]): number | null {
  const count = 65535 - hi;
  return count > 0 ? hi + 1 + Math.floor(Math.random() * count) : null;
}

function bindable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

export async function reservePort(host = '127.0.0.1'): Promise<{ port: number; release: () => void }> {
  const range = ephemeralRange();
  for (let attempt = 0; attempt < 100; attempt++) {
    // Above the ephemeral range while we find free ports there (4,536 by default); the kernel's pick after that.
    const candidate = attempt < 50 ? above(range) : null;
    const port = candidate !== null ? (await bindable(host, candidate) ? candidate : 0) : await freePort(host);
    if (port === 0 || reserved.has(port)) continue;
    reserved.add(port);
    return { port, release: () => reserved.delete(port) };
  }
  throw new Error(`no free port on ${host} that is not already promised to a starting server`);
}
