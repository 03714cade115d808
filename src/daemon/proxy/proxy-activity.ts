/**
 * Route activity, recorded the way CHP records it (lib/configproxy.js handleProxy):
 * - every chunk the client sends: the request body of a web request, every frame a websocket client sends
 *   (CHP listens for `data` on the request and on the client socket; the response of a web request never
 *   emits `data`, so what a backend sends does not count);
 * - the end of a web request, but only when its status is below 300: 404s, redirects and 503s from a dead
 *   backend must not make a server look used.
 * Web requests are recorded by web-forward.ts in the listeners it needs anyway (the response's `close`, the
 * body's `data` only when there is a body), which saves two listener registrations per request on the hot
 * path. Websockets are recorded here: a shared listener reads the route from a tag on the socket, so a frame
 * costs one Date.now() and one store, never an allocation.
 */
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

export function trackWsActivity(socket: Duplex, route: RouteEntry): void {
  (socket as Duplex & Tagged)[ROUTE] = route;
  socket.on('data', touch);
}
