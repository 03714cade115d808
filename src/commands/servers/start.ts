import { Args, Flags } from '@oclif/core';
import { HubCommand } from '../../cli/base-command.js';
import { describeServer, parseServerRef } from '../../cli/server-ref.js';
import { HubError } from '../../lib/errors.js';
import { followProgress, getServer, startServer } from '../../lib/client/queries.js';
import type { ProgressEvent } from '../../lib/client/models.js';
import { progressLine } from '../../ui/format.js';

interface StartResult {
  user: string;
  name: string;
  state: 'ready' | 'pending' | 'failed';
  url: string | null;
  message: string;
  events: ProgressEvent[];
}

export default class ServersStart extends HubCommand<typeof ServersStart> {
  static override summary = "Start a user's server (USER, or USER/NAME for a named one); --wait follows it until ready.";

  static override description = `POST /hub/api/users/USER/server (or /servers/NAME). The hub answers once the server is ready or after a short wait (then it keeps starting).
--wait follows GET .../progress (the spawn's event stream), printing each step on stderr, and exits non-zero if the spawn fails.
A spawn refused at concurrent_spawn_limit or active_server_limit (HTTP 429) fails with exit code 19 and the hub's Retry-After.`;

  static override examples = ['<%= config.bin %> servers start alice', '<%= config.bin %> servers start alice/gpu --wait', '<%= config.bin %> servers start alice --wait --json'];

  static override enableJsonFlag = true;

  static override args = {
    server: Args.string({ description: 'USER or USER/NAME.', required: true }),
  };

  static override flags = {
    wait: Flags.boolean({ char: 'w', summary: 'Follow the spawn until the server is ready (or failed).' }),
  };

  async run(): Promise<StartResult> {
    const ref = parseServerRef(this.args.server);
    const client = await this.client();
    const what = describeServer(ref);
    const started = await startServer(client, ref.user, ref.name);
    if (started === 'ready') {
      const { url } = await getServer(client, ref.user, ref.name);
      this.log(`${what} is ready at ${url}`);
      return { user: ref.user, name: ref.name, state: 'ready', url, message: `Server ready at ${url}`, events: [] };
    }
    if (!this.flags.wait) {
      this.log(`${what} is starting; follow it with: hub servers start ${this.args.server} --wait`);
      return { user: ref.user, name: ref.name, state: 'pending', url: null, message: 'Server requested', events: [] };
    }
    const events: ProgressEvent[] = [];
    const final = await followProgress(client, ref.user, ref.name, (e) => {
      events.push(e);
      if (!this.jsonEnabled()) this.logToStderr(progressLine(e));
    });
    const result: StartResult = { user: ref.user, name: ref.name, state: final.ready ? 'ready' : 'failed', url: final.url, message: final.message, events };
    if (final.failed) return this.finishBatch(result, new HubError('API_ERROR', `${what} failed to start: ${final.message}`));
    this.log(`${what} is ready at ${final.url ?? '?'}`);
    return result;
  }
}
