/**
 * A reference for the proxy benches, not a proxy: relays bytes between each client connection and its own
 * connection to the backend, without parsing HTTP or routing. What it reaches is roughly the most any proxy
 * process can reach on the machine, since it pays the same extra hop (two reads, two writes, wake-ups) and
 * nothing else. argv[2]: the backend's port. stdout: its own port, once listening.
 */
import net from 'node:net';

const backendPort = Number(process.argv[2]);
const server = net.createServer({ noDelay: true }, (client) => {
  const backend = net.connect({ port: backendPort, host: '127.0.0.1', noDelay: true });
  client.pipe(backend).on('error', () => client.destroy());
  backend.pipe(client).on('error', () => backend.destroy());
  client.on('error', () => backend.destroy());
  backend.on('error', () => client.destroy());
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as net.AddressInfo).port}\n`));
