import { Args } from '@oclif/core';
import { HubCommand, confirmFlags } from '../../cli/base-command.js';
import { describeServer, parseServerRef } from '../../cli/server-ref.js';
import { HubError } from '../../lib/errors.js';
import { getServer, removeServer } from '../../lib/client/queries.js';

export default class ServersRm extends HubCommand<typeof ServersRm> {
  static override summary = 'Remove a named server (USER/NAME): stop it if it runs and delete its record (asks first).';

  static override description = `DELETE /hub/api/users/USER/servers/NAME with {"remove": true}. The default server cannot be removed, only stopped.
On a terminal it asks; elsewhere it needs --answer-yes (or --force).`;

  static override examples = ['<%= config.bin %> servers rm alice/gpu', '<%= config.bin %> servers rm alice/gpu --answer-yes'];

  static override enableJsonFlag = true;

  static override args = {
    server: Args.string({ description: 'USER/NAME.', required: true }),
  };

  static override flags = { ...confirmFlags };

  async run(): Promise<{ user: string; name: string; result: string }> {
    const ref = parseServerRef(this.args.server);
    if (ref.name === '') throw new HubError('USAGE', 'the default server cannot be removed, only stopped', { hint: `hub servers stop ${ref.user}` });
    const client = await this.client();
    // Unknown users and servers fail before the prompt.
    await getServer(client, ref.user, ref.name);
    await this.confirmAction(`Remove ${describeServer(ref)}, stopping it if it runs?`);
    const result = await removeServer(client, ref.user, ref.name);
    this.log(`${describeServer(ref)}: ${result === 'removed' ? 'removed' : 'stopping; it is removed once stopped'}`);
    return { user: ref.user, name: ref.name, result };
  }
}
