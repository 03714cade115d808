/**
 * The whole browser login to a real jupyterhub-singleuser 3.0 (Debian), through our proxy: the server sends the
 * browser to authorize, the hub (login cookie) sends it back with a code, the server redeems the code with its
 * token, asks /hub/api/user who it is, sets its cookie, and the notebook page opens.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestHub } from '../helpers/hub.js';
import { createUnixUser } from '../helpers/unix-user.js';
import { loginCookie } from '../helpers/python-hubauth.js';
import { createUsers } from '../../src/daemon/db/users-repo.js';

/** A browser's cookie jar, path-blind (one site, distinct names). */
class Jar {
  private readonly cookies = new Map<string, string>();

  add(header: string): void {
    for (const part of header.split('; ')) {
      const eq = part.indexOf('=');
      if (eq > 0) this.cookies.set(part.slice(0, eq), part.slice(eq + 1));
    }
  }

  take(res: Response): void {
    for (const c of res.headers.getSetCookie()) {
      const [pair = ''] = c.split(';', 1);
      const eq = pair.indexOf('=');
      const maxAge0 = /;\s*Max-Age=0/i.test(c) || /expires=Thu, 01 Jan 1970/i.test(c);
      if (eq > 0) {
        if (maxAge0) this.cookies.delete(pair.slice(0, eq));
        else this.cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
      }
    }
  }

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  has(name: string): boolean {
    return this.cookies.has(name);
  }
}

test('a browser logs in to the real jupyterhub-singleuser through the hub\'s OAuth provider', async () => {
  const account = await createUnixUser();
  const t = await startTestHub({ withProxy: true, overrides: ['Spawner.http_timeout=60'] });
  try {
    const db = t.hub.db;
    assert.ok(db && t.hub.sessions);
    const [user] = await createUsers(db, [account.name]);
    assert.ok(user);
    assert.equal(await t.hub.servers.start(user, '', {}), 'ready');
    const origin = t.status.public_url.replace(/\/$/, '');
    const jar = new Jar();
    const { cookie, sessionId } = loginCookie(t.hub.sessions, user);
    jar.add(cookie);
    const go = async (pathOrUrl: string): Promise<Response> => {
      const res = await fetch(new URL(pathOrUrl, origin), { redirect: 'manual', headers: { cookie: jar.header() } });
      jar.take(res);
      return res;
    };
    const prefix = `/user/${account.name}/`;

    const start = await go(`${prefix}tree/`);
    assert.equal(start.status, 302);
    const authorizeAt = start.headers.get('location') ?? '';
    assert.ok(authorizeAt.startsWith(`/hub/api/oauth2/authorize?client_id=jupyterhub-user-${account.name}&`), authorizeAt);
    assert.ok(!new URL(authorizeAt, origin).searchParams.has('scope'), 'singleuser sends no scope');

    const back = await go(authorizeAt);
    assert.equal(back.status, 302, await back.clone().text());
    const callback = back.headers.get('location') ?? '';
    assert.ok(callback.startsWith(`${prefix}oauth_callback?code=`), callback);
    assert.equal(new URL(callback, origin).searchParams.get('state'), new URL(authorizeAt, origin).searchParams.get('state'));

    const done = await go(callback);
    assert.equal(done.status, 302, await done.clone().text());
    assert.ok((done.headers.get('location') ?? '').startsWith(`${prefix}tree/`), done.headers.get('location') ?? '');
    assert.ok(jar.has(`jupyterhub-user-${account.name}`), 'the server set its login cookie');

    const tree = await go(done.headers.get('location') ?? '');
    assert.equal(tree.status, 200);
    assert.match(await tree.text(), /<title>.*(Home|Files|Jupyter).*<\/title>/is);

    const rows = await db('api_tokens').where({ user_id: user.id, client_id: `jupyterhub-user-${account.name}` }).select('session_id');
    assert.deepEqual(rows, [{ session_id: sessionId }], 'one OAuth token, tied to the login session');
    await t.hub.servers.stop(user, '');
  } finally {
    await t.stop();
    await account.remove();
  }
});
