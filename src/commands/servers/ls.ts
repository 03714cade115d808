import { Flags } from '@oclif/core';
import { HubCommand } from '../../cli/base-command.js';
import { parseDuration } from '../../cli/duration.js';
import { idleServers, listServers, type ServerRow } from '../../lib/client/queries.js';
import { serverColumns } from '../../ui/columns.js';
import { renderTable } from '../../ui/table.js';

export default class ServersLs extends HubCommand<typeof ServersLs> {
  static override summary = 'List single-user servers of all users, with state, URL, start, last activity and uptime.';

  static override description = `GET /hub/api/users?state=active (every page): running and pending servers. --all adds stopped named servers (include_stopped_servers).
State is ready, spawning, stopping, stopped, or unready (running but not answering yet). --json prints the same rows, with timestamps in ISO form and uptime in seconds.
Live view of servers and spawn pressure (pending spawns against the limits, spawns/min, time to ready, 429s), with a list to stop servers from: hub top.`;

  static override examples = ['<%= config.bin %> servers ls', '<%= config.bin %> servers ls --all --json', '<%= config.bin %> servers ls --idle-for 2h'];

  static override enableJsonFlag = true;

  static override flags = {
    all: Flags.boolean({ char: 'a', summary: 'Include stopped named servers.' }),
    'idle-for': Flags.string({ summary: 'Only running servers without activity for this long (e.g. 2h, 30m, 1d).', exclusive: ['all'] }),
  };

  async run(): Promise<ServerRow[]> {
    const idle = this.flags['idle-for'];
    const listed = await listServers(await this.client(), { all: this.flags.all });
    const rows = idle === undefined ? listed : idleServers(listed, parseDuration(idle, '--idle-for'));
    this.log(rows.length === 0 ? 'no servers' : renderTable(serverColumns, rows, this.width()));
    return rows;
  }
}
