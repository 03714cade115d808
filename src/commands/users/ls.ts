import { Flags } from '@oclif/core';
import { HubCommand } from '../../cli/base-command.js';
import { listUsers } from '../../lib/client/queries.js';
import type { UserModel } from '../../lib/client/models.js';
import { ago, renderTable, terminalWidth } from '../../ui/table.js';

export default class UsersLs extends HubCommand<typeof UsersLs> {
  static override summary = 'List the users of the running hub.';

  static override description = 'Asks the running daemon over its control socket (GET /hub/api/users, all pages). --json prints the same users as JupyterHub user models.';

  static override examples = ['<%= config.bin %> users ls', '<%= config.bin %> users ls --filter stud --json', '<%= config.bin %> users ls --state active'];

  static override enableJsonFlag = true;

  static override flags = {
    filter: Flags.string({ summary: 'Only names containing this text (name_filter).' }),
    state: Flags.string({ summary: 'Only users with servers in this state.', options: ['active', 'ready', 'inactive'] }),
  };

  async run(): Promise<UserModel[]> {
    const users = await listUsers(await this.client(), {
      ...(this.flags.filter ? { nameFilter: this.flags.filter } : {}),
      ...(this.flags.state ? { state: this.flags.state } : {}),
    });
    if (users.length === 0) {
      this.log('no users');
      return users;
    }
    const table = renderTable(
      [
        { header: 'NAME', get: (u: UserModel) => u.name, shrink: true },
        { header: 'ADMIN', get: (u) => (u.admin ? 'yes' : '') },
        { header: 'GROUPS', get: (u) => u.groups.join(','), shrink: true },
        { header: 'SERVERS', get: (u) => String(Object.keys(u.servers).length), align: 'right' },
        { header: 'LAST ACTIVITY', get: (u) => ago(u.last_activity) },
        { header: 'CREATED', get: (u) => ago(u.created) },
      ],
      users,
      terminalWidth(),
    );
    this.log(table);
    return users;
  }
}
