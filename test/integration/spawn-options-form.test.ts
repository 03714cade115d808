/**
 * Spawner.options_form and options_from_form through the spawn page, as pages.py SpawnHandler runs them: the
 * callable form and an async options_from_form that gets the spawner; a hook that throws shows the form again
 * with its error (200), not a server error; query arguments on GET /hub/spawn are options too
 * (options_from_query) and start the server at once. The options land in spawners.user_options.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildStandin } from '../../bench/standin/standin.js';
import { createUsers, getUserByName } from '../../src/daemon/db/users-repo.js';
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

const TEAM_AUTHENTICATOR = `
export default class TeamAuthenticator {
  async authenticate({ username }) {
    return { name: username, auth_state: { team: 'team-' + username } };
  }
}
`;

/** A Python hook set ported as written: auth_state_hook feeds the form, the form's own object reaches options_from_form. */
const TEAM_CONFIG = (standin: string, home: string, templates: string): string => `
const calls = (globalThis.teamFormCalls = []);
export default {
  JupyterHub: { authenticator_class: './team-auth.mjs', spawner_class: 'simple', template_paths: [${JSON.stringify(templates)}] },
  Authenticator: { enable_auth_state: true, admin_users: ['ada'] },
  Spawner: {
    cmd: [${JSON.stringify(standin)}],
    auth_state_hook: (spawner, auth_state) => { calls.push('auth_state:' + spawner.user.name); spawner.team = auth_state ? auth_state.team : 'no-team'; },
    options_form: (spawner) => '<input name="size" data-team="' + spawner.team + '">',
    options_from_form: (form, spawner) => {
      if (form.size?.[0] === 'huge') throw new Error('size must be small or big');
      const upload = form.upload_file?.[0];
      return {
        size: form.size?.[0],
        team: spawner.team,
        upload: upload && { filename: upload.filename, content_type: upload.content_type, text: upload.body.toString('utf8') },
      };
    },
  },
  SimpleLocalProcessSpawner: { home_dir_template: ${JSON.stringify(path.join(home, '{username}'))} },
};
`;

/** A multipart/form-data body as a browser sends JupyterHub 3.0's spawn form (enctype="multipart/form-data"). */
async function multipart(fields: Record<string, string>, files: Record<string, { name: string; type: string; text: string }> = {}): Promise<{ body: string; type: string }> {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) fd.append(k, v);
  for (const [k, f] of Object.entries(files)) fd.append(k, new Blob([f.text], { type: f.type }), f.name);
  const req = new Request('http://form.invalid/', { method: 'POST', body: fd });
  return { body: Buffer.from(await req.arrayBuffer()).toString('latin1'), type: req.headers.get('content-type') ?? '' };
}

test("JupyterHub 3.0's spawn.html in template_paths: auth_state_hook before options_form, the form's spawner in options_from_form, a multipart upload as <name>_file", { timeout: 60_000 }, async () => {
  const dir = await tempDir();
  const templates = path.join(dir, 'templates');
  await mkdir(templates);
  // JupyterHub 3.0's own spawn.html, unchanged: it extends page.html (hub's) and reads for_user.name, url,
  // error_message and spawner_options_form, and posts multipart/form-data without an _xsrf field.
  await copyFile('/usr/share/jupyterhub/templates/spawn.html', path.join(templates, 'spawn.html'));
  await writeFile(path.join(dir, 'team-auth.mjs'), TEAM_AUTHENTICATOR);
  await writeFile(path.join(dir, 'hub.config.mjs'), TEAM_CONFIG(await buildStandin(), path.join(dir, 'home'), templates));
  const t = await startTestHub({ dir, withProxy: true, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', JUPYTERHUB_CRYPT_KEY: randomBytes(32).toString('hex') } });
  const calls = (globalThis as { teamFormCalls?: string[] }).teamFormCalls ?? assert.fail('the config file was not loaded');
  try {
    const b = new HttpBrowser(t.status.public_url.replace(/\/$/, ''));
    assert.equal((await b.login('/hub/', 'ada', 'x')).status, 302);
    const form = await b.get('/hub/spawn');
    assert.equal(form.status, 200, form.text);
    assert.match(form.text, /enctype="multipart\/form-data" id="spawn_form" action="\/hub\/spawn"/, "JupyterHub's template rendered");
    assert.match(form.text, /<input name="size" data-team="team-ada">/, 'auth_state_hook ran before options_form, on the same spawner');
    assert.doesNotMatch(form.text, /Spawning server for/, 'for_user.name is the user: no "for someone else" line');
    assert.deepEqual(calls, ['auth_state:ada']);

    const refused = await multipart({ size: 'huge' });
    const again = await b.request('POST', '/hub/spawn', { headers: { 'content-type': refused.type }, body: refused.body });
    assert.equal(again.status, 200, again.text);
    assert.match(again.text, /Error: size must be small or big/, "error_message in JupyterHub's template");

    const posted = await multipart({ size: 'big' }, { upload: { name: 'notes.txt', type: 'text/plain', text: 'hello file\n' } });
    const started = await b.request('POST', '/hub/spawn', { headers: { 'content-type': posted.type }, body: posted.body });
    assert.equal(started.status, 302, started.text);
    await settle(t, 'ada');
    assert.deepEqual(await userOptions(t, 'ada'), {
      size: 'big', team: 'team-ada', upload: { filename: 'notes.txt', content_type: 'text/plain', text: 'hello file\n' },
    });

    // An admin starting bo's server: for_user is bo, user is ada, and bo (no auth_state) gets the hook's null.
    const bo = await b.get('/hub/spawn/bo');
    assert.equal(bo.status, 404, 'no such user yet');
    await createUsers(t.hub.db!, ['bo']);
    const boForm = await b.get('/hub/spawn/bo');
    assert.equal(boForm.status, 200, boForm.text);
    assert.match(boForm.text, /Spawning server for bo/);
    assert.match(boForm.text, /data-team="no-team"/);
    assert.match(boForm.text, /action="\/hub\/spawn\/bo"/);
    const ada = await getUserByName(t.hub.db!, 'ada');
    await t.hub.servers.stop(ada!, '');
  } finally {
    await t.stop();
  }
});
