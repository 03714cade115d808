/**
 * The proxy's own connection pools to backends. Keep-alive saves a TCP (and TLS) handshake per request, which
 * upstream node-http-proxy users measured as the largest cost of proxying (node-http-proxy#1058); CHP 5.x does
 * the same but by replacing http.globalAgent, which we never touch: other code in the process keeps its own.
 */
import http from 'node:http';
import https from 'node:https';

export interface BackendAgents {
  http: http.Agent;
  https: https.Agent;
}

export function createBackendAgents(): BackendAgents {
  // LIFO hands out the most recently used socket, which is the one least likely to have been closed by the
  // backend's own idle timeout; unused sockets then age out instead of being kept warm in rotation.
  const options = { keepAlive: true, scheduling: 'lifo' as const };
  return { http: new http.Agent(options), https: new https.Agent(options) };
}

export function destroyBackendAgents(agents: BackendAgents): void {
  agents.http.destroy();
  agents.https.destroy();
}
