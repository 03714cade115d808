/**
 * The request log, as JupyterHub's log_request: `<status> <method> <uri>[ -> <location>] (<user>@<ip>) <ms>ms`,
 * its level from the status, secrets scrubbed from the URI.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scrubUri } from '../../src/daemon/api/access-log.js';
import { createToken } from '../../src/daemon/db/tokens-repo.js';
import { createUsers } from '../../src/daemon/db/users-repo.js';
import { HttpBrowser } from '../helpers/browser.js';
import { request, startTestHub } from '../helpers/hub.js';

test('scrubUri is log.py _scrub_uri: token-like query parameters and authorization paths are [secret]', () => {
  assert.equal(scrubUri('/hub/api/users?offset=2'), '/hub/api/users?offset=2');
  assert.equal(scrubUri('/user/ada/?token=abc&x=1'), '/user/ada/?token=[secret]&x=1');
  assert.equal(scrubUri('/hub/oauth_callback?code=c0de&state=s7&flag'), '/hub/oauth_callback?code=[secret]&state=[secret]&flag');
  assert.equal(scrubUri('/x?api_key=1&authorization=2&access_token=3'), '/x?api_key=[secret]&authorization=[secret]&access_token=[secret]');
  assert.equal(scrubUri('/hub/login?next=%2Fhub%2Fhome%3Ftoken%3Dabc%26x%3D1'), `/hub/login?next=${encodeURIComponent('/hub/home?token=[secret]&x=1')}`);
  assert.equal(scrubUri('/hub/login?next=%2Fhub%2Fhome%3Fx%3D1'), '/hub/login?next=%2Fhub%2Fhome%3Fx%3D1');
  assert.equal(scrubUri('/hub/api/authorizations/token/abcdef'), '/hub/api/authorizations/token/[secret]');
  assert.equal(scrubUri('/hub/api/authorizations/cookie/jupyterhub-services/s3cr3t?x=1'), '/hub/api/authorizations/cookie/jupyterhub-services/[secret]?x=1');
});

test('every request is one line: level by status, the caller, redirects with their target, static files at debug', async () => {
  const t = await startTestHub({ overrides: ['JupyterHub.authenticator_class=dummy'] });
  try {
    const hub = new URL(t.status.hub_url).origin;
    const [ada] = await createUsers(t.hub.db!, ['ada']);
    const { token } = await createToken(t.hub.db!, { userId: ada!.id });
    await request({ url: `${hub}/hub/api/users/ada`, headers: { authorization: `token ${token}` } });
    await request({ url: `${hub}/hub/api/users` });
    await request({ url: `${hub}/hub/home?token=${token}` });
    await request({ url: `${hub}/hub/` });
    await request({ url: `${hub}/hub/health` });
    const lines = (re: RegExp): string[] => t.logs.filter((l) => re.test(l));
    assert.equal(lines(/^INFO 200 GET \/hub\/api\/users\/ada \(ada@127\.0\.0\.1\) \d+\.\d\dms$/).length, 1, t.logs.join('\n'));
    assert.equal(lines(/^WARNING 403 GET \/hub\/api\/users \(@127\.0\.0\.1\) \d+\.\d\dms$/).length, 1, t.logs.join('\n'));
    // Pages take no token (JupyterHub 3.0: only the API and /user/ do): to the login page, the token out of the log.
    assert.equal(lines(/^INFO 302 GET \/hub\/home\?token=\[secret\] -> \/hub\/login\?next=%2Fhub%2Fhome%3Ftoken%3D%5Bsecret%5D \(@127\.0\.0\.1\)/).length, 1, t.logs.join('\n'));
    assert.equal(lines(/^INFO 302 GET \/hub\/ -> \/hub\/login\?next=%2Fhub%2F \(@127\.0\.0\.1\)/).length, 1, t.logs.join('\n'));
    assert.equal(lines(/^DEBUG 200 GET \/hub\/health \(@127\.0\.0\.1\)/).length, 1, t.logs.join('\n'));
    assert.ok(!t.logs.some((l) => l.includes(token)), 'the token never reaches the log');
  } finally {
    await t.stop();
  }
});

test('the caller in the line is whom the handler knows (JupyterHub\'s handler.current_user): a page\'s cookie user, never a token the page ignores', async () => {
  const t = await startTestHub({ overrides: ['JupyterHub.authenticator_class=dummy'] });
  try {
    const hub = new URL(t.status.hub_url).origin;
    const [ada] = await createUsers(t.hub.db!, ['ada']);
    const { token } = await createToken(t.hub.db!, { userId: ada!.id });
    const auth = { authorization: `token ${token}` };
    const b = new HttpBrowser(hub);
    await b.login('/hub/', 'bea', 'pw');
    await b.get('/hub/home', auth);
    await b.get('/hub/nope', auth);
    await request({ url: `${hub}/hub/api/oauth2/authorize?client_id=x`, headers: auth });
    await request({ url: `${hub}/hub/user-redirect/tree`, headers: auth });
    await request({ url: `${hub}/user/ada/tree`, headers: auth });
    await request({ url: `${hub}/hub/user/ada/api/contents`, headers: auth });
    await request({ url: `${hub}/hub/api/nope`, headers: auth });
    await request({ url: `${hub}/hub/api/users`, method: 'PUT', headers: auth });
    const line = (re: RegExp): void => assert.equal(t.logs.filter((l) => re.test(l)).length, 1, `${re}\n${t.logs.join('\n')}`);
    line(/^INFO 200 GET \/hub\/home \(bea@127\.0\.0\.1\)/);
    line(/^WARNING 404 GET \/hub\/nope \(bea@127\.0\.0\.1\)/);
    line(/^INFO 302 GET \/hub\/api\/oauth2\/authorize\?client_id=x -> \S+ \(@127\.0\.0\.1\)/);
    line(/^INFO 302 GET \/hub\/user-redirect\/tree -> \S+ \(@127\.0\.0\.1\)/);
    line(/^INFO 302 GET \/user\/ada\/tree -> \/hub\/user\/ada\/tree \(@127\.0\.0\.1\)/);
    // The handlers that take tokens: UserUrlHandler, the API (its 404 and 405 too).
    line(/^WARNING 424 GET \/hub\/user\/ada\/api\/contents \(ada@127\.0\.0\.1\)/);
    line(/^WARNING 404 GET \/hub\/api\/nope \(ada@127\.0\.0\.1\)/);
    line(/^WARNING 405 PUT \/hub\/api\/users \(ada@127\.0\.0\.1\)/);
  } finally {
    await t.stop();
  }
});
