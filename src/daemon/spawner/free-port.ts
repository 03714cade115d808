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
 * Ports handed to servers that may not have bound them yet. The kernel knows a port is taken only once its
 * server listens, and in a storm a server may wait a second or more to be started: meanwhile another spawn's
 * freePort could be given the same port, and one of the two servers would fail to bind. A port stays here from
 * the moment it is picked until its spawn is over (ready, then bound; or failed).
 */
const reserved = new Set<number>();

export async function reservePort(host = '127.0.0.1'): Promise<{ port: number; release: () => void }> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = await freePort(host);
    if (reserved.has(port)) continue;
    reserved.add(port);
    return { port, release: () => reserved.delete(port) };
  }
  throw new Error(`no free port on ${host} that is not already promised to a starting server`);
}
