import { HubCommand } from '../../cli/base-command.js';
import { listGroups } from '../../lib/client/queries.js';
import type { GroupModel } from '../../lib/client/models.js';
import { groupColumns } from '../../ui/columns.js';
import { renderTable } from '../../ui/table.js';

export default class GroupsLs extends HubCommand<typeof GroupsLs> {
  static override summary = 'List groups with their members and roles.';

  static override description = 'GET /hub/api/groups, every page. --json prints JupyterHub group models.';

  static override examples = ['<%= config.bin %> groups ls', '<%= config.bin %> groups ls --json'];

  static override enableJsonFlag = true;

  async run(): Promise<GroupModel[]> {
    const groups = await listGroups(await this.client());
    this.log(groups.length === 0 ? 'no groups' : renderTable(groupColumns, groups, this.width()));
    return groups;
  }
}
