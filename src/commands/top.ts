import { render } from 'ink';
import { createElement } from 'react';
import { HubCommand } from '../cli/base-command.js';
import { socketTopSource } from '../cli/top-source.js';
import { getPressure, listServers, type ServerRow } from '../lib/client/queries.js';
import type { PressureSnapshot } from '../lib/client/pressure-model.js';
import { renderSnapshot } from '../ui/top/snapshot.js';
import { TopApp } from '../ui/top/top-app.js';

/** The alternate screen, as top and htop use it: the shell's scrollback is untouched when the dashboard quits. */
const ENTER_ALT_SCREEN = '\x1b[?1049h\x1b[H';
const LEAVE_ALT_SCREEN = '\x1b[?1049l';

export default class Top extends HubCommand<typeof Top> {
  static override summary = 'Live dashboard: active users, servers, and spawn pressure, with a server list to stop from.';

  static override description = `Pushed by the daemon (GET /hub/ext/events on the control socket), not polled: users active within active_user_window; running, pending and stopping servers; pending spawns against concurrent_spawn_limit, active servers against active_server_limit; spawns per minute, p50/p95 time to ready, 429s and failed spawns in the last 5 minutes, with sparklines.
The server list (sortable, filterable) is re-read on each push, at most once a second. Keys: up/down or j/k select, s sort, r reverse, / filter, x stop the selected server (asks y/n), q quit.
Without a terminal it prints one snapshot and exits; --json prints {pressure, servers}.`;

  static override examples = ['<%= config.bin %> top', '<%= config.bin %> top --json', '<%= config.bin %> top | head -8'];

  static override enableJsonFlag = true;

  async run(): Promise<{ pressure: PressureSnapshot; servers: ServerRow[] }> {
    const client = await this.client();
    if (this.jsonEnabled() || !process.stdout.isTTY || !process.stdin.isTTY) {
      const [pressure, servers] = await Promise.all([getPressure(client), listServers(client)]);
      this.log(renderSnapshot(pressure, servers, this.width()));
      return { pressure, servers };
    }
    // Fail before taking over the screen if the hub is not there.
    const pressure = await getPressure(client);
    process.stdout.write(ENTER_ALT_SCREEN);
    try {
      const app = render(createElement(TopApp, { source: socketTopSource(client) }), { patchConsole: false });
      await app.waitUntilExit();
    } finally {
      process.stdout.write(LEAVE_ALT_SCREEN);
    }
    return { pressure, servers: [] };
  }
}
