import { Args } from '@oclif/core';
import { HubCommand } from '../../cli/base-command.js';
import { getUser, listBlocked, serverRow } from '../../lib/client/queries.js';
import type { UserModel } from '../../lib/client/models.js';
import { keyValues, serverColumns } from '../../ui/columns.js';
import { renderTable, stamp } from '../../ui/table.js';

export default class UsersShow extends HubCommand<typeof UsersShow> {
  static override summary = 'Show one user: admin, groups, roles, activity, blocked, and every server.';

  static override description = 'GET /hub/api/users/NAME (with stopped servers) and GET /hub/ext/blocked. --json prints the user model plus `blocked`.';

  static override examples = ['<%= config.bin %> users show alice', '<%= config.bin %> users show alice --json'];

  static override enableJsonFlag = true;

  static override args = {
    name: Args.string({ description: 'User name.', required: true }),
  };

  async run(): Promise<UserModel & { blocked: boolean }> {
    const client = await this.client();
    const user = await getUser(client, this.args.name, { includeStoppedServers: true });
    const blocked = (await listBlocked(client)).includes(user.name);
    const servers = Object.values(user.servers).map((s) => serverRow(user.name, s));
    this.log(
      keyValues([
        ['name', user.name],
        ['admin', user.admin ? 'yes' : 'no'],
        ['blocked', blocked ? 'yes' : 'no'],
        ['groups', user.groups.join(', ') || '-'],
        ['roles', user.roles.join(', ') || '-'],
        ['created', stamp(user.created)],
        ['last activity', stamp(user.last_activity, 'never')],
      ]),
    );
    this.log('');
    this.log(servers.length === 0 ? 'no servers' : renderTable(serverColumns, servers, this.width()));
    return { ...user, blocked };
  }
}
