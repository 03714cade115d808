/**
 * Route activity, recorded the way CHP records it (lib/configproxy.js handleProxy):
 * - every chunk the client sends: the request body of a web request, every frame a websocket client sends
 *   (CHP listens for `data` on the request and on the client socket; the response of a web request never
 *   emits `data`, so what a backend sends does not count);
 * - the end of a web request, but only when its status is below 300: 404s, redirects and 503s from a dead
 *   backend must not make a server look used.
 * The listeners are shared functions that read the route from a tag on the emitter, so a request costs two
 * listener registrations and a chunk costs one Date.now() and one store, never an allocation.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { RouteEntry } from './route-table.js';

const ROUTE = Symbol('proxy.route');

interface Tagged {
  [ROUTE]?: RouteEntry;
}

function touch(this: Tagged): void {
  const route = this[ROUTE];
  if (route !== undefined) route.lastActivity = Date.now();
}

function touchIfSuccessful(this: ServerResponse & Tagged): void {
  if (this.statusCode < 300) touch.call(this);
}

export function trackWebActivity(req: IncomingMessage, res: ServerResponse, route: RouteEntry): void {
  (req as IncomingMessage & Tagged)[ROUTE] = route;
  (res as ServerResponse & Tagged)[ROUTE] = route;
  req.on('data', touch);
  res.on('finish', touchIfSuccessful);
}

export function trackWsActivity(socket: Duplex, route: RouteEntry): void {
  (socket as Duplex & Tagged)[ROUTE] = route;
  socket.on('data', touch);
}
