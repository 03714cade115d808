import { Args, Flags } from '@oclif/core';
import { HubCommand, confirmFlags } from '../../cli/base-command.js';
import { parseDuration } from '../../cli/duration.js';
import { describeServer, formatServerRef, parseServerRef } from '../../cli/server-ref.js';
import { HubError } from '../../lib/errors.js';
import { batchFailure, runBatch } from '../../lib/client/batch.js';
import { getServer, idleServers, listServers, stopServer } from '../../lib/client/queries.js';
import type { HubClient } from '../../lib/client/hub-client.js';
import { outcomeRows, renderOutcomes, type OutcomeRow } from '../../ui/batch-table.js';
import { preview } from '../../ui/format.js';

type Target = { user: string; name: string };

export default class ServersStop extends HubCommand<typeof ServersStop> {
  static override summary = 'Stop one server (USER or USER/NAME), the idle ones (--idle-for 2h), or all (--all); asks first.';

  static override description = `DELETE /hub/api/users/USER/server (or /servers/NAME) for each target, a few at a time. "stopping" means the hub is still waiting for a slow server to exit.
--idle-for stops running servers without activity for that long (see them first with hub servers ls --idle-for); --all stops every running server. Servers still spawning are skipped.
On a terminal it asks; elsewhere it needs --answer-yes (or --force). --dry-run shows the targets and stops nothing.`;

  static override examples = [
    '<%= config.bin %> servers stop alice',
    '<%= config.bin %> servers stop alice/gpu --answer-yes',
    '<%= config.bin %> servers stop --idle-for 2h --dry-run',
    '<%= config.bin %> servers stop --idle-for 2h --answer-yes',
    '<%= config.bin %> servers stop --all',
  ];

  static override enableJsonFlag = true;

  static override args = {
    server: Args.string({ description: 'USER or USER/NAME.' }),
  };

  static override flags = {
    ...confirmFlags,
    'idle-for': Flags.string({ summary: 'Stop running servers without activity for this long (e.g. 2h, 30m, 1d).', exclusive: ['all'] }),
    all: Flags.boolean({ summary: 'Stop every running server.', exclusive: ['idle-for'] }),
    'dry-run': Flags.boolean({ summary: 'Only list what would be stopped.' }),
  };

  async run(): Promise<OutcomeRow[]> {
    const client = await this.client();
    const { targets, what } = await this.targets(client);
    if (targets.length === 0) {
      this.log(this.args.server !== undefined ? what : `no servers to stop (${what})`);
      return [];
    }
    if (this.flags['dry-run']) {
      const rows = targets.map((t) => ({ target: formatServerRef(t), ok: true, result: 'would stop' }));
      this.log(renderOutcomes('SERVER', rows, this.width()));
      return rows;
    }
    const single = targets.length === 1 && this.args.server !== undefined;
    const count = `${targets.length} server${targets.length === 1 ? '' : 's'}`;
    await this.confirmAction(single ? `Stop ${describeServer(targets[0] as Target)}?` : `Stop ${count} (${what}): ${preview(targets.map(formatServerRef))}?`);
    const results = await runBatch(targets, async (t) => ((await stopServer(client, t.user, t.name)) === 'stopped' ? 'stopped' : 'stopping'));
    const rows = outcomeRows(results, formatServerRef);
    this.log(renderOutcomes('SERVER', rows, this.width()));
    return this.finishBatch(rows, batchFailure(results, 'stops'));
  }

  private async targets(client: HubClient): Promise<{ targets: Target[]; what: string }> {
    const { server } = this.args;
    const idle = this.flags['idle-for'];
    const chosen = [server !== undefined, idle !== undefined, this.flags.all].filter(Boolean).length;
    if (chosen !== 1) throw new HubError('USAGE', 'which servers? give USER[/NAME], --idle-for DURATION, or --all (one of them)');
    if (server !== undefined) {
      // Unknown users and servers fail before the prompt; a server that is not running is nothing to do.
      const ref = parseServerRef(server);
      const row = await getServer(client, ref.user, ref.name);
      return { targets: row.state === 'stopped' ? [] : [ref], what: `${describeServer(ref)} is not running` };
    }
    const running = (await listServers(client)).filter((r) => r.state === 'ready' || r.state === 'unready');
    if (idle !== undefined) return { targets: idleServers(running, parseDuration(idle, '--idle-for')), what: `idle for more than ${idle}` };
    return { targets: running, what: 'all running' };
  }
}
