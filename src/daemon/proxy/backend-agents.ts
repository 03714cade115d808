/**
 * The proxy's own connection pools to backends. Keep-alive saves a TCP (and TLS) handshake per request, which
 * upstream node-http-proxy users measured as the largest cost of proxying (node-http-proxy#1058); CHP 5.x does
 * the same but by replacing http.globalAgent, which we never touch: other code in the process keeps its own.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { ClientTlsMaterial } from './proxy-tls.js';

export interface BackendAgents {
  http: http.Agent;
  https: https.Agent;
}

/**
 * A backend's certificate is checked against the host of its route target, never the client's Host header.
 * Node's agent names the TLS server after the request's Host header, which the proxy forwards unchanged: a
 * user at https://jupyter.example.org would make the proxy expect a single-user server's certificate to be
 * jupyter.example.org's and answer 503. `servername: ''` stops that (and keeps one connection pool per
 * backend whatever the public host name); createConnection then names the target itself for SNI when it is a
 * DNS name (Node refuses IP addresses as SNI; for those the check uses the address, against IP SANs).
 */
class BackendHttpsAgent extends https.Agent {
  override createConnection(options: https.RequestOptions, callback?: (err: Error | null, stream: Duplex) => void): Duplex | null | undefined {
    const host = options.host ?? options.hostname ?? '';
    return super.createConnection({ ...options, servername: net.isIP(host) === 0 ? host : '' }, callback);
  }
}

/**
 * `clientTls` (--client-ssl-*) goes on the https agent, whose options take precedence over each request's:
 * every https connection the proxy opens (to backends and to the error target) presents the proxy-client
 * certificate and trusts only the given CA. The agent also caches TLS sessions, so a new connection to a
 * known backend resumes instead of doing the full handshake.
 */
export function createBackendAgents(clientTls: ClientTlsMaterial = {}): BackendAgents {
  // LIFO hands out the most recently used socket, which is the one least likely to have been closed by the
  // backend's own idle timeout; unused sockets then age out instead of being kept warm in rotation.
  const options = { keepAlive: true, scheduling: 'lifo' as const };
  return { http: new http.Agent(options), https: new BackendHttpsAgent({ ...options, ...clientTls, servername: '' }) };
}

export function destroyBackendAgents(agents: BackendAgents): void {
  agents.http.destroy();
  agents.https.destroy();
}
