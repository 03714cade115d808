import { Flags } from '@oclif/core';
import { HubCommand } from '../../cli/base-command.js';
import { getGroup, listUsers, USER_SORTS, type UserSort, type UserState } from '../../lib/client/queries.js';
import type { UserModel } from '../../lib/client/models.js';
import { userColumns } from '../../ui/columns.js';
import { renderTable } from '../../ui/table.js';

export default class UsersLs extends HubCommand<typeof UsersLs> {
  static override summary = 'List the users of the running hub.';

  static override description = `Asks the running daemon over its control socket (GET /hub/api/users, every page, so it is complete for 100,000 users too).
--name filters on the server (name_filter); --group and --admin filter the result. --sort passes JupyterHub 5's sort to the daemon and sorts here as well (a leading - reverses).
--json prints the same users as JupyterHub user models.`;

  static override examples = [
    '<%= config.bin %> users ls',
    '<%= config.bin %> users ls --name stud --json',
    '<%= config.bin %> users ls --state active --sort -last_activity',
    '<%= config.bin %> users ls --group cs101 --no-admin',
  ];

  static override enableJsonFlag = true;

  static override flags = {
    name: Flags.string({ summary: 'Only names containing this text, in any case (name_filter: % and _ are wildcards).', aliases: ['filter'] }),
    state: Flags.string({ summary: 'Only users with servers in this state: active (ready or pending), ready, inactive (none).', options: ['active', 'ready', 'inactive'] }),
    group: Flags.string({ char: 'g', summary: 'Only members of this group.' }),
    admin: Flags.boolean({ summary: 'Only admins (--no-admin: only non-admins).', allowNo: true }),
    sort: Flags.string({ summary: 'Sort by name, last_activity or created; a leading - reverses.', options: [...USER_SORTS] }),
  };

  async run(): Promise<UserModel[]> {
    const f = this.flags;
    const client = await this.client();
    // An unknown group is an error, not an empty list: a typo must not look like "no members".
    const members = f.group === undefined ? undefined : new Set((await getGroup(client, f.group)).users);
    const all = await listUsers(client, {
      ...(f.name ? { nameFilter: f.name } : {}),
      ...(f.state ? { state: f.state as UserState } : {}),
      ...(f.sort ? { sort: f.sort as UserSort } : {}),
    });
    const users = all.filter((u) => (members === undefined || members.has(u.name)) && (f.admin === undefined || u.admin === f.admin));
    this.log(users.length === 0 ? 'no users' : renderTable(userColumns, users, this.width()));
    return users;
  }
}
