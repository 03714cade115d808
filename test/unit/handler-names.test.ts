import { test } from 'node:test';
import assert from 'node:assert/strict';
import { handlerName } from '../../src/daemon/metrics/handler-names.js';

test('route patterns map to the JupyterHub handler class of the same URL; optional parameters too; hub\'s own keep their route', () => {
  assert.equal(handlerName('api/users/:name/servers/:server*'), 'jupyterhub.apihandlers.users.UserServerAPIHandler');
  assert.equal(handlerName('api/users/:name/tokens/:id*'), 'jupyterhub.apihandlers.users.UserTokenAPIHandler');
  assert.equal(handlerName('spawn-pending/:user/:server'), 'jupyterhub.handlers.pages.SpawnPendingHandler');
  assert.equal(handlerName('static/:a/:b'), 'jupyterhub.handlers.static.CacheControlStaticFilesHandler');
  assert.equal(handlerName('ext/users/:name/block'), 'hub.ext/users/:name/block');
});
