import { Flags } from '@oclif/core';
import { HubCommand } from '../../cli/base-command.js';
import { listUsers, serversOf, type ServerRow } from '../../lib/client/queries.js';
import { ago, renderTable, terminalWidth } from '../../ui/table.js';

export default class ServersLs extends HubCommand<typeof ServersLs> {
  static override summary = "List single-user servers of all users, with state, URL, start and last activity.";

  static override description = 'Asks the running daemon for users with active servers (GET /hub/api/users?state=active). --all includes stopped named servers. --json prints the same rows.';

  static override examples = ['<%= config.bin %> servers ls', '<%= config.bin %> servers ls --all --json'];

  static override enableJsonFlag = true;

  static override flags = {
    all: Flags.boolean({ char: 'a', summary: 'Include stopped named servers.' }),
  };

  async run(): Promise<ServerRow[]> {
    const users = await listUsers(await this.client(), this.flags.all ? {} : { state: 'active' });
    const rows = serversOf(users, this.flags.all);
    if (rows.length === 0) {
      this.log('no servers');
      return rows;
    }
    this.log(
      renderTable(
        [
          { header: 'USER', get: (s: ServerRow) => s.user, shrink: true },
          { header: 'SERVER', get: (s) => s.name || '(default)' },
          { header: 'STATE', get: (s) => (s.pending ? s.pending : s.ready ? 'ready' : s.stopped ? 'stopped' : 'starting') },
          { header: 'URL', get: (s) => s.url, shrink: true },
          { header: 'STARTED', get: (s) => ago(s.started) },
          { header: 'LAST ACTIVITY', get: (s) => ago(s.last_activity) },
        ],
        rows,
        terminalWidth(),
      ),
    );
    return rows;
  }
}
