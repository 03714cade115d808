/**
 * JupyterHub 3.0's own page templates, copied unchanged into template_paths (as admins copy them to customise a
 * page), rendered by a real hub with the variables JupyterHub's handlers pass: home.html (user.all_spawners(),
 * user.server_url(), spawner.last_activity.isoformat()), token.html (token.api_id, datetimes' isoformat(), Jinja's
 * `block ... scoped`), spawn_pending.html and not_running.html (`user` is the server's owner), spawn.html
 * (for_user.name). Each page must render its JupyterHub markup with the right values, not a 500.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildStandin } from '../../bench/standin/standin.js';
import { toDbTimestamp } from '../../src/daemon/db/timestamps.js';
import { createToken } from '../../src/daemon/db/tokens-repo.js';
import { getUserByName } from '../../src/daemon/db/users-repo.js';
import { HttpBrowser } from '../helpers/browser.js';
import { tempDir } from '../helpers/cli.js';
import { startTestHub } from '../helpers/hub.js';

const JUPYTERHUB_TEMPLATES = '/usr/share/jupyterhub/templates';

test("JupyterHub 3.0's home, token, spawn, spawn_pending and not_running templates render through template_paths", { timeout: 60_000 }, async () => {
  const dir = await tempDir();
  const templates = path.join(dir, 'templates');
  await mkdir(templates);
  for (const name of ['home.html', 'token.html', 'spawn.html', 'spawn_pending.html', 'not_running.html']) await copyFile(path.join(JUPYTERHUB_TEMPLATES, name), path.join(templates, name));
  const standin = await buildStandin();
  await writeFile(path.join(dir, 'hub.config.mjs'), `
let release;
globalThis.templatesGate = new Promise((resolve) => (release = resolve));
globalThis.templatesRelease = () => release();
export default {
  JupyterHub: { authenticator_class: 'dummy', spawner_class: 'simple', allow_named_servers: true, template_paths: [${JSON.stringify(templates)}] },
  Authenticator: { admin_users: ['ada'] },
  Spawner: {
    cmd: [${JSON.stringify(standin)}],
    options_form: (spawner) => spawner.name === 'formed' ? '<input name="size">' : '',
    // The spawn of 'slow' waits for the test, so its spawn-pending page can be seen.
    pre_spawn_hook: async (spawner) => { if (spawner.name === 'slow') await globalThis.templatesGate; },
  },
  LocalProcessSpawner: { interrupt_timeout: 1 },
  SimpleLocalProcessSpawner: { home_dir_template: ${JSON.stringify(path.join(dir, 'home', '{username}'))} },
};
`);
  const t = await startTestHub({ dir, withProxy: true, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  const g = globalThis as { templatesRelease?: () => void };
  try {
    const b = new HttpBrowser(t.status.public_url.replace(/\/$/, ''));
    assert.equal((await b.login('/hub/', 'ada', 'x')).status, 302);
    const ada = await getUserByName(t.hub.db!, 'ada');
    assert.ok(ada);

    // A named server that has run (it has last_activity) and a stopped one.
    assert.equal(await t.hub.servers.start(ada, 'lab', {}), 'ready');
    await t.hub.db!('spawners').where({ user_id: ada.id, name: 'lab' }).update({ last_activity: toDbTimestamp(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678))) });
    const home = await b.get('/hub/home');
    assert.equal(home.status, 200, t.logs.slice(-8).join('\n'));
    assert.match(home.text, /<tr class="home-server-row" data-server-name="lab">/, 'user.all_spawners(include_default=False) lists the named server');
    assert.match(home.text, /href="\/user\/ada\/lab">\s*\/user\/ada\/lab\s*<\/a>/, 'user.server_url(name): no trailing slash for a named server');
    assert.match(home.text, /2024-01-02T03:04:05\.678000Z/, 'spawner.last_activity.isoformat() + "Z"');
    assert.doesNotMatch(home.text, /id="stop-"/, 'include_default=False leaves the default server out');
    await t.hub.servers.stop(ada, 'lab');

    const { row } = await createToken(t.hub.db!, { userId: ada.id }, { note: 'for the test' });
    await t.hub.db!('api_tokens').where({ id: row.id }).update({ created: toDbTimestamp(new Date(Date.UTC(2023, 5, 6, 7, 8, 9))) });
    const tokens = await b.get('/hub/token');
    assert.equal(tokens.status, 200, tokens.text);
    assert.match(tokens.text, new RegExp(`data-token-id="a${row.id}"`), 'token.api_id inside a scoped block');
    assert.match(tokens.text, /for the test/);
    assert.match(tokens.text, /2023-06-06T07:08:09Z/, 'token.created.isoformat() + "Z"');

    // spawn_pending.html while 'slow' waits in its pre_spawn_hook.
    const spawn = await b.get('/hub/spawn/ada/slow');
    assert.equal(spawn.status, 302, spawn.text);
    const pending = await b.get('/hub/spawn-pending/ada/slow');
    assert.equal(pending.status, 200, pending.text);
    assert.match(pending.text, /new EventSource\("\/hub\/api\/users\/ada\/servers\/slow\/progress"\)/);
    g.templatesRelease?.();

    // not_running.html for a stopped named server.
    const stopped = await b.get('/hub/user/ada/lab/tree');
    assert.equal(stopped.status, 424, stopped.text);
    assert.match(stopped.text, /Your server lab is not running/);
    assert.match(stopped.text, /href="\/hub\/spawn\/ada\/lab\?next=/);

    const form = await b.get('/hub/spawn/ada/formed');
    assert.equal(form.status, 200, form.text);
    assert.match(form.text, /<input name="size">/);
    assert.doesNotMatch(form.text, /Spawning server for/);
  } finally {
    g.templatesRelease?.();
    await t.stop();
  }
});
