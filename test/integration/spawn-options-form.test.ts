/**
 * Spawner.options_form and options_from_form through the spawn page, as pages.py SpawnHandler runs them: the
 * callable form and an async options_from_form that gets the spawner; a hook that throws shows the form again
 * with its error (200), not a server error; query arguments on GET /hub/spawn are options too
 * (options_from_query) and start the server at once. The options land in spawners.user_options.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildStandin } from '../../bench/standin/standin.js';
import { getUserByName } from '../../src/daemon/db/users-repo.js';
import { HttpBrowser, xsrfFrom } from '../helpers/browser.js';
import { tempDir } from '../helpers/cli.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';

const CONFIG = (standin: string, home: string): string => `
export default {
  JupyterHub: { authenticator_class: 'dummy', spawner_class: 'simple' },
  Spawner: {
    cmd: [${JSON.stringify(standin)}],
    options_form: async (spawner) => '<input name="size" data-for="' + spawner.user.name + '">',
    options_from_form: async (form, spawner) => {
      if (form.size?.[0] === 'huge') throw new Error('size must be small or big');
      return { size: form.size?.[0], who: spawner.user.name };
    },
  },
  SimpleLocalProcessSpawner: { home_dir_template: ${JSON.stringify(path.join(home, '{username}'))} },
};
`;

async function settle(t: TestHub, user: string): Promise<void> {
  for await (const ev of t.hub.servers.progress(user, '')) if (ev.ready === true || ev.failed === true) return;
}

async function userOptions(t: TestHub, name: string): Promise<unknown> {
  const user = await getUserByName(t.hub.db!, name);
  const row = (await t.hub.db!('spawners').where({ user_id: user!.id, name: '' }).first('user_options')) as { user_options?: string } | undefined;
  return JSON.parse(row?.user_options ?? 'null');
}

test('options_form and options_from_form on the spawn page: async hooks, errors shown in the form, options from the query', { timeout: 60_000 }, async () => {
  const dir = await tempDir();
  await writeFile(path.join(dir, 'hub.config.mjs'), CONFIG(await buildStandin(), path.join(dir, 'home')));
  const t = await startTestHub({ dir, withProxy: true, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  try {
    const b = new HttpBrowser(t.status.public_url.replace(/\/$/, ''));
    assert.equal((await b.login('/hub/', 'ada', 'x')).status, 302);
    const form = await b.get('/hub/spawn');
    assert.equal(form.status, 200);
    assert.match(form.text, /<input name="size" data-for="ada">/, 'a callable options_form is called with the spawner');

    const refused = await b.post('/hub/spawn', { _xsrf: xsrfFrom(form.text), size: 'huge' });
    assert.equal(refused.status, 200, 'pages.py shows the form again');
    assert.match(refused.text, /Error: size must be small or big/);
    assert.match(refused.text, /<input name="size"/);
    assert.equal(t.hub.servers.runtime('ada', '').stopped, true, 'nothing was started');

    const posted = await b.post('/hub/spawn', { _xsrf: xsrfFrom(refused.text), size: 'big' });
    assert.equal(posted.status, 302, posted.text);
    await settle(t, 'ada');
    assert.deepEqual(await userOptions(t, 'ada'), { size: 'big', who: 'ada' });
    const ada = await getUserByName(t.hub.db!, 'ada');
    await t.hub.servers.stop(ada!, '');

    // SpawnHandler.get: query arguments (but `next`) go through options_from_query, i.e. options_from_form.
    const queried = await b.get('/hub/spawn?size=small&next=/user/ada/tree');
    assert.equal(queried.status, 302, queried.text);
    await settle(t, 'ada');
    assert.deepEqual(await userOptions(t, 'ada'), { size: 'small', who: 'ada' });
    await t.hub.servers.stop(ada!, '');

    const badQuery = await b.get('/hub/spawn?size=huge');
    assert.equal(badQuery.status, 200);
    assert.match(badQuery.text, /Error: size must be small or big/, 'a failed query spawn falls back to the form, with the error');
  } finally {
    await t.stop();
  }
});
