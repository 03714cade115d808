import { Args } from '@oclif/core';
import { HubCommand } from '../../cli/base-command.js';
import { getGroup } from '../../lib/client/queries.js';
import type { GroupModel } from '../../lib/client/models.js';
import { keyValues } from '../../ui/columns.js';

export default class GroupsShow extends HubCommand<typeof GroupsShow> {
  static override summary = 'Show one group: members, roles and properties.';

  static override description = 'GET /hub/api/groups/NAME. --json prints the group model.';

  static override examples = ['<%= config.bin %> groups show cs101'];

  static override enableJsonFlag = true;

  static override args = {
    name: Args.string({ description: 'Group name.', required: true }),
  };

  async run(): Promise<GroupModel> {
    const g = await getGroup(await this.client(), this.args.name);
    this.log(
      keyValues([
        ['name', g.name],
        ['members', `${g.users.length}${g.users.length > 0 ? `: ${g.users.join(', ')}` : ''}`],
        ['roles', g.roles.join(', ') || '-'],
        ['properties', Object.keys(g.properties).length > 0 ? JSON.stringify(g.properties) : '-'],
      ]),
    );
    return g;
  }
}
